"""`make bench-scan`: throughput, per-stage time split and peak memory of `deepfake-scan scan`.

    python3 Training/bench/bench_scan.py --binary .build/release/deepfake-scan \
        --weights .build-weights/mesonet/Meso4_DF.safetensors --videos ../shared/data/dev-videos

Runs the release binary (Meso-4, 32 frames, fresh store each run) on the dev videos with
--jobs 1 and --jobs 2, then with --jobs 1 on two generated 4K clips (a plain test pattern and
Samples/astronaut_real.mp4 scaled up, so the face stage sees a 4K frame with a face). Prints one
table: videos/min, the stages' own totals (summed over videos, from the scan's summary), wall
time over the slowest stage's total, the --jobs 2 speed-up, and peak RSS of the whole process
(the kernel's ru_maxrss of the child). Standard library only, so it needs no venv.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

STAGES = ("decode", "faces", "model", "other")
RSS_GOAL_MIB = 1024
OVERLAP_GOAL = 1.3
SPEEDUP_GOAL = 1.7


def make_4k_clips(folder: str, astronaut: str) -> None:
    """Two 4K (3840x2160) H.264 clips: a plain test pattern and the astronaut scaled up and padded."""
    os.makedirs(folder, exist_ok=True)
    plain = os.path.join(folder, "testsrc2_4k.mp4")
    face = os.path.join(folder, "astronaut_4k.mp4")
    common = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an", "-loglevel", "error", "-y"]
    if not os.path.exists(plain):
        subprocess.run(["ffmpeg", "-f", "lavfi", "-i", "testsrc2=size=3840x2160:rate=25", "-t", "4", *common, plain],
                       check=True)
    if not os.path.exists(face):
        scale = "scale=2160:2160:flags=bicubic,pad=3840:2160:(ow-iw)/2:0"
        subprocess.run(["ffmpeg", "-i", astronaut, "-vf", scale, *common, face], check=True)


def parse_summary(text: str) -> dict:
    """The scan summary's `Time:` and `Stages:` lines as numbers."""
    found = {}
    time_line = re.search(r"Time:\s+(\d+) videos? analysed in ([\d.]+) s", text)
    stages_line = re.search(r"Stages:\s+(.*)", text)
    if not time_line or not stages_line:
        raise RuntimeError("no timing in the scan's summary:\n" + text)
    found["videos"] = int(time_line.group(1))
    found["scan_wall"] = float(time_line.group(2))
    for name in STAGES:
        match = re.search(name + r" ([\d.]+) s", stages_line.group(1))
        found[name] = float(match.group(1))
    return found


def scan(binary: str, weights: str, target: str, jobs: int, frames: int, work: str) -> dict:
    """One scan in a fresh folder (so nothing is reused from a store), timed from outside."""
    folder = tempfile.mkdtemp(dir=work)
    command = [binary, "scan", target, "--recursive", "--weights", weights, "--frames", str(frames),
               "--jobs", str(jobs), "--csv", os.path.join(folder, "scan.csv")]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {code}:\n{output}")
    result = parse_summary(output)
    result.update(process_wall=wall, rss_mib=usage.ru_maxrss / 1024, cpu=usage.ru_utime + usage.ru_stime, exit=code)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def median_run(runs: list) -> dict:
    """Each figure's median over repeated runs."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def row(label: str, run: dict) -> str:
    slowest_name = max(STAGES[:3], key=lambda name: run[name])
    slowest = run[slowest_name]
    ratio = run["scan_wall"] / slowest if slowest > 0 else float("nan")
    per_min = run["videos"] / run["process_wall"] * 60
    stages = " | ".join(f"{run[name]:6.1f}" for name in STAGES)
    return (f"| {label:<14} | {run['videos']:3.0f} | {run['process_wall']:6.1f} | {run['scan_wall']:6.1f} | {per_min:7.1f} | "
            f"{stages} | "
            f"{slowest_name:<6} {ratio:5.2f} | {run['cpu']:6.1f} | {run['rss_mib']:7.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=".build/release/deepfake-scan")
    parser.add_argument("--weights", default=".build-weights/mesonet/Meso4_DF.safetensors")
    parser.add_argument("--videos", default="../shared/data/dev-videos")
    parser.add_argument("--astronaut", default="Samples/astronaut_real.mp4")
    parser.add_argument("--work", default="out/bench-scan", help="generated clips and scratch output")
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration; medians are printed")
    args = parser.parse_args()
    for needed in (args.binary, args.weights, args.videos, args.astronaut):
        if not os.path.exists(needed):
            print(f"bench-scan: {needed} is missing", file=sys.stderr)
            return 2
    clips = os.path.join(args.work, "clips-4k")
    make_4k_clips(clips, args.astronaut)

    configurations = [("dev, --jobs 1", args.videos, 1), ("dev, --jobs 2", args.videos, 2), ("4K, --jobs 1", clips, 1)]
    results = {}
    for label, target, jobs in configurations:
        runs = []
        for _ in range(args.repeat):
            runs.append(scan(args.binary, args.weights, target, jobs, args.frames, args.work))
            print(f"  {label}: {runs[-1]['scan_wall']:.1f} s wall, {runs[-1]['rss_mib']:.0f} MiB", file=sys.stderr)
        results[label] = median_run(runs)

    print(f"deepfake-scan scan, Meso-4 ({os.path.basename(args.weights)}), {args.frames} frames, "
          f"medians of {args.repeat} run(s), {os.cpu_count()} CPUs")
    print("process s: the whole process (vid/min uses it); scan s: first video started to last finished;")
    print("decode…other: each stage's own time summed over videos (s); slowest: scan s / slowest stage's total")
    print("| run            | vid | process s | scan s | vid/min | decode | faces | model | other | slowest, ratio | cpu s | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, run in results.items():
        print(row(label, run))
    one, two = results["dev, --jobs 1"], results["dev, --jobs 2"]
    speedup = one["process_wall"] / two["process_wall"]
    overlap = one["scan_wall"] / max(one[name] for name in STAGES[:3])
    peak = max(run["rss_mib"] for run in results.values())
    print(f"goals: --jobs 1 wall / slowest stage {overlap:.2f} (goal <= {OVERLAP_GOAL}); "
          f"--jobs 2 speed-up {speedup:.2f}x (goal >= {SPEEDUP_GOAL}); "
          f"peak RSS {peak:.0f} MiB (goal < {RSS_GOAL_MIB})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
