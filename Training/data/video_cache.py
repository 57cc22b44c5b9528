"""Crops of labelled videos for video-domain training: every video of
data/train-videos (real and fake) and data/real-videos, each twice — as published and after a
real H.264 re-encode at a lower resolution — aligned by `deepfake-scan faces`.

    python -m Training.data.video_cache --shared ../shared --out out/video-cache \
        --binary .build/release/deepfake-scan [--frames 32] [--jobs 2]

The re-encode (scale 0.35–0.75 of the frame, CRF 28–40, one draw per video from a hash of its
path) is applied to both classes alike, so compression and low resolution are never a cue for
either label; the crops of a re-encoded copy carry real codec blocking and upscaling blur.

Layout of the output folder:
  videos.tsv              index, path, label, method, group key, split
  crops/NNNN-VARIANT.npz  images N×256×256×3 uint8, landmarks N×5×2 float32 (the video's
                          longest track, one face per frame); written once, so a rerun resumes
  work/                   the re-encoded copies and the faces command's output
Split: a video is in val when a salted hash of its group key falls below --val-fraction; the key
is the labels' `group` (a fake and its real source) or else the folder and the stem without
clip/take suffixes, so clips of one person stay on one side.
"""
import argparse
import csv
import hashlib
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .cache import identity_hash
from .faces_output import read_faces, video_subject

VARIANTS = ("asis", "reencoded")
SUFFIXES = re.compile(r"(_clip\d+.*|_front_.*|_\d+|_short|-backward)$")


@dataclass(frozen=True)
class LabelledVideo:
    index: int
    path: Path
    name: str        # path relative to ../shared/data
    label: int       # 1 = fake
    method: str
    group_key: str


def group_key(name: str, group: str) -> str:
    if group:
        return group
    folder, _, file = name.rpartition("/")
    return f"{folder}/{SUFFIXES.sub('', Path(file).stem)}"


def list_videos(shared: Path) -> list[LabelledVideo]:
    """train-videos (labels.tsv) then real-videos (sources.tsv), in file order."""
    rows = []
    for folder, table in (("train-videos", "labels.tsv"), ("real-videos", "sources.tsv")):
        with open(shared / "data" / folder / table, newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                name = f"{folder}/{row['path']}"
                rows.append((name, row["label"], row.get("method") or "original", row.get("group") or ""))
    return [LabelledVideo(i, shared / "data" / name, name, int(label == "fake"), method, group_key(name, group))
            for i, (name, label, method, group) in enumerate(rows)]


def reencode_settings(name: str) -> tuple[float, int]:
    """(scale, CRF) drawn from the path's hash: the same on every rebuild."""
    draw = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    rng = np.random.default_rng(draw)
    return float(rng.uniform(0.35, 0.75)), int(rng.integers(28, 41))


def reencode(video: LabelledVideo, out: Path) -> Path:
    """An H.264 copy at a lower resolution (even sides, at least 64 px), audio dropped."""
    if out.exists():
        return out
    scale, crf = reencode_settings(video.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".part.mp4")
    size = f"scale='max(64,trunc(iw*{scale:.3f}/2)*2)':'max(64,trunc(ih*{scale:.3f}/2)*2)'"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(video.path), "-vf", size, "-an", "-c:v", "libx264",
                    "-preset", "veryfast", "-crf", str(crf), "-pix_fmt", "yuv420p", str(partial)], check=True)
    partial.rename(out)
    return out


def extract(video: LabelledVideo, variant: str, args: argparse.Namespace) -> str:
    """Crops of one video variant into crops/NNNN-VARIANT.npz; returns a line for the log."""
    target = args.out / "crops" / f"{video.index:04d}-{variant}.npz"
    if target.exists():
        return f"{target.name}: kept"
    source = video.path if variant == "asis" else reencode(video, args.out / "work" / f"{video.index:04d}.mp4")
    faces_dir = args.out / "work" / f"{video.index:04d}-{variant}"
    done = subprocess.run([args.binary, "faces", str(source), "--out", str(faces_dir), "--frames", str(args.frames)],
                          capture_output=True, text=True)
    if done.returncode != 0 or not (faces_dir / "faces.jsonl").exists():
        return f"{video.name} {variant}: faces failed, exit {done.returncode}: {done.stderr.strip()[-200:]}"
    rows = video_subject(read_faces(faces_dir))
    if not rows:
        return f"{video.name} {variant}: no face"
    images = np.stack([np.asarray(Image.open(row.crop).convert("RGB")) for row in rows])
    landmarks = np.stack([row.landmarks for row in rows]).astype(np.float32)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part.npz")
    np.savez(partial, images=images, landmarks=landmarks)
    partial.rename(target)
    return f"{target.name}: {len(rows)} crops"


def write_index(videos: list[LabelledVideo], out: Path, val_fraction: float) -> None:
    with open(out / "videos.tsv", "w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "path", "label", "method", "group_key", "split"])
        for video in videos:
            split = "val" if identity_hash(video.group_key, "video-cache") < val_fraction else "train"
            writer.writerow([video.index, video.name, video.label, video.method, video.group_key, split])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--binary", default=".build/release/deepfake-scan")
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--val-fraction", type=float, default=0.2)
    args = parser.parse_args(argv)
    videos = list_videos(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    write_index(videos, args.out, args.val_fraction)
    work = [(video, variant) for video in videos for variant in VARIANTS]
    with ThreadPoolExecutor(args.jobs) as pool:
        for line in pool.map(lambda item: extract(item[0], item[1], args), work):
            print(line, flush=True)


if __name__ == "__main__":
    main()
