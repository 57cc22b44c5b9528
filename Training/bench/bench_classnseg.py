"""ClassNSeg throughput: the Swift engine (engine-bench) vs PyTorch on the same weights and crops.

    python -m Training.bench.bench_classnseg --weights .build-weights/classnseg/classnseg-full.safetensors \
        --engine-bench .build/release/engine-bench

Crops per CPU-second, one thread each (torch.set_num_threads(1), timed by process_time;
engine-bench 1 worker, whose OpenBLAS runs one thread, timed by the child's user + system time): "classify" is the encoder and the activation read-out (what `scan`
runs), "masks" adds the shared decoder and the segmentation branch (`scan --masks`); neither runs
the reconstruction branch. PyTorch is timed on ready float tensors at batch 1 and 32, ours on
uint8 crops (the conversion included), one crop at a time. Rounds alternate ours / PyTorch so
that load from other processes hits both alike; the table gives the median round.
"""
import argparse
import json
import resource
import statistics
import subprocess
import tempfile
import time

import numpy as np
import torch
from safetensors.torch import load_file

from Training.models.classnseg import ClassNSeg, to_input

BATCH = 8  # crops per engine-bench call (the engine runs them one at a time either way)


def load(path: str) -> ClassNSeg:
    model = ClassNSeg().eval()
    model.load_flat(load_file(path), strict=False)
    return model


def torch_rate(model: ClassNSeg, x: torch.Tensor, masks: bool, seconds: float) -> float:
    def step():
        latent = model.encoder(x)
        a = model.activations(latent)
        if masks:
            keep = torch.eye(2)[(a[:, 1] >= a[:, 0]).long()]
            halves = latent.reshape(len(x), 2, 64, 16, 16) * keep[:, :, None, None, None]
            model.decoder.segmenter(model.decoder.shared(halves.reshape(latent.shape)))
        return torch.sigmoid(a[:, 0] - a[:, 1])
    with torch.no_grad():
        step()
        done, start = 0, time.process_time()
        while time.process_time() - start < seconds:
            step()
            done += len(x)
        return done / (time.process_time() - start)


def ours_rate(engine: str, weights: str, inputs: str, masks: bool, seconds: float) -> float:
    """Crops per CPU-second of the whole engine-bench process (user + system time of the child,
    loading and warm-up included), sized from a one-second probe to run about `seconds`."""
    command = [engine, "--weights", weights, "--inputs", inputs, "--batch", str(BATCH)] + (["--masks"] if masks else [])
    probe = subprocess.run(command + ["--seconds", "1"], check=True, capture_output=True, text=True).stdout
    iterations = max(1, round(seconds * json.loads(probe.strip().splitlines()[-1])["images_per_s"] / BATCH))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command + ["--iterations", str(iterations)], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (iterations + 1) * BATCH / cpu  # + the warm-up batch


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", required=True)
    parser.add_argument("--engine-bench", required=True)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rng = np.random.default_rng(18)
    crops = rng.integers(0, 256, size=(32, 256, 256, 3), dtype=np.uint8)
    model = load(args.weights)
    print(f"torch {torch.__version__}, 1 thread; engine-bench 1 worker; median of {args.rounds} rounds")
    print("| mode | ours crops/CPU-s | PyTorch batch 1 | PyTorch batch 32 | ours / best PyTorch |")
    print("|---|---|---|---|---|")
    with tempfile.NamedTemporaryFile(suffix=".rgb") as raw:
        raw.write(crops.tobytes())
        raw.flush()
        for masks in (False, True):
            ours, one, many = [], [], []
            for _ in range(args.rounds):
                ours.append(ours_rate(args.engine_bench, args.weights, raw.name, masks, args.seconds))
                one.append(torch_rate(model, to_input(torch.from_numpy(crops[:1])), masks, args.seconds))
                many.append(torch_rate(model, to_input(torch.from_numpy(crops)), masks, args.seconds))
            o, p1, p32 = (statistics.median(v) for v in (ours, one, many))
            print(f"| {'classify + masks' if masks else 'classify'} | {o:.1f} | {p1:.1f} | {p32:.1f} | {o / max(p1, p32):.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
