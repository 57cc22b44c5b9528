"""The training-crop cache: aligned real faces packed into uint8 shards with their landmarks,
identity and source, split into train and val by identity (never by image), so validation
measures faces of people the model has not seen.

Layout of a cache directory:
  manifest.json          counts, split rule, identities per split, how crops were made
  train-00000.npz ...    images N×256×256×3 uint8, landmarks N×5×2 float32,
  val-00000.npz ...      identity N str, source N str (no pickles)
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SPLITS = ("train", "val")


@dataclass(frozen=True)
class Crop:
    """One aligned face. `identity` is unique across sources (e.g. "lfw:Aaron_Eckhart")."""

    image: np.ndarray
    landmarks: np.ndarray
    identity: str
    source: str


@dataclass
class FaceSet:
    """All crops of one split, in arrays ready for a data loader."""

    images: np.ndarray
    landmarks: np.ndarray
    identities: np.ndarray
    sources: np.ndarray

    def __len__(self) -> int:
        return len(self.images)


def identity_hash(identity: str, salt: str) -> float:
    """A stable number in [0, 1) per identity: the split survives rebuilds and new data."""
    digest = hashlib.sha256(f"{salt}:{identity}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def assign_splits(identity_sources: dict[str, str], val_fraction: float, salt: str = "") -> dict[str, str]:
    """Identity → "train" | "val". An identity goes to val when its hash is below
    `val_fraction`; a source with at least two identities but none in val gets its
    lowest-hash identity moved there, so every source is validated (7 videos would
    otherwise often give no video in val)."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    hashes = {identity: identity_hash(identity, salt) for identity in identity_sources}
    splits = {identity: ("val" if h < val_fraction else "train") for identity, h in hashes.items()}
    by_source: dict[str, list[str]] = {}
    for identity, source in identity_sources.items():
        by_source.setdefault(source, []).append(identity)
    for members in by_source.values():
        if len(members) >= 2 and all(splits[m] == "train" for m in members):
            splits[min(members, key=lambda m: (hashes[m], m))] = "val"
    return splits


@dataclass
class _ShardWriter:
    directory: Path
    split: str
    shard_size: int
    pending: list[Crop] = field(default_factory=list)
    written: int = 0
    shards: int = 0

    def add(self, crop: Crop) -> None:
        self.pending.append(crop)
        if len(self.pending) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        path = self.directory / f"{self.split}-{self.shards:05d}.npz"
        np.savez(
            path,
            images=np.stack([c.image for c in self.pending]).astype(np.uint8),
            landmarks=np.stack([c.landmarks for c in self.pending]).astype(np.float32),
            identity=np.array([c.identity for c in self.pending], dtype=np.str_),
            source=np.array([c.source for c in self.pending], dtype=np.str_),
        )
        self.written += len(self.pending)
        self.shards += 1
        self.pending = []


def write_cache(
    crops: Iterable[Crop],
    directory: Path,
    splits: dict[str, str],
    shard_size: int = 1024,
    notes: dict | None = None,
) -> dict:
    """Stream `crops` into shards under `directory` (old shards there are removed first) and
    write manifest.json; returns the manifest. Every crop's identity must be in `splits`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*-[0-9][0-9][0-9][0-9][0-9].npz"):
        old.unlink()
    writers = {split: _ShardWriter(directory, split, shard_size) for split in SPLITS}
    counts: dict[str, dict[str, int]] = {split: {} for split in SPLITS}
    seen: dict[str, set[str]] = {split: set() for split in SPLITS}
    for crop in crops:
        if crop.image.shape[-1] != 3 or crop.image.dtype != np.uint8 or np.shape(crop.landmarks) != (5, 2):
            raise ValueError(f"bad crop for {crop.identity}: image {crop.image.shape} {crop.image.dtype}")
        split = splits[crop.identity]
        writers[split].add(crop)
        counts[split][crop.source] = counts[split].get(crop.source, 0) + 1
        seen[split].add(crop.identity)
    for writer in writers.values():
        writer.flush()
    manifest = {
        "format": 1,
        "counts": counts,
        "identities": {split: sorted(seen[split]) for split in SPLITS},
        "shards": {split: writers[split].shards for split in SPLITS},
        "notes": notes or {},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def iter_shards(directory: Path, split: str) -> Iterator[dict[str, np.ndarray]]:
    """The shards of one split, in order, each as a dict of arrays."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    for path in sorted(Path(directory).glob(f"{split}-[0-9][0-9][0-9][0-9][0-9].npz")):
        with np.load(path, allow_pickle=False) as shard:
            yield {key: shard[key] for key in shard.files}


def load_split(directory: Path, split: str) -> FaceSet:
    """Every crop of `split` in memory (about 197 kB per crop)."""
    shards = list(iter_shards(directory, split))
    if not shards:
        raise FileNotFoundError(f"no {split} shards in {directory} (build the cache first)")
    return FaceSet(
        images=np.concatenate([s["images"] for s in shards]),
        landmarks=np.concatenate([s["landmarks"] for s in shards]),
        identities=np.concatenate([s["identity"] for s in shards]),
        sources=np.concatenate([s["source"] for s in shards]),
    )


# The still-photo sources; the cache's "video" crops are frames of data/real-videos, which the
# video crop cache splits by its own groups, so a trainer mixing both caches takes photos only.
PHOTO_SOURCES = ("lfw", "utkface")


def load_photos(directory: Path, split: str = "train") -> FaceSet:
    """The crops of `split` from still photos (PHOTO_SOURCES), without the video frames."""
    crops = load_split(directory, split)
    keep = np.isin(crops.sources, PHOTO_SOURCES)
    if not keep.any():
        raise ValueError(f"{directory} has no {split} photos of {', '.join(PHOTO_SOURCES)}")
    return FaceSet(crops.images[keep], crops.landmarks[keep], crops.identities[keep], crops.sources[keep])


def add_still_arguments(parser) -> None:
    """The trainers' options that mix the still-photo cache's train photos into the reals."""
    parser.add_argument("--still-reals", type=Path, help="still-photo crop cache (make cache) whose train photos join the reals")
    parser.add_argument("--still-share", type=float,
                        help="with --still-reals: the stills' share of the real crops (default 0.5)")
    parser.add_argument("--still-reencode", action="store_true",
                        help="with --still-reals: half of the photos after an H.264 round trip (64-192 px, CRF 28-40)")


def check_still_arguments(parser, args) -> None:
    """A usage error for a still option without --still-reals (it would do nothing); the share's default."""
    for flag, given in (("--still-reencode", args.still_reencode), ("--still-share", args.still_share is not None)):
        if given and not args.still_reals:
            parser.error(f"{flag} needs --still-reals PATH (make cache writes out/cache)")
    if args.still_share is None:
        args.still_share = 0.5
