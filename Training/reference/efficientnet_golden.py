"""Golden parity fixtures for EfficientNet-Lite0 and -Lite1: weights and crops from small integer formulas
that Tests/DetectorsTests/EfficientNetFormula.swift implements bit for bit, so 18 MB of
weights never need committing; only the expected outputs do.

    python -m Training.reference.efficientnet_golden --out Tests/Fixtures/efficientnet_lite0_golden.json
    python -m Training.reference.efficientnet_golden --variant lite1 --out Tests/Fixtures/efficientnet_lite1_golden.json
    python -m Training.reference.efficientnet_golden --weights w.safetensors   # the full weights + card

Weights: every value is u ∈ [-1, 1) drawn from murmur3's fmix32 of
(FNV-1a-32(key) + index · 0x9E3779B9) mod 2³², u = (h >> 8) / 2²³ − 1 (exact in float32),
then, in float64 and rounded once to float32:
  conv / linear weight (rank ≥ 2)   u · sqrt(6 / fan_in)   fan_in = prod(shape[1:]) (He uniform)
  BatchNorm weight (rank-1 .weight) 1 + 0.25 u
  any rank-1 .bias                  0.1 u
  running_mean                      0.1 u
  running_var                       1 + 0.5 u              (positive)
Crops: uint8 RGB, pixel (y, x, c) = (ax·x + ay·y + 85·c + 60·(((x / cell) ^ (y / cell)) & 1)
+ (fmix32(seed · 2²⁰ + (y · size + x) · 3 + c) >> 26)) mod 256: gradients, a checkerboard and
noise, different per crop. Expected outputs come from the PyTorch model of
Training/models/efficientnet_lite.py in float64, on the input Training.recipes.to_input makes
(so the 256² crop also checks the bilinear resize to 160).
"""
import argparse
import dataclasses
import json
import math

import numpy as np
import torch

from Training.models.efficientnet_lite import EfficientNetLite0
from Training.recipes import RECIPES, to_input

MASK = 0xFFFFFFFF
# The fixture pins its own input size (160, a size the recipe once used) so that retuning the
# training recipe's size does not silently invalidate the committed outputs.
RECIPE = dataclasses.replace(RECIPES["efficientnet_lite0"], input_size=160)
CROPS = [
    {"size": 160, "ax": 3, "ay": 1, "cell": 16, "seed": 1},
    {"size": 160, "ax": 0, "ay": 5, "cell": 7, "seed": 2},
    {"size": 160, "ax": 1, "ay": 2, "cell": 40, "seed": 3},
    {"size": 256, "ax": 2, "ay": 3, "cell": 24, "seed": 4},
]


