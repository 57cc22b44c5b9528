"""The project's own ClassNSeg (issue 18): the authors' Y-shaped autoencoder trained on the video
crop cache's real crops and their self-blended pseudo-fakes, with the blend mask as the
segmentation target (reals: all zero), as the paper trains on Face2Face masks.

    python -m Training.train_classnseg --cache out/video-cache --out out/train-classnseg/RUN [--steps 400]

Losses as the authors': activation loss |a1 − y| + |a0 − (1 − y)| with y = 1 for an original
(their class 1), cross-entropy of the 2-channel mask against blend weight ≥ 0.5, L2 of the
reconstruction against the input (ImageNet-normalised, clamped to tanh's [−1, 1]); equal weights.
The decoders see the latent with the other class's half zeroed, by the true label. Every image
is mirrored at random and degraded by `random_robustness` alike. Writes model.safetensors with
the card the engine loads (architecture classnseg, keys as Training/models/classnseg.py).
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .export import exported_tensors, write_safetensors
from .metrics import roc_auc
from .models.classnseg import ClassNSeg, to_input
from .pseudofakes.augment import random_robustness
from .pseudofakes.sbi import self_blend
from .train_video import load_video_cache


IGNORE = -100  # mask pixels with no target: a labelled fake's manipulated region is unknown


def batch(data: dict, reals: np.ndarray, count: int, rng: np.random.Generator, robustness: float,
          fake_videos: list[list[np.ndarray]] | None = None):
    """`count` reals and their SBI fakes, plus count // 2 labelled fakes when `fake_videos` (per
    method, per video: crop indices) is given: images uint8, original-class labels (1 = real),
    masks (labelled fakes: IGNORE, their manipulated pixels are not known)."""
    items = []
    for index in rng.choice(reals, size=count, replace=False):
        image, landmarks = data["images"][index], data["landmarks"][index]
        fake = self_blend(image, landmarks, rng)
        items += [(image, np.zeros(image.shape[:2], np.int64), 1.0),
                  (fake.image, (fake.mask >= 0.5).astype(np.int64), 0.0)]
    if fake_videos:
        for _ in range(count // 2):  # a method uniformly, then a video, then a crop: no family dominates
            videos = fake_videos[rng.integers(len(fake_videos))]
            image = data["images"][rng.choice(videos[rng.integers(len(videos))])]
            items.append((image, np.full(image.shape[:2], IGNORE, np.int64), 0.0))
    images, original, masks = [], [], []
    for picture, mask, label in items:
        if rng.random() < 0.5:
            picture, mask = picture[:, ::-1], mask[:, ::-1]
        images.append(random_robustness(np.ascontiguousarray(picture), rng, robustness))
        masks.append(np.ascontiguousarray(mask))
        original.append(label)
    return np.stack(images), torch.tensor(original), torch.from_numpy(np.stack(masks))


def labelled_fakes(data: dict, split: str) -> list[list[np.ndarray]]:
    """The split's labelled fake crops grouped by method, then by video."""
    fakes = (data["split"] == split) & (data["label"] == 1)
    return [[np.flatnonzero(fakes & (data["video"] == v)) for v in sorted(set(data["video"][fakes & (data["method"] == m)]))]
            for m in sorted(set(data["method"][fakes]))]


def val_video_auc(model: "ClassNSeg", data: dict, per_video: int = 8) -> float:
    """Video AUC (mean p_fake over `per_video` evenly spaced crops) of the val split's real videos
    against its labelled fakes, both variants (as published, re-encoded)."""
    val = data["split"] == "val"
    labels, scores = [], []
    for video in sorted(set(data["video"][val])):
        crops = np.flatnonzero(val & (data["video"] == video))
        crops = crops[np.linspace(0, len(crops) - 1, min(per_video, len(crops))).astype(int)]
        with torch.no_grad():
            p = model(to_input(torch.from_numpy(np.ascontiguousarray(data["images"][crops]))))["p_fake"]
        labels.append(int(data["label"][crops[0]]))
        scores.append(float(p.mean()))
    return roc_auc(np.array(labels), np.array(scores)) if 0 < sum(labels) < len(labels) else float("nan")


