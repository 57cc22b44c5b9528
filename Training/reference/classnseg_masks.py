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

    python -m Training.reference.classnseg_masks --labels out/pseudofake-masks/labels.tsv --weights F… [--per-image X.csv]

measures the same on the files of a mask set (Training/pseudofakes/mask_set.py, the set
`deepfake-scan eval --mask-truth` reads), and `--per-image` writes each image's p_fake and pixel
counts beside the engine's (`eval --mask-truth --csv`) for a row-by-row comparison.
"""
import argparse
import csv
import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from Training.metrics import roc_auc
from Training.models.classnseg import ClassNSeg, to_input
from Training.pseudofakes.mask_set import held_out_reals, pseudo_fakes, read_set
from Training.train_video import load_video_cache


def evaluate(weights: str, images: np.ndarray, landmarks: np.ndarray, seed: int) -> dict:
    """The metrics on SBI blends of these real crops (mask_set.pseudo_fakes: the mask set's blends)."""
    fakes, truth = pseudo_fakes(images, landmarks, seed)
    return measure(weights, images, fakes, truth)


def predict(weights: str, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p_fake per image, mask channel 1 ≥ 0.5 per pixel) of the PyTorch model, 16 at a time."""
    model = ClassNSeg().eval()
    model.load_flat(load_file(weights), strict=False)
    scores, masks = [], []
    with torch.no_grad():
        for start in range(0, len(images), 16):
            out = model(to_input(torch.from_numpy(np.ascontiguousarray(images[start:start + 16]))))
            scores.append(out["p_fake"].numpy())
            masks.append((out["mask"][:, 1] >= 0.5).numpy())
    return np.concatenate(scores), np.concatenate(masks)


def measure(weights: str, reals: np.ndarray, fakes: np.ndarray, truth: np.ndarray, per_image: list | None = None) -> dict:
    """Mask and crop metrics of `weights` on real crops, pseudo-fakes and the fakes' truth masks;
    `per_image` (a list) gets (p_fake, truth pixels, flagged pixels, intersection, union) per
    image, reals first."""
    real_scores, real_masks = predict(weights, reals)
    fake_scores, fake_masks = predict(weights, fakes)
    intersection = (fake_masks & truth).sum(axis=(1, 2))
    union = (fake_masks | truth).sum(axis=(1, 2))
    per_crop = intersection[union > 0] / union[union > 0]
    if per_image is not None:
        for p, m in zip(real_scores, real_masks):
            per_image.append((float(p), 0, int(m.sum()), 0, int(m.sum())))
        for p, m, t, i, u in zip(fake_scores, fake_masks, truth, intersection, union):
            per_image.append((float(p), int(t.sum()), int(m.sum()), int(i), int(u)))
    return {
        "weights": Path(weights).name, "pseudo_fakes": int(len(fakes)), "reals": int(len(reals)),
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
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--cache", type=Path, help="the video crop cache: blends made here")
    source.add_argument("--labels", type=Path, help="a mask set's labels.tsv (Training/pseudofakes/mask_set.py)")
    parser.add_argument("--weights", nargs="+", required=True)
    parser.add_argument("--crops", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--per-image", type=Path, help="with --labels and one weights file: per-image CSV")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.labels:
        files = read_set(args.labels)
        reals, fakes = ~files["is_fake"], files["is_fake"]
        print(f"{int(reals.sum())} reals, {int(fakes.sum())} pseudo-fakes from {args.labels}")
        for weights in args.weights:
            rows: list = []
            print(json.dumps(measure(weights, files["images"][reals], files["images"][fakes], files["truth"][fakes], rows)))
            if args.per_image:
                paths = [p for p, f in zip(files["path"], files["is_fake"]) if not f] + \
                        [p for p, f in zip(files["path"], files["is_fake"]) if f]
                with open(args.per_image, "w", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\n")
                    writer.writerow(["path", "p_fake", "truth_pixels", "flagged_pixels", "intersection", "union"])
                    writer.writerows([path, *row] for path, row in zip(paths, rows))
        return 0
    data = load_video_cache(args.cache)
    chosen = held_out_reals(data, args.crops, args.seed)
    print(f"{len(chosen)} val real crops of {len(set(data['video'][chosen]))} videos")
    for weights in args.weights:
        print(json.dumps(evaluate(weights, data["images"][chosen], data["landmarks"][chosen], args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
