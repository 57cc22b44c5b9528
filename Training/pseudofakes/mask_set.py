"""A held-out pseudo-fake set with known masks, as files `deepfake-scan eval --mask-truth` reads:
aligned 256×256 real face crops that no model trained on, their SBI self-blends, each crop's
ground-truth mask and a labels TSV.

    python -m Training.pseudofakes.mask_set --cache out/video-cache --out out/pseudofake-masks [--crops 200] [--seed 18]

The reals are `--crops` crops of the video crop cache's *val* real videos (train-videos and
real-videos clips whose identities the split keeps out of training; the evaluation sets are never
in the cache), chosen as Training/reference/classnseg_masks.py chooses them, and each gets one SBI
self-blend from one seeded stream in crop order: the same seed gives the same files, byte for
byte, and the same set the reference measures. A pixel of a fake is manipulated where the blend
weight is ≥ 0.5 (mask PNG value 255, else 0); a real's mask is all zero.

Writes, under --out: `real/NNNN.png`, `fake/NNNN.png`, `masks/NNNN-real.png`,
`masks/NNNN-fake.png` and `labels.tsv` with the columns path, label (real/fake), mask, method
(original/sbi), group (a fake and its real share one: eval's paired AUC) and video (the source
video of the cache), paths relative to the TSV.
"""
import argparse
import csv
from pathlib import Path

import numpy as np
from PIL import Image

from .sbi import self_blend

# Blend weight from which a pixel counts as manipulated (the authors' rule for ClassNSeg masks).
MANIPULATED_FROM = 0.5
COLUMNS = ["path", "label", "mask", "method", "group", "video"]


def held_out_reals(data: dict, crops: int, seed: int) -> np.ndarray:
    """Indices of `crops` val real crops of a loaded video cache (all when fewer), sorted."""
    reals = np.flatnonzero((data["split"] == "val") & (data["label"] == 0))
    return np.sort(np.random.default_rng(seed).choice(reals, size=min(crops, len(reals)), replace=False))


def pseudo_fakes(images: np.ndarray, landmarks: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One SBI self-blend per crop from one stream seeded `seed`: (fake images N×H×W×3 uint8,
    ground truth N×H×W bool, blend weight ≥ 0.5)."""
    rng = np.random.default_rng(seed)
    blends = [self_blend(image, marks, rng) for image, marks in zip(images, landmarks)]
    return (np.stack([b.image for b in blends]).astype(np.uint8),
            np.stack([b.mask >= MANIPULATED_FROM for b in blends]))


def write_set(out: Path, images: np.ndarray, landmarks: np.ndarray, videos: list[str], seed: int) -> Path:
    """Writes the set for these real crops (uint8 N×H×W×3 with their 5 landmarks in crop
    pixels and source video names); returns the labels TSV."""
    fakes, truth = pseudo_fakes(images, landmarks, seed)
    for folder in ("real", "fake", "masks"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    rows = []
    zero = np.zeros(images.shape[1:3], dtype=np.uint8)
    for index, (real, fake, manipulated, video) in enumerate(zip(images, fakes, truth, videos)):
        name = f"{index:04d}"
        for label, image, mask in (("real", real, zero), ("fake", fake, manipulated.astype(np.uint8) * 255)):
            path, mask_path = f"{label}/{name}.png", f"masks/{name}-{label}.png"
            Image.fromarray(np.ascontiguousarray(image), "RGB").save(out / path)
            Image.fromarray(mask, "L").save(out / mask_path)
            rows.append([path, label, mask_path, "original" if label == "real" else "sbi", name, video])
    labels = out / "labels.tsv"
    with open(labels, "w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return labels


def read_set(labels: Path) -> dict:
    """The set back from its TSV: images (N×H×W×3 uint8), truth (N×H×W bool), is_fake, path."""
    with open(labels, newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    folder = labels.parent
    return {
        "path": [row["path"] for row in rows],
        "is_fake": np.array([row["label"] == "fake" for row in rows]),
        "images": np.stack([np.asarray(Image.open(folder / row["path"]).convert("RGB")) for row in rows]),
        "truth": np.stack([np.asarray(Image.open(folder / row["mask"]).convert("L")) >= 128 for row in rows]),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="the video crop cache (make video-cache)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--crops", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    from Training.train_video import load_video_cache  # imports torch: only the CLI needs it

    data = load_video_cache(args.cache)
    chosen = held_out_reals(data, args.crops, args.seed)
    with open(args.cache / "videos.tsv", newline="") as handle:
        names = {int(row["index"]): row["path"] for row in csv.DictReader(handle, delimiter="\t")}
    labels = write_set(args.out, data["images"][chosen], data["landmarks"][chosen],
                       [names[v] for v in data["video"][chosen]], args.seed)
    print(f"{len(chosen)} val real crops of {len(set(data['video'][chosen]))} videos and their SBI blends → {labels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
