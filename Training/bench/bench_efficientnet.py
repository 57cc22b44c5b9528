"""EfficientNet-Lite0 throughput: the Swift engine (engine-bench) vs ONNX Runtime on the same weights.

    python -m Training.bench.bench_efficientnet --engine-bench .build/release/engine-bench [--weights W.safetensors]

Without --weights it uses the formula weights of Training/reference/efficientnet_golden.py
(the speed of a network does not depend on its values). Inputs: 32 random 256×256 RGB crops,
as the face stage gives them. Both run at the input size the weights' model card names (as
`scan` does: 128 px for the bundled models); ours includes the resize and the scaling, ORT is
timed on ready float tensors made by Training.recipes.to_input. One worker, then two, each with one
BLAS / intra-op thread; batch 1, 8 and 16 (what each member of the default model gets in `scan`:
slices of 8 crops plus their mirror images). max |Δp| compares the first batch's scores.
"""
import argparse
import dataclasses
import os
import tempfile
import warnings

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from Training.bench.bench_engine import ort_rate, ours_rate
from Training.models.efficientnet_lite import EfficientNetLite0
from Training.recipes import RECIPES, to_input
from Training.reference import efficientnet_golden

RECIPE = RECIPES["efficientnet_lite0"]


def card_recipe(weights: str):
    """The recipe at the input size the weights' model card names: what the engine resizes to."""
    with safe_open(weights, framework="pt") as f:
        size = (f.metadata() or {}).get("input_size")
    return dataclasses.replace(RECIPE, input_size=int(size)) if size else RECIPE


def export_onnx(model: torch.nn.Module, path: str, size: int) -> None:
    example = torch.zeros(1, 3, size, size)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), path, input_names=["crops"], output_names=["logit"],
                          dynamic_axes={"crops": {0: "batch"}, "logit": {0: "batch"}}, opset_version=17, dynamo=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="EfficientNet-Lite0 safetensors (default: formula weights)")
    parser.add_argument("--engine-bench", default=".build/release/engine-bench")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--batches", default="1,8,16", help="comma-separated batch sizes")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-efficientnet-")
    weights = args.weights or os.path.join(tmp, "formula.safetensors")
    if not args.weights:
        efficientnet_golden.main(["--weights", weights])
    model = EfficientNetLite0().eval()
    result = model.load_state_dict(load_file(weights), strict=False)
    if result.unexpected_keys or any(not k.endswith("num_batches_tracked") for k in result.missing_keys):
        raise ValueError(f"{weights} does not fit EfficientNetLite0: {result}")  # only num_batches_tracked is not exported
    onnx_path = os.path.join(tmp, "efficientnet_lite0.onnx")
    recipe = card_recipe(weights)
    export_onnx(model, onnx_path, recipe.input_size)
    images = np.random.default_rng(2026).integers(0, 256, size=(32, 256, 256, 3), dtype=np.uint8)
    inputs_path = os.path.join(tmp, "inputs.u8")
    images.tofile(inputs_path)
    floats = to_input(images, recipe).contiguous().numpy()
    print(f"EfficientNet-Lite0 at {recipe.input_size}px ({os.path.basename(weights)}); {args.seconds:.0f} s per run; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"{'batch':>5} {'workers':>7} {'ours img/s':>11} {'ORT img/s':>10} {'ratio':>6} {'max |Δp|':>9}")
    for batch in [int(b) for b in args.batches.split(",")]:
        for workers in (1, 2):
            ours, ours_p = ours_rate(args.engine_bench, weights, inputs_path, batch, workers, args.seconds)
            theirs, ort_p = ort_rate(onnx_path, floats[:batch], workers, args.seconds)
            difference = np.abs(ours_p - ort_p.reshape(-1)[:len(ours_p)]).max()
            print(f"{batch:>5} {workers:>7} {ours:>11.1f} {theirs:>10.1f} {ours / theirs:>6.2f} {difference:>9.1e}", flush=True)


if __name__ == "__main__":
    main()
