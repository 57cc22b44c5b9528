"""Training smoke run for the Swift side: trains each architecture a few steps on a synthetic
crop cache, exports it with export.py, and writes what PyTorch scores on a few crops, so that
Tests/DetectorsTests/TrainedExportTests.swift can check that the export loads strictly in the
engine and scores the same.

    python -m Training.reference.export_smoke --out DIR [--model meso4 ...]

Writes DIR/<model>.safetensors (export.py's output), DIR/crops.safetensors (U8 "crops",
N×256×256×3) and DIR/expected.json ({model: [p_fake per crop]}).
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.numpy import save_file

from .. import export, heldout, train
from ..data.cache import Crop, write_cache
from ..pseudofakes.geometry import template_landmarks

ASTRONAUT = Path(__file__).resolve().parents[2] / "Tests/FaceAlignTests/Fixtures/astronaut-256.png"
MODELS = ("meso4", "mesoinception4", "efficientnet_lite0")


def synthetic_cache(directory: Path) -> Path:
    """20 'people': the public-domain astronaut crop shifted, tinted and overlaid with noise (16
    train, 4 val). The noise makes SBI's blur/sharpen of the pasted face visible, so Meso-4
    learns within a few steps."""
    base = np.asarray(Image.open(ASTRONAUT).convert("RGB"), dtype=np.float32)
    rng = np.random.default_rng(3)
    crops = []
    for n in range(20):
        shift = rng.integers(-6, 7, 2)
        image = np.roll(base, tuple(shift), axis=(0, 1)) * rng.uniform(0.8, 1.2, 3) + rng.normal(0, 25, base.shape)
        crops.append(Crop(np.clip(image, 0, 255).astype(np.uint8), template_landmarks() + shift[::-1], f"id{n}", "synthetic"))
    write_cache(crops, directory, {f"id{n}": "val" if n >= 16 else "train" for n in range(20)})
    return directory


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", action="append", choices=MODELS, help="default: all three")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    cache = synthetic_cache(args.out / "cache")
    # the astronaut (a face the models were trained around) and two noise crops
    crops = np.stack([np.asarray(Image.open(ASTRONAUT).convert("RGB")),
                      *np.random.default_rng(5).integers(0, 256, (2, 256, 256, 3), dtype=np.uint8)])
    save_file({"crops": crops}, str(args.out / "crops.safetensors"))
    expected = {}
    for model in args.model or MODELS:
        run = args.out / "runs" / model
        train.main(["--model", model, "--cache", str(cache), "--out", str(run), "--pairs-per-batch", "2",
                    "--epochs", "100", "--max-steps", "3", "--val-pairs", "4", "--eval-every", "3", "--warmup", "0",
                    "--cross-fraction", "0", "--robustness", "0", "--workers", "0", "--threads", "1"])
        weights = args.out / f"{model}.safetensors"
        export.main(["--checkpoint", str(run / "best.pt"), "--out", str(weights), "--name", f"smoke-{model}"])
        network, recipe = heldout.load_checkpoint(run / "best.pt")
        expected[model] = [float(p) for p in heldout.predict(network, recipe, crops)]
    (args.out / "expected.json").write_text(json.dumps(expected))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
