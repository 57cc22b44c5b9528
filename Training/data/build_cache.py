"""Build the training-crop cache from the real faces in ../shared with the project's own
`deepfake-scan faces`, so training and scanning see identically aligned crops:

    python -m Training.data.build_cache --shared ../shared --out out/cache \
        --binary .build/release/deepfake-scan

The faces command runs in resumable batches into --work (faces_runner.py); then each
input's labelled face is chosen, crops mostly made of edge fill are dropped, and the crops
are packed into --out (cache.py) with an identity-held-out split.

Sources and identities (train/val split by identity, cache.assign_splits):
  lfw      data/faces/lfw-deepfunneled/PERSON/*.jpg   identity = PERSON
  utkface  data/faces/utkface-adults/*.jpg            identity = the file (no names given);
           the photo is first padded with a blurred mirror image (borders.py) because it is
           a tight crop and margin 1.3 would reach past it
  video    data/real-videos/*.mp4                     identity = the person (SAME_PERSON), else
           the video; the faces of its longest track over the sampled frames (--video-args)
"""

import argparse
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from .borders import outside_share
from .cache import Crop, assign_splits, write_cache
from .faces_output import FaceRow, photo_subject, video_subject
from .faces_runner import Job, list_jobs, make_batches, rows_per_job, run_batch

DEFAULT_COMMAND = "{binary} faces {inputs} --out {out}"


def chosen_faces(job: Job, rows: list[FaceRow]) -> list[FaceRow]:
    """The faces of `job` that carry its identity label."""
    if job.is_video:
        return video_subject(rows)
    with Image.open(job.input) as image:
        subject = photo_subject(rows, image.size)
    return [] if subject is None else [subject]


def outside_shares(job: Job, row: FaceRow, utk_pad: float) -> tuple[float, float] | None:
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
    batches = make_batches(jobs, args.work, args.photos_per_call)
    print(f"{len(jobs)} inputs in {len(batches)} faces calls ({args.jobs} at a time) into {args.work}", file=sys.stderr)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        run = lambda batch: run_batch(batch, args.command, args.binary, args.video_args, args.utk_pad)  # noqa: E731
        problems = [problem for problem in pool.map(run, batches) if problem]
    for problem in problems[:20]:
        print(f"faces: {problem}", file=sys.stderr)
    selected: list[tuple[Job, list[FaceRow]]] = []
    for batch in (b for b in batches if b.is_done()):
        selected += [(job, chosen_faces(job, rows)) for job, rows in rows_per_job(batch).items()]
    inputs_done, without_face = len(selected), sum(1 for _, rows in selected if not rows)
    selected, borders = keep_inside([(job, rows) for job, rows in selected if rows], args.utk_pad, args.max_outside)
    splits = assign_splits({job.identity: job.source for job, _ in selected}, args.val_fraction, args.salt)
    notes = {
        "faces_command": args.command,
        "video_args": args.video_args,
        "utkface_border": f"blurred mirror padding, fraction {args.utk_pad} per side, before detection",
        "val_fraction": args.val_fraction,
        "salt": args.salt,
        "inputs": len(jobs),
        "faces_calls_failed": sum(1 for b in batches if not b.is_done()),
        "faces_calls_partial": sum(1 for problem in problems if "partly failed" in problem),
        "inputs_done": inputs_done,
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
    parser.add_argument("--command", default=DEFAULT_COMMAND,
                        help="faces command; {binary} and {out} are filled in, the word {inputs} becomes the inputs")
    parser.add_argument("--photos-per-call", type=int, default=200, help="photos given to one faces call")
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
    if min(args.jobs, args.shard_size, args.photos_per_call) < 1 or not 0.0 < args.utk_pad < 1.0:
        parser.error("--jobs, --shard-size and --photos-per-call must be ≥ 1, --utk-pad in (0, 1)")
    return args


def main(argv: list[str] | None = None) -> None:
    build(parse_args(argv))


if __name__ == "__main__":
    main()
