"""How well ClassNSeg weights segment pseudo-fakes with known masks: SBI self-blends of the video
crop cache's *val* reals (real videos of data/train-videos and data/real-videos that no recipe
trained on; never dev-wild), the blend mask as ground truth.

    python -m Training.reference.classnseg_masks --cache out/video-cache \
        --weights .build-weights/classnseg/classnseg-full.safetensors [--crops 200] [--seed 18]

A pixel counts as manipulated in the truth where the blend weight is ≥ 0.5 and in the
prediction where mask channel 1 is ≥ 0.5 (the authors' rule). Reports pixel accuracy and IoU
over the pseudo-fakes (IoU pooled over all of them, and the mean per crop), the fraction of
each real crop flagged, and the crop AUC of p_fake, reals against their pseudo-fakes. Runs the
PyTorch model (Training/models/classnseg.py), which the engine matches to ≤ 1e-5
(Tests/DetectorsTests/ClassNSegParityTests.swift).
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from Training.metrics import roc_auc
from Training.models.classnseg import ClassNSeg, to_input
from Training.pseudofakes.sbi import self_blend
from Training.train_video import load_video_cache


def evaluate(weights: str, images: np.ndarray, landmarks: np.ndarray, seed: int) -> dict:
    model = ClassNSeg().eval()
    model.load_flat(load_file(weights), strict=False)
    rng = np.random.default_rng(seed)
    fakes = [self_blend(image, marks, rng) for image, marks in zip(images, landmarks)]
    truth = np.stack([f.mask >= 0.5 for f in fakes])
    scores, masks = [], []
    with torch.no_grad():
        for batch in (images, np.stack([f.image for f in fakes])):
            p, m = [], []
            for start in range(0, len(batch), 16):
                out = model(to_input(torch.from_numpy(np.ascontiguousarray(batch[start:start + 16]))))
                p.append(out["p_fake"].numpy())
                m.append((out["mask"][:, 1] >= 0.5).numpy())
            scores.append(np.concatenate(p))
            masks.append(np.concatenate(m))
    real_scores, fake_scores = scores
    real_masks, fake_masks = masks
    intersection = (fake_masks & truth).sum(axis=(1, 2))
    union = (fake_masks | truth).sum(axis=(1, 2))
    per_crop = intersection[union > 0] / union[union > 0]
    return {
        "weights": Path(weights).name, "pseudo_fakes": int(len(fakes)),
        "pixel_accuracy": float((fake_masks == truth).mean()),
        "iou_pooled": float(intersection.sum() / max(union.sum(), 1)),
        "iou_mean_per_crop": float(per_crop.mean()) if len(per_crop) else float("nan"),
        "truth_fraction": float(truth.mean()),
        "flagged_fraction_fakes": float(fake_masks.mean()),
        "flagged_fraction_reals": float(real_masks.mean()),
        "real_pixel_accuracy": float(1 - real_masks.mean()),
        "crop_auc_sbi": float(roc_auc(np.r_[np.zeros(len(real_scores)), np.ones(len(fake_scores))],
                                      np.r_[real_scores, fake_scores])),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--weights", nargs="+", required=True)
    parser.add_argument("--crops", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    data = load_video_cache(args.cache)
    reals = np.flatnonzero((data["split"] == "val") & (data["label"] == 0))
    chosen = np.sort(np.random.default_rng(args.seed).choice(reals, size=min(args.crops, len(reals)), replace=False))
    print(f"{len(chosen)} val real crops of {len(set(data['video'][chosen]))} videos")
    for weights in args.weights:
        print(json.dumps(evaluate(weights, data["images"][chosen], data["landmarks"][chosen], args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
