"""Reading what `deepfake-scan faces INPUT… --out DIR` writes: aligned 256×256 PNG crops and
DIR/faces.jsonl, one JSON object per face, in the face-row schema `scan --jsonl` also writes
(docs/output-format.md; Reports/FaceCropLine.swift) plus the faces command's own keys:
  {"box": {"h": h, "w": w, "x": x, "y": y}, "crop": "STEM/f000012-t0.png",
   "crop_landmarks": [[x, y] × 5], "frame_index": 12, "landmarks": [[x, y] × 5],
   "score": 0.98, "seconds": 0.48, "track": 0, "video": "INPUT as given"}
with box and landmarks in the input's pixels, crop_landmarks in crop pixels.

Files written before the schema was shared spell three keys differently — "source" for
"video", "frame" for "frame_index", "box" as [x, y, w, h] — and caches built then still hold
them, so both spellings are read (`FACES_JSONL_KEYS`, the single place to adjust; it also
takes a few other spellings). When a crop-specific landmarks key is present, a plain
"landmarks" is taken as the frame's.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FACES_JSONL_KEYS = {
    "crop": ("crop", "crop_file", "cropFile", "file"),
    "video": ("video", "source", "input", "path"),
    "landmarks": ("crop_landmarks", "cropLandmarks", "landmarks_crop"),
    "frame_landmarks": ("frame_landmarks", "frameLandmarks", "source_landmarks"),
    "score": ("score", "confidence"),
    "box": ("box", "bbox"),
    "track": ("track", "track_id", "trackID", "trackId", "track_index"),
    "frame_index": ("frame_index", "frame", "frameIndex"),
}


@dataclass(frozen=True)
class FaceRow:
    """One aligned face: crop PNG, 5 landmarks in crop pixels, detector score, box in the
    input's pixels (x, y, w, h) when given, track id and frame index when given, and the 5
    landmarks in the input's pixels and the input's path (`video`, also for a photo) when given."""

    crop: Path
    landmarks: np.ndarray
    frame_landmarks: np.ndarray | None
    score: float
    box: tuple[float, float, float, float] | None
    track: int | None
    frame_index: int | None
    video: str | None = None


def _pick(obj: dict, field: str, required: bool = True):
    for key in FACES_JSONL_KEYS[field]:
        if key in obj:
            return obj[key]
    if required:
        raise ValueError(f"faces.jsonl line has no {field} (tried {FACES_JSONL_KEYS[field]}): {sorted(obj)}")
    return None


def _points(value) -> np.ndarray:
    """[[x, y] × 5], [x0, y0, …, x4, y4] or [{"x": …, "y": …} × 5] → 5×2."""
    if value and isinstance(value[0], dict):
        value = [[p["x"], p["y"]] for p in value]
    points = np.asarray(value, dtype=np.float32).reshape(-1, 2)
    if points.shape != (5, 2):
        raise ValueError(f"expected 5 landmarks, got {points.shape[0]}")
    return points


def _box(value) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = [value["x"], value["y"], value.get("width", value.get("w")), value.get("height", value.get("h"))]
    x, y, w, h = (float(v) for v in value)
    return (x, y, w, h)


def read_faces(directory: Path) -> list[FaceRow]:
    """Every face in `directory`/faces.jsonl, crop paths resolved against `directory`."""
    directory = Path(directory)
    rows = []
    for number, line in enumerate((directory / "faces.jsonl").read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            track, frame = _pick(obj, "track", False), _pick(obj, "frame_index", False)
            crop_points = _pick(obj, "landmarks", False)
            frame_points = _pick(obj, "frame_landmarks", False)
            if crop_points is None:  # only one set given: it is the crop's
                crop_points = obj.get("landmarks")
                if crop_points is None:
                    raise ValueError(f"no landmarks (tried {FACES_JSONL_KEYS['landmarks']} and 'landmarks')")
            elif frame_points is None:
                frame_points = obj.get("landmarks")
            rows.append(
                FaceRow(
                    crop=directory / _pick(obj, "crop"),
                    landmarks=_points(crop_points),
                    frame_landmarks=None if frame_points is None else _points(frame_points),
                    score=float(_pick(obj, "score", False) or 0.0),
                    box=_box(_pick(obj, "box", False)),
                    track=None if track is None else int(track),
                    frame_index=None if frame is None else int(frame),
                    video=_pick(obj, "video", False),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{directory / 'faces.jsonl'}:{number}: {error}") from error
    return rows


def photo_subject(rows: list[FaceRow], image_size: tuple[int, int]) -> FaceRow | None:
    """The face a photo is labelled with: the one whose box centre is nearest the photo's
    centre (LFW and UTKFace centre their subject; bystanders and the blurred mirror images
    of the border padding lie off centre); the best score when no box is given."""
    if not rows:
        return None
    width, height = image_size
    if any(row.box is None for row in rows):
        return max(rows, key=lambda row: row.score)

    def off_centre(row: FaceRow) -> float:
        x, y, w, h = row.box
        return float(np.hypot(x + w / 2 - width / 2, y + h / 2 - height / 2))

    return min(rows, key=off_centre)


def video_subject(rows: list[FaceRow]) -> list[FaceRow]:
    """Faces of a video's main person: the track with the most faces (ties: lower id), one
    face per frame index (asking for more frames than a clip has may repeat frames).
    Without track ids every face is kept (the real videos show one person)."""
    if rows and all(row.track is not None for row in rows):
        counts: dict[int, int] = {}
        for row in rows:
            counts[row.track] = counts.get(row.track, 0) + 1
        main = min(counts, key=lambda track: (-counts[track], track))
        rows = [row for row in rows if row.track == main]
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row.frame_index is None or row.frame_index not in seen:
            unique.append(row)
        if row.frame_index is not None:
            seen.add(row.frame_index)
    return unique
