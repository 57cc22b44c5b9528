"""Build the training-crop cache from the real faces in ../shared with the project's own
`deepfake-scan faces`, so training and scanning see identically aligned crops:

    python -m Training.data.build_cache --shared ../shared --out out/cache \
        --binary .build/release/deepfake-scan

Face detection is the slow part, so each input's faces go to --work (default
out/faces-work/<source>/<name>/) and an input already done is not run again: an
interrupted build resumes. Then the crops are packed into --out (see cache.py).

Sources and identities (train/val split by identity, cache.assign_splits):
  lfw      data/faces/lfw-deepfunneled/PERSON/*.jpg   identity = PERSON
  utkface  data/faces/utkface-adults/*.jpg            identity = the file (no names given);
           the photo is first padded with a blurred mirror image (borders.py) because it is
           a tight crop and margin 1.3 would reach past it
  video    data/real-videos/*.mp4                     identity = the person (SAME_PERSON), else
           the video; the faces of its longest track over the sampled frames (--video-args)
"""

import argparse
import shlex
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .borders import blurred_reflect_pad, outside_share
from .cache import Crop, assign_splits, write_cache
from .faces_output import photo_subject, read_faces, video_subject

DEFAULT_COMMAND = "{binary} faces {input} --out {out}"
# Real videos that show the same person (data/real-videos/sources.tsv): one identity, so the
# split cannot put the same face in train and val.
SAME_PERSON = {"hdtf_WDA_AOC_000": "AOC", "vexpress_AOC_gt": "AOC"}
DONE_MARKER = ".done"


@dataclass(frozen=True)
class Job:
    """One input for the faces command and where its output goes."""

    source: str
    identity: str
    original: Path
    faces_dir: Path
    is_video: bool = False

    @property
    def input(self) -> Path:
        """What the faces command reads: the padded copy for UTKFace, else the original."""
        return self.faces_dir.parent / f"{self.faces_dir.name}.png" if self.source == "utkface" else self.original


def list_jobs(shared: Path, work: Path, sources: list[str], limit: int | None) -> list[Job]:
    """Inputs per source in sorted order; `limit` keeps the first N identities of each."""
    faces = shared / "data" / "faces"
    jobs: list[Job] = []
    if "lfw" in sources:
        people = sorted(p for p in (faces / "lfw-deepfunneled").iterdir() if p.is_dir())[:limit]
        for person in people:
            for photo in sorted(person.glob("*.jpg")):
                jobs.append(Job("lfw", f"lfw:{person.name}", photo, work / "lfw" / person.name / photo.stem))
    if "utkface" in sources:
        for photo in sorted((faces / "utkface-adults").glob("*.jpg"))[:limit]:
            name = photo.name.removesuffix(".jpg.chip.jpg").removesuffix(".jpg")
            jobs.append(Job("utkface", f"utkface:{name}", photo, work / "utkface" / name))
    if "video" in sources:
        for video in sorted((shared / "data" / "real-videos").glob("*.mp4"))[:limit]:
            person = SAME_PERSON.get(video.stem, video.stem)
            jobs.append(Job("video", f"video:{person}", video, work / "video" / video.stem, is_video=True))
    return jobs


def faces_command(job: Job, template: str, binary: str, video_args: str) -> list[str]:
    words = [w.format(binary=binary, input=str(job.input), out=str(job.faces_dir)) for w in shlex.split(template)]
    return words + (shlex.split(video_args) if job.is_video else [])


def run_faces(job: Job, template: str, binary: str, video_args: str, utk_pad: float) -> str | None:
    """Run the faces command for one input unless already done; returns an error or None."""
    if (job.faces_dir / DONE_MARKER).exists():
        return None
    job.faces_dir.mkdir(parents=True, exist_ok=True)
    if job.source == "utkface":
        photo = np.asarray(Image.open(job.original).convert("RGB"))
        Image.fromarray(blurred_reflect_pad(photo, utk_pad)).save(job.input)
    command = faces_command(job, template, binary, video_args)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return f"{job.original}: exit {done.returncode}: {done.stderr.strip()[-300:]}"
    (job.faces_dir / DONE_MARKER).write_text(" ".join(command) + "\n")
    return None


def chosen_faces(job: Job):
    """The faces of `job` that carry its identity label."""
    rows = read_faces(job.faces_dir)
    if job.is_video:
        return video_subject(rows)
    with Image.open(job.input) as image:
        subject = photo_subject(rows, image.size)
    return [] if subject is None else [subject]


def outside_shares(job: Job, row, utk_pad: float) -> tuple[float, float] | None:
    """Share of a photo crop outside the input the faces command was given (edge-repeated
    fill) and outside the original photo (for UTKFace, the blurred padding); None for video
    faces and when faces.jsonl has no frame landmarks."""
    if job.is_video or row.frame_landmarks is None:
        return None
    with Image.open(job.original) as original:
        width, height = original.size
    pad_x, pad_y = (round(width * utk_pad), round(height * utk_pad)) if job.source == "utkface" else (0, 0)
    given = outside_share(row.landmarks, row.frame_landmarks, (width + 2 * pad_x, height + 2 * pad_y))
    photo = outside_share(row.landmarks, row.frame_landmarks - [pad_x, pad_y], (width, height))
    return given, photo