def fnv1a(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & MASK
    return h


def fmix32(x: np.ndarray) -> np.ndarray:
    """murmur3's finaliser on uint64 arrays holding 32-bit values."""
    x = x ^ (x >> 16)
    x = (x * 0x85EBCA6B) & MASK
    x = x ^ (x >> 13)
    x = (x * 0xC2B2AE35) & MASK
    return x ^ (x >> 16)


def uniform(key: str, count: int) -> np.ndarray:
    index = np.arange(count, dtype=np.uint64)
    h = fmix32((fnv1a(key) + index * 0x9E3779B9) & MASK)
    return (h >> 8).astype(np.float64) / 2.0**23 - 1.0


def formula_tensor(key: str, shape: list[int]) -> np.ndarray:
    u = uniform(key, math.prod(shape))
    if key.endswith("running_var"):
        values = 1.0 + 0.5 * u
    elif key.endswith("running_mean") or key.endswith(".bias"):
        values = 0.1 * u
    elif len(shape) >= 2:
        values = u * math.sqrt(6.0 / math.prod(shape[1:]))
    else:
        values = 1.0 + 0.25 * u
    return values.astype(np.float32).reshape(shape)


def key_shapes(model: torch.nn.Module) -> list[tuple[str, list[int]]]:
    """The exported keys: the state_dict minus BatchNorm's num_batches_tracked, sorted."""
    return sorted((k, list(v.shape)) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked"))


def formula_model(variant: str = "lite0") -> EfficientNetLite0:
    model = EfficientNetLite0(variant=variant).eval()
    state = model.state_dict()
    for key, shape in key_shapes(model):
        state[key] = torch.from_numpy(formula_tensor(key, shape))
    model.load_state_dict(state, strict=True)
    return model


def crop(spec: dict) -> np.ndarray:
    size = spec["size"]
    y, x, c = np.meshgrid(np.arange(size), np.arange(size), np.arange(3), indexing="ij")
    y, x, c = (a.astype(np.uint64) for a in (y, x, c))
    noise = fmix32((spec["seed"] * 2**20 + (y * size + x) * 3 + c) & MASK) >> 26
    checker = ((x // spec["cell"]) ^ (y // spec["cell"])) & 1
    return ((spec["ax"] * x + spec["ay"] * y + 85 * c + 60 * checker + noise) % 256).astype(np.uint8)


def logits(model: EfficientNetLite0, specs: list[dict]) -> np.ndarray:
    """float64 logits, one crop at a time (crops of different sizes). The resize of a crop to
    the input size is float32 and rounded to bytes, as in training, and torch's float32 bilinear
    kernel rounds a pixel differently on one thread than on several; the committed fixture was
    made on several, so the count is pinned here (and restored) whatever the machine or the
    tests run before."""
    model = model.double()
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch.no_grad():
            return np.array([model(to_input(crop(s)[None], RECIPE).double()).item() for s in specs])
    finally:
        torch.set_num_threads(threads)


def golden(variant: str = "lite0") -> dict:
    model = formula_model(variant)
    values = logits(model, CROPS)
    return formula_fixture("efficientnet_golden.py", f"efficientnet_{variant}", RECIPE.input_size, RECIPE.scaling,
                           key_shapes(model), CROPS,
                           logits=values.tolist(), p_fake=(1 / (1 + np.exp(-values))).tolist())


def formula_fixture(script: str, architecture: str, input_size: int, scaling: str, keys, crops, **outputs) -> dict:
    """What every formula-weight fixture starts with (what the Swift tests' FormulaGolden reads),
    then the model's own reference outputs."""
    return {
        "about": f"Training/reference/{script}: formula weights and crops, PyTorch float64 outputs",
        "architecture": architecture, "input_size": input_size, "scaling": scaling,
        "keys": [[k, s] for k, s in keys],
        "crops": crops,
        **outputs,
    }


def card() -> dict[str, str]:
    return {"name": "efficientnet_lite0-formula", "architecture": RECIPE.architecture, "version": "0",
            "input_size": str(RECIPE.input_size), "colour_order": "RGB", "scaling": RECIPE.scaling,
            "score_semantics": "p_fake, 1 = fake",
            "provenance": "formula weights of Training/reference/efficientnet_golden.py (for tests and benchmarks)"}


def write_golden(golden_values: dict, path: str) -> None:
    """The fixture file every golden reference writes: indented JSON and a final newline."""
    with open(path, "w") as handle:
        json.dump(golden_values, handle, indent=1)
        handle.write("\n")


def golden_main(golden, doc: str, argv=None) -> int:
    """The command line of a golden reference that only writes its fixture (`--out FILE`)."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--out", required=True, help="write the golden JSON here")
    write_golden(golden(), parser.parse_args(argv).out)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="write the golden JSON here")
    parser.add_argument("--weights", help="write the formula weights as safetensors with a model card here")
    parser.add_argument("--variant", choices=("lite0", "lite1"), default="lite0", help="for --out: the depth")
    args = parser.parse_args(argv)
    if args.out:
        write_golden(golden(args.variant), args.out)
    if args.weights:
        from safetensors.numpy import save_file
        state = {k: formula_tensor(k, s) for k, s in key_shapes(EfficientNetLite0())}
        save_file(state, args.weights, metadata=card())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
