"""Running `deepfake-scan faces INPUT… --out DIR` over the real-face inputs in batches.

Face detection is the slow part, so each batch's output stays in the work folder with a
marker naming its inputs: a batch already done with the same inputs is not run again, so an
interrupted build resumes. Photos go many to a call (one process start per batch); each
video gets its own call with the video arguments (e.g. --frames 300).
"""

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .borders import blurred_reflect_pad
from .faces_output import FaceRow, read_faces

DONE_MARKER = ".done"
# Real videos that show the same person (data/real-videos/sources.tsv): one identity, so the
# split cannot put the same face in train and val.
SAME_PERSON = {"hdtf_WDA_AOC_000": "AOC", "vexpress_AOC_gt": "AOC"}


@dataclass(frozen=True)
class Job:
    """One input: its identity label, the original file, and what the faces command reads
    (a padded copy for UTKFace, else the original)."""

    source: str
    identity: str
    original: Path
    input: Path

    @property
    def is_video(self) -> bool:
        return self.source == "video"


@dataclass(frozen=True)
class Batch:
    """Inputs handled by one faces call, writing into `faces_dir`."""

    jobs: tuple[Job, ...]
    faces_dir: Path

    @property
    def is_video(self) -> bool:
        return self.jobs[0].is_video

    def marker_text(self) -> str:
        return "\n".join(str(job.input) for job in self.jobs) + "\n"

    def is_done(self) -> bool:
        marker = self.faces_dir / DONE_MARKER
        return marker.exists() and marker.read_text() == self.marker_text()


def list_jobs(shared: Path, work: Path, sources: list[str], limit: int | None) -> list[Job]:
    """Inputs per source in sorted order; `limit` keeps the first N identities of each."""
    faces = shared / "data" / "faces"
    jobs: list[Job] = []
    if "lfw" in sources:
        people = sorted(p for p in (faces / "lfw-deepfunneled").iterdir() if p.is_dir())[:limit]
        for person in people:
            jobs += [Job("lfw", f"lfw:{person.name}", photo, photo) for photo in sorted(person.glob("*.jpg"))]
    if "utkface" in sources:
        for photo in sorted((faces / "utkface-adults").glob("*.jpg"))[:limit]:
            name = photo.name.removesuffix(".jpg.chip.jpg").removesuffix(".jpg")
            jobs.append(Job("utkface", f"utkface:{name}", photo, work / "utkface-padded" / f"{name}.png"))
    if "video" in sources:
        for video in sorted((shared / "data" / "real-videos").glob("*.mp4"))[:limit]:
            jobs.append(Job("video", f"video:{SAME_PERSON.get(video.stem, video.stem)}", video, video))
    return jobs


def make_batches(jobs: list[Job], work: Path, photos_per_call: int) -> list[Batch]:
    """Photos of a source in consecutive groups; each video alone."""
    batches: list[Batch] = []
    for source in dict.fromkeys(job.source for job in jobs):
        members = [job for job in jobs if job.source == source]
        if source == "video":
            batches += [Batch((job,), work / "video" / job.original.stem) for job in members]
            continue
        for number, start in enumerate(range(0, len(members), photos_per_call)):
            group = tuple(members[start : start + photos_per_call])
            batches.append(Batch(group, work / source / f"batch-{number:05d}"))
    return batches


def faces_command(batch: Batch, template: str, binary: str, video_args: str) -> list[str]:
    """The template's words with {binary} and {out} filled in; the word {inputs} becomes
    one word per input."""
    words: list[str] = []
    for word in shlex.split(template):
        if word == "{inputs}":
            words += [str(job.input) for job in batch.jobs]
        else:
            words.append(word.format(binary=binary, out=str(batch.faces_dir)))
    return words + (shlex.split(video_args) if batch.is_video else [])


def run_batch(batch: Batch, template: str, binary: str, video_args: str, utk_pad: float) -> str | None:
    """Run the faces command for one batch unless done; returns a message when it failed or
    succeeded only in part, else None. Exit 1 with faces.jsonl written means some inputs
    failed (the project's convention: every other row still written): the batch is kept."""
    if batch.is_done():
        return None
    batch.faces_dir.mkdir(parents=True, exist_ok=True)
    for job in batch.jobs:
        if job.input != job.original and not job.input.exists():
            job.input.parent.mkdir(parents=True, exist_ok=True)
            photo = np.asarray(Image.open(job.original).convert("RGB"))
            Image.fromarray(blurred_reflect_pad(photo, utk_pad)).save(job.input, compress_level=1)  # fast; read once
    (batch.faces_dir / "faces.jsonl").unlink(missing_ok=True)  # never read a stale list
    done = subprocess.run(faces_command(batch, template, binary, video_args), capture_output=True, text=True)
    partial = done.returncode == 1 and (batch.faces_dir / "faces.jsonl").exists()
    if done.returncode != 0 and not partial:
        return f"{batch.faces_dir}: failed, exit {done.returncode}: {done.stderr.strip()[-300:]}"
    (batch.faces_dir / DONE_MARKER).write_text(batch.marker_text())
    return f"{batch.faces_dir}: partly failed: {done.stderr.strip()[-300:]}" if partial else None


def rows_per_job(batch: Batch) -> dict[Job, list[FaceRow]]:
    """The batch's faces.jsonl rows, by input: a single-input batch owns every row; otherwise
    each row's `video` field (`source` in older files) names its input (as given, or by file name)."""
    rows = read_faces(batch.faces_dir)
    if len(batch.jobs) == 1:
        return {batch.jobs[0]: rows}
    by_path = {str(job.input): job for job in batch.jobs} | {job.input.name: job for job in batch.jobs}
    owned: dict[Job, list[FaceRow]] = {job: [] for job in batch.jobs}
    for row in rows:
        job = None if row.video is None else by_path.get(row.video) or by_path.get(Path(row.video).name)
        if job is None:
            raise ValueError(f"{batch.faces_dir}/faces.jsonl: face of unknown input {row.video!r}")
        owned[job].append(row)
    return owned