def keep_inside(selected: list[tuple[Job, list]], utk_pad: float, max_outside: float) -> tuple[list, dict]:
    """Drop photo crops with more than `max_outside` of their area in edge-repeated fill
    (mostly misdetections, or faces cut by the photo edge) and report, per photo source,
    how much of the kept crops lies outside the input and outside the original photo."""
    kept, shares, dropped = [], {}, {}
    for job, rows in selected:
        good = []
        for row in rows:
            measured = outside_shares(job, row, utk_pad)
            if measured is not None and measured[0] > max_outside:
                dropped[job.source] = dropped.get(job.source, 0) + 1
                continue
            if measured is not None:
                shares.setdefault(job.source, []).append(measured)
            good.append(row)
        if good:
            kept.append((job, good))
    report = {
        source: {
            "crops": len(values),
            "dropped": dropped.get(source, 0),
            "outside_input_mean": round(float(np.mean([v[0] for v in values])), 4),
            "outside_input_max": round(float(np.max([v[0] for v in values])), 4),
            "outside_photo_mean": round(float(np.mean([v[1] for v in values])), 4),
        }
        for source, values in shares.items()
    }
    return kept, report


def load_crops(selected: list[tuple[Job, list]]) -> Iterator[Crop]:
    for job, rows in selected:
        for row in rows:
            image = np.asarray(Image.open(row.crop).convert("RGB"))
            yield Crop(image, row.landmarks, job.identity, job.source)


def build(args: argparse.Namespace) -> dict:
    jobs = list_jobs(args.shared, args.work, args.sources, args.limit)
    if not jobs:
        raise SystemExit(f"no inputs found under {args.shared} for sources {args.sources}")
    print(f"{len(jobs)} inputs; running faces ({args.jobs} at a time) into {args.work}", file=sys.stderr)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        errors = [e for e in pool.map(lambda j: run_faces(j, args.command, args.binary, args.video_args, args.utk_pad), jobs) if e]
    for error in errors[:20]:
        print(f"faces failed: {error}", file=sys.stderr)
    done = [job for job in jobs if (job.faces_dir / DONE_MARKER).exists()]
    selected = [(job, chosen_faces(job)) for job in done]
    without_face = sum(1 for _, rows in selected if not rows)
    selected, borders = keep_inside([(job, rows) for job, rows in selected if rows], args.utk_pad, args.max_outside)
    splits = assign_splits({job.identity: job.source for job, _ in selected}, args.val_fraction, args.salt)
    notes = {
        "faces_command": args.command,
        "video_args": args.video_args,
        "utkface_border": f"blurred mirror padding, fraction {args.utk_pad} per side, before detection",
        "val_fraction": args.val_fraction,
        "salt": args.salt,
        "inputs": len(jobs),
        "inputs_failed": len(errors),
        "inputs_without_face": without_face,
        "borders": borders,
    }
    manifest = write_cache(load_crops(selected), args.out, splits, args.shard_size, notes)
    print(f"cache in {args.out}: {manifest['counts']}", file=sys.stderr)
    return manifest


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("out/cache"), help="cache directory")
    parser.add_argument("--work", type=Path, default=Path("out/faces-work"), help="faces output, kept to resume")
    parser.add_argument("--binary", default=".build/release/deepfake-scan")
    parser.add_argument("--command", default=DEFAULT_COMMAND, help="faces command; {binary} {input} {out} are filled in")
    parser.add_argument("--video-args", default="--frames 300", help="extra faces arguments for videos "
                        "(the real clips have 62–303 frames: 300 takes about all of them)")
    parser.add_argument("--sources", default="lfw,utkface,video", type=lambda s: s.split(","))
    parser.add_argument("--limit", type=int, default=None, help="first N identities per source (quick builds)")
    parser.add_argument("--jobs", type=int, default=2, help="faces commands run at once")
    parser.add_argument("--utk-pad", type=float, default=0.6, help="UTKFace padding, fraction of the side")
    parser.add_argument("--max-outside", type=float, default=0.25,
                        help="drop photo crops with more than this share in edge-repeated fill")
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--salt", default="deepfake-scan", help="changes which identities are held out")
    parser.add_argument("--shard-size", type=int, default=1024)
    args = parser.parse_args(argv)
    unknown = set(args.sources) - {"lfw", "utkface", "video"}
    if unknown:
        parser.error(f"unknown sources: {sorted(unknown)}")
    if args.jobs < 1 or args.shard_size < 1 or not 0.0 < args.utk_pad < 1.0:
        parser.error("--jobs and --shard-size must be ≥ 1, --utk-pad in (0, 1)")
    return args


def main(argv: list[str] | None = None) -> None:
    build(parse_args(argv))


if __name__ == "__main__":
    main()
