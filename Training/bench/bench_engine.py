"""Engine throughput: the Swift engine (engine-bench) vs ONNX Runtime on the same weights and inputs.

    python -m Training.bench.bench_engine --weights .build-weights/mesonet --engine-bench .build/release/engine-bench

For Meso-4 and MesoInception-4 at batch 1 and 32 with 1 and 2 workers: images/s of ours and of
ORT (the same safetensors weights loaded into Training/models/meso.py, exported to ONNX; one
intra-op thread per worker, one session per worker thread), measured one after the other per
configuration, the ratio ours/ORT, and GFLOP/s against the machine's peak. ORT is timed on
ready float tensors; ours includes the uint8 crop -> float conversion.
"""
import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
import warnings

import numpy as np
import onnxruntime as ort
import torch
from safetensors.numpy import load_file

from Training.models import meso

MODELS = [("Meso4_DF", "meso4"), ("MesoInception_DF", "mesoinception4")]
PEAK_GFLOPS = 205.0  # 2 cores x AVX2 FMA (2 x 8 lanes x 2 flops) x ~3.2 GHz


def flops_per_image(model: torch.nn.Module) -> float:
    """Multiply-adds x 2 of every conv and linear layer for one 256x256 image."""
    total = [0.0]

    def hook(module, _inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            total[0] += 2.0 * output.numel() * per_output
        elif isinstance(module, torch.nn.Linear):
            total[0] += 2.0 * module.in_features * module.out_features
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(torch.zeros(1, 3, 256, 256))
    for handle in handles:
        handle.remove()
    return total[0]


def export_onnx(model: torch.nn.Module, path: str) -> None:
    example = torch.zeros(1, 3, 256, 256)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on the "same"-pool size arithmetic
        torch.onnx.export(model, (example,), path, input_names=["crops"], output_names=["logit"],
                          dynamic_axes={"crops": {0: "batch"}, "logit": {0: "batch"}}, opset_version=17, dynamo=False)


def ort_rate(path: str, batch: np.ndarray, workers: int, seconds: float) -> tuple[float, np.ndarray]:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sessions = [ort.InferenceSession(path, options, providers=["CPUExecutionProvider"]) for _ in range(workers)]
    first = 0.5 * (1 + np.tanh(sessions[0].run(None, {"crops": batch})[0] / 2))  # sigmoid without overflow
    rates = [0.0] * workers
    start_line = threading.Barrier(workers)

    def work(i: int) -> None:
        sessions[i].run(None, {"crops": batch})  # warm-up
        start_line.wait()
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            sessions[i].run(None, {"crops": batch})
            done += batch.shape[0]
        rates[i] = done / elapsed
    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(rates), first


def ours_rate(binary: str, weights: str, inputs: str, batch: int, workers: int, seconds: float) -> tuple[float, np.ndarray]:
    out = subprocess.run([binary, "--weights", weights, "--inputs", inputs, "--batch", str(batch),
                          "--workers", str(workers), "--seconds", str(seconds)], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    return result["images_per_s"], np.array(result["p_fake"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=".build-weights/mesonet")
    parser.add_argument("--engine-bench", default=".build/release/engine-bench")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    images = rng.integers(0, 256, size=(32, 256, 256, 3), dtype=np.uint8)
    tmp = tempfile.mkdtemp(prefix="bench-engine-")
    inputs_path = os.path.join(tmp, "inputs.u8")
    images.tofile(inputs_path)
    floats = np.ascontiguousarray(images.transpose(0, 3, 1, 2).astype(np.float32) / 255)
    print(f"onnxruntime {ort.__version__}, torch {torch.__version__}; {args.seconds:.0f} s per run; "
          f"peak {PEAK_GFLOPS:.0f} GFLOP/s")
    print(f"{'model':<15} {'batch':>5} {'workers':>7} {'ours img/s':>11} {'ORT img/s':>10} {'ratio':>6} "
          f"{'ours GFLOP/s':>13} {'% peak':>7} {'max |Δp|':>9}")
    for name, architecture in MODELS:
        weights = os.path.join(args.weights, f"{name}.safetensors")
        model = meso.load(architecture, load_file(weights))
        flops = flops_per_image(model)
        onnx_path = os.path.join(tmp, f"{name}.onnx")
        export_onnx(model, onnx_path)
        for batch in (1, 32):
            for workers in (1, 2):
                ours, ours_p = ours_rate(args.engine_bench, weights, inputs_path, batch, workers, args.seconds)
                theirs, ort_p = ort_rate(onnx_path, floats[:batch], workers, args.seconds)
                gflops = ours * flops / 1e9
                difference = np.abs(ours_p - ort_p[:len(ours_p)]).max()
                print(f"{architecture:<15} {batch:>5} {workers:>7} {ours:>11.1f} {theirs:>10.1f} {ours / theirs:>6.2f} "
                      f"{gflops:>13.1f} {100 * gflops / PEAK_GFLOPS:>6.1f}% {difference:>9.1e}", flush=True)
        print(f"  ({architecture}: {flops / 1e6:.1f} MFLOP per image)")


if __name__ == "__main__":
    main()
