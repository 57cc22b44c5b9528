"""MAT throughput: the Swift engine (engine-bench) vs PyTorch on the same weights and crops.

    python -m Training.bench.bench_mat --weights Sources/Detectors/Models/mat.safetensors \
        --engine-bench .build/release/engine-bench [--backbone Sources/Detectors/Models/video-efficientnet-lite0.safetensors]

Crops per CPU-second, one thread each, measured as Training/bench/bench_classnseg.py does
(torch.set_num_threads(1) timed by process_time on ready float tensors at batch 1 and 32; the
engine-bench child, 1 worker, timed by its user + system time on uint8 256² crops, the resize and
scaling included). Rounds alternate ours / PyTorch; the table gives the median round. With
--backbone, the engine's rate for that plain EfficientNet-Lite0 file is given too (what MAT adds).
"""
import argparse
import statistics
import tempfile
import time

import numpy as np
import torch
from safetensors.torch import load_file

from Training.bench.bench_classnseg import ours_rate
from Training.models.mat import MAT
from Training.recipes import RECIPES, to_input

RECIPE = RECIPES["efficientnet_lite0"]


def load(path: str) -> MAT:
    model = MAT().eval()
    result = model.load_state_dict(load_file(path), strict=False)  # no num_batches_tracked, no centres
    if result.unexpected_keys or any(k != "centres" and not k.endswith("num_batches_tracked") for k in result.missing_keys):
        raise ValueError(f"{path} is not a MAT file: {result}")
    return model


def torch_rate(model: MAT, x: torch.Tensor, seconds: float) -> float:
    with torch.no_grad():
        model(x)
        done, start = 0, time.process_time()
        while time.process_time() - start < seconds:
            torch.sigmoid(model(x))
            done += len(x)
        return done / (time.process_time() - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", required=True)
    parser.add_argument("--engine-bench", required=True)
    parser.add_argument("--backbone", help="a plain EfficientNet-Lite0 file to time in the engine as well")
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    rng = np.random.default_rng(19)
    crops = rng.integers(0, 256, size=(32, 256, 256, 3), dtype=np.uint8)
    model = load(args.weights)
    print(f"torch {torch.__version__}, 1 thread; engine-bench 1 worker; median of {args.rounds} rounds")
    print("| model | ours crops/CPU-s | PyTorch batch 1 | PyTorch batch 32 | ours / best PyTorch |")
    print("|---|---|---|---|---|")
    with tempfile.NamedTemporaryFile(suffix=".rgb") as raw:
        raw.write(crops.tobytes())
        raw.flush()
        ours, one, many, backbone = [], [], [], []
        for _ in range(args.rounds):
            ours.append(ours_rate(args.engine_bench, args.weights, raw.name, False, args.seconds))
            one.append(torch_rate(model, to_input(torch.from_numpy(crops[:1]), RECIPE), args.seconds))
            many.append(torch_rate(model, to_input(torch.from_numpy(crops), RECIPE), args.seconds))
            if args.backbone:
                backbone.append(ours_rate(args.engine_bench, args.backbone, raw.name, False, args.seconds))
        o, p1, p32 = (statistics.median(v) for v in (ours, one, many))
        print(f"| mat | {o:.1f} | {p1:.1f} | {p32:.1f} | {o / max(p1, p32):.2f}× |")
        if backbone:
            print(f"| its backbone alone (engine) | {statistics.median(backbone):.1f} | | | |")
    torch.set_num_threads(threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
