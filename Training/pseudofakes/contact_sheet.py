"""Contact sheet of pseudo-fakes, to look at before training on them:

    python -m Training.pseudofakes.contact_sheet --cache out/cache --out sheet.png

Each row holds triplets (real crop | pseudo-fake | mask); rows alternate self-blended and
cross-identity samples, each labelled. The sheet shows real people: keep it out of the repo.
"""

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from Training.data.cache import load_split

from .augment import random_robustness
from .cross_identity import cross_identity_blend, nearest_partners
from .sbi import self_blend


def sample_triplets(faces, count: int, rng: np.random.Generator, robustness: bool) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(label, real, fake, mask) for `count` random faces, alternating SBI and cross-identity."""
    picks = rng.choice(len(faces), size=min(count, len(faces)), replace=False)
    partners = nearest_partners(faces.landmarks, faces.identities, k=3)
    triplets = []
    for n, index in enumerate(picks):
        real, landmarks = faces.images[index], faces.landmarks[index]
        donor = partners[index][rng.integers(0, 3)]
        if n % 2 == 0 or donor < 0:
            result, label = self_blend(real, landmarks, rng), "SBI"
        else:
            result = cross_identity_blend(real, landmarks, faces.images[donor], faces.landmarks[donor], rng)
            label = "cross-id"
        fake = random_robustness(result.image, rng) if robustness else result.image
        triplets.append((f"{label} {faces.sources[index]}", real, fake, result.mask))
    return triplets


def render(triplets, per_row: int, tile: int) -> Image.Image:
    """Grid of labelled triplets, `per_row` triplets a row, each tile `tile` pixels square."""
    rows = (len(triplets) + per_row - 1) // per_row
    gap = 6
    sheet = Image.new("RGB", (per_row * (3 * tile + gap), rows * (tile + 14)), (40, 40, 40))
    draw = ImageDraw.Draw(sheet)
    for n, (label, real, fake, mask) in enumerate(triplets):
        x0, y0 = (n % per_row) * (3 * tile + gap), (n // per_row) * (tile + 14)
        mask_rgb = np.repeat((np.asarray(mask) * 255).astype(np.uint8)[..., None], 3, axis=2)
        for column, picture in enumerate((real, fake, mask_rgb)):
            thumb = Image.fromarray(picture, "RGB").resize((tile, tile), Image.Resampling.BILINEAR)
            sheet.paste(thumb, (x0 + column * tile, y0 + 14))
        draw.text((x0 + 2, y0 + 1), label, fill=(255, 255, 255))
    return sheet


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True, help="cache directory (Training/data/build_cache.py)")
    parser.add_argument("--out", type=Path, required=True, help="PNG to write")
    parser.add_argument("--split", default="train", choices=("train", "val"))
    parser.add_argument("--count", type=int, default=16, help="number of triplets")
    parser.add_argument("--per-row", type=int, default=2)
    parser.add_argument("--tile", type=int, default=192, help="tile side in pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--robustness", action="store_true", help="also apply the robustness augmentations")
    args = parser.parse_args(argv)
    if args.count < 1 or args.per_row < 1 or args.tile < 16:
        parser.error("--count and --per-row must be ≥ 1, --tile ≥ 16")
    faces = load_split(args.cache, args.split)
    triplets = sample_triplets(faces, args.count, np.random.default_rng(args.seed), args.robustness)
    render(triplets, args.per_row, args.tile).save(args.out)
    print(f"wrote {len(triplets)} triplets to {args.out}")


if __name__ == "__main__":
    main()