def losses(model: ClassNSeg, x: torch.Tensor, original: torch.Tensor, mask: torch.Tensor) -> dict:
    latent = model.encoder(x)
    a = model.activations(latent)
    activation = ((a[:, 1] - original).abs() + (a[:, 0] - (1 - original)).abs()).mean()
    keep = torch.stack([1 - original, original], dim=1)  # class 0 = manipulated, 1 = original
    halves = latent.reshape(len(x), 2, 64, *latent.shape[2:]) * keep[:, :, None, None, None]
    segmentation, reconstruction = model.decoder(halves.reshape(latent.shape))
    return {"activation": activation,
            "segmentation": F.nll_loss(torch.log(segmentation.clamp_min(1e-7)), mask, ignore_index=IGNORE),
            "reconstruction": F.mse_loss(reconstruction, x.clamp(-1, 1))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--reals", type=int, default=8, help="real crops a batch (each with its SBI fake)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--robustness", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-minutes", type=float, default=0, help="stop early after this long (0: never)")
    parser.add_argument("--name", default="sbi-classnseg")
    parser.add_argument("--supervised", action="store_true",
                        help="add reals // 2 labelled fakes of data/train-videos a batch (method-balanced; no mask loss)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    data = load_video_cache(args.cache)
    is_real = data["label"] == 0
    train_reals = np.flatnonzero((data["split"] == "train") & is_real)
    val_reals = np.flatnonzero((data["split"] == "val") & is_real)
    rng = np.random.default_rng(args.seed)
    train_fakes = labelled_fakes(data, "train") if args.supervised else None
    val = batch(data, val_reals, min(48, len(val_reals)), np.random.default_rng([args.seed, 10**9]), 0.0)
    model = ClassNSeg()
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    log = open(args.out / "log.jsonl", "a")
    started, step, entry = time.monotonic(), 0, {}
    for step in range(1, args.steps + 1):
        model.train()
        images, original, mask = batch(data, train_reals, args.reals, rng, args.robustness, train_fakes)
        parts = losses(model, to_input(torch.from_numpy(images)), original, mask)
        loss = sum(parts.values())
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        minutes = (time.monotonic() - started) / 60
        if step % 25 == 0 or step == args.steps:
            model.eval()
            with torch.no_grad():
                out = model(to_input(torch.from_numpy(val[0])))
            predicted = out["mask"][:, 1] >= 0.5
            truth = val[2] == 1
            entry = {"step": step, "minutes": round(minutes, 1), **{k: round(v.item(), 4) for k, v in parts.items()},
                     "val_sbi_auc": roc_auc(1 - val[1].numpy(), out["p_fake"].numpy()),
                     "val_mask_iou": ((predicted & truth).sum() / max((predicted | truth).sum(), 1)).item()}
            if step % 100 == 0 or step == args.steps:
                entry["val_video_auc"] = val_video_auc(model, data)
            print(json.dumps(entry), flush=True)
            log.write(json.dumps(entry) + "\n")
            log.flush()
        if args.max_minutes and minutes >= args.max_minutes:
            break
    model.eval()
    if entry.get("step") != step:  # stopped by --max-minutes between two logged steps
        with torch.no_grad():
            out = model(to_input(torch.from_numpy(val[0])))
        entry = {"step": step, "val_sbi_auc": roc_auc(1 - val[1].numpy(), out["p_fake"].numpy()),
                 "val_video_auc": val_video_auc(model, data)}
    metadata = {"name": args.name, "architecture": "classnseg", "version": "1", "input_size": "256",
                "colour_order": "RGB", "scaling": "imagenet", "score_semantics": "p_fake, 1 = fake",
                "provenance": f"trained by deepfake-scan Training/train_classnseg.py from scratch: {step} steps of "
                              f"{args.reals} real crops of the video cache's train split + their SBI fakes (blend mask "
                              f"as the segmentation target)"
                              + (f" + {args.reals // 2} labelled fakes of data/train-videos (method-balanced, no mask "
                                 "loss)" if args.supervised else "") + f", Adam lr {args.lr}, robustness p={args.robustness}, seed "
                              f"{args.seed}, {(time.monotonic() - started) / 60:.0f} min on CPU; class 1 = original as the "
                              "authors', so p_fake = sigmoid(a0 - a1)",
                "metrics": json.dumps({k: v for k, v in entry.items() if k.startswith("val_")}, sort_keys=True)}
    tensors = exported_tensors({**model.encoder.state_dict(), **model.decoder.state_dict()})
    write_safetensors(args.out / "model.safetensors", tensors, metadata)
    print(f"{args.out / 'model.safetensors'}: {step} steps", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
