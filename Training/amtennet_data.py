"""AMTENnet's classes and its labelled crops: real, the pseudo-manipulation families made from
real crops (Training/pseudofakes/families.py), and the families of the labelled train-videos fakes.

A class set is fixed by the video cache: "real", the four pseudo families, then each video family
that has train-split fakes (face_swap: dfdc; lip_sync: lipsync-*; talking_head: talkinghead-*;
reenactment: reenact-*). `sample_set` draws one split's crops of every class, each example from
its own seeded stream (so the set does not depend on the worker count), resized to the input size
the way the Swift CropInput does.
"""
import csv
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import torch

from .data.cache import load_photos
from .data.photo_reencode import reencoded_photos
from .pseudofakes.augment import random_robustness
from .pseudofakes.cross_identity import nearest_partners
from .pseudofakes.families import FAMILIES, make_family

# Method name (or prefix ending in "-") of a labelled fake → its class.
METHOD_FAMILIES = {"dfdc": "face_swap", "lipsync-": "lip_sync", "talkinghead-": "talking_head", "reenact-": "reenactment"}
VIDEO_FAMILIES = ("face_swap", "lip_sync", "talking_head", "reenactment")


def method_family(method: str) -> str | None:
    """The class of a labelled fake's method, None when no family names it."""
    for key, family in METHOD_FAMILIES.items():
        if method == key or (key.endswith("-") and method.startswith(key)):
            return family
    return None


def class_names(data: dict) -> list[str]:
    """real, the pseudo families, then the video families with train fakes."""
    train_fakes = (data["split"] == "train") & (data["label"] == 1)
    present = {method_family(m) for m in set(data["method"][train_fakes])}
    return ["real", *FAMILIES, *(f for f in VIDEO_FAMILIES if f in present)]


def without_methods(data: dict, methods: tuple[str, ...]) -> dict:
    """The cache without the labelled fakes of `methods` (a family left with none drops out of
    `class_names`). Unknown names are an error, so a typo cannot train the full set silently."""
    if not methods:
        return data
    fakes = data["label"] == 1
    unknown = set(methods) - set(data["method"][fakes])
    if unknown:
        raise ValueError(f"no labelled fakes of method {', '.join(sorted(unknown))} in the cache "
                         f"(it has {', '.join(sorted(set(data['method'][fakes])))})")
    keep = ~(fakes & np.isin(data["method"], list(methods)))
    return {key: value[keep] for key, value in data.items()}


def with_still_reals(data: dict, ids: np.ndarray, still_cache: Path,
                     reencode_seed: int | None = None) -> tuple[dict, np.ndarray]:
    """The video cache's crops, then the still-photo cache's (`make cache`) train photos as train
    reals (video -1, variant "still"), and the identities of both. Its val identities stay out,
    so the val set is the video cache's alone. With `reencode_seed`, half of the photos, drawn
    once, are their copy after an H.264 round trip (data/photo_reencode.py): the video reals are
    compressed, and clean photos beside them would make compression a cue for fake."""
    stills = load_photos(still_cache, "train")
    count = len(stills)
    size, images = data["images"].shape[1], stills.images
    if reencode_seed is not None:
        pick = np.random.default_rng([reencode_seed, 12]).random(count) < 0.5
        images = images.copy()
        images[pick] = reencoded_photos(images[pick], reencode_seed)
    scale = size / images.shape[1]  # both caches are 256² crops of the same template; a test cache may be smaller
    images = np.concatenate([resize_crops(images[i:i + 256], size) for i in range(0, count, 256)])
    extra = {"images": images, "landmarks": (stills.landmarks * scale).astype(data["landmarks"].dtype),
             "video": np.full(count, -1), "variant": np.full(count, "still"), "label": np.zeros(count, dtype=data["label"].dtype),
             "method": np.full(count, "original"), "split": np.full(count, "train")}
    merged = {key: np.concatenate([value, extra[key]]) for key, value in data.items()}
    return merged, np.concatenate([ids.astype(str), np.char.add("still:", stills.identities.astype(str))])


def real_weights(is_still: np.ndarray, still_share: float) -> np.ndarray | None:
    """Draw probabilities over the real crops so that stills are `still_share` of the draws
    (None, a uniform draw, when there are no stills)."""
    stills = int(is_still.sum())
    if stills == 0:
        return None
    if not 0 < still_share < 1 or stills == len(is_still):
        raise ValueError(f"a still share of {still_share} needs 0 < share < 1 and video reals besides the stills")
    return np.where(is_still, still_share / stills, (1 - still_share) / (len(is_still) - stills))


def identities(cache: Path, data: dict) -> np.ndarray:
    """Per crop, its video's group (a person filmed twice, or a clip and its reverse, is one identity)."""
    with open(cache / "videos.tsv", newline="") as handle:
        groups = {int(r["index"]): r["group_key"] for r in csv.DictReader(handle, delimiter="\t")}
    return np.array([groups[v] for v in data["video"]])


def resize_crops(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 N×H×W×3 at size²: bilinear, half-pixel centres, no antialiasing, rounded (CropInput's resize)."""
    if images.shape[1] == size and images.shape[2] == size:
        return images
    x = torch.as_tensor(images).permute(0, 3, 1, 2).float()
    x = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=False)
    return x.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()


_WORK: dict = {}  # what forked workers read: the cache's images and landmarks


def _example(job: tuple) -> np.ndarray:
    """One crop: (family or None for as-is, crop index, donor index, seed tuple, robustness, mirror)."""
    family, index, donor, seed, robustness, mirror = job
    rng = np.random.default_rng(seed)
    images, landmarks = _WORK["images"], _WORK["landmarks"]
    image = images[index]
    if family is not None:
        partner = (images[donor], landmarks[donor]) if donor >= 0 else None
        image = make_family(family, image, landmarks[index], rng, partner).image
    if mirror and rng.random() < 0.5:
        image = image[:, ::-1]
    image = np.ascontiguousarray(image)
    return random_robustness(image, rng, robustness) if robustness > 0 else image


def sample_set(data: dict, ids: np.ndarray, classes: list[str], split: str, per_class: int, seed: int,
               input_size: int, robustness: float, workers: int = 1,
               reals: int | None = None, still_share: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`per_class` crops of each class from `split` (fewer for a video family with fewer crops):
    (images N×S×S×3 uint8, class indices, source crop indices). Training draws (robustness > 0)
    mirror and degrade each crop; held-out draws keep crops as they are. `reals` (≥ per_class)
    draws that many real crops instead: the first `per_class` and every other class are the
    same as without it, the extra reals come last from their own stream. With still photos among
    the reals (`with_still_reals`), `still_share` of the real crops and of the pseudo-families'
    sources are stills."""
    rng = np.random.default_rng([seed, 7])
    in_split = data["split"] == split
    real_crops = np.flatnonzero(in_split & (data["label"] == 0))
    partners = nearest_partners(data["landmarks"][real_crops], ids[real_crops], k=4)
    weights = real_weights(data["variant"][real_crops] == "still", still_share)
    jobs, labels = [], []
    for label, name in enumerate(classes):
        if name == "real" or name in FAMILIES:
            picks = rng.choice(len(real_crops), size=per_class, replace=per_class > len(real_crops), p=weights)
            for k, pick in enumerate(picks):
                donor = -1
                if name == "cross_blend":  # another identity of like pose; any other crop when the split has one identity
                    donors = partners[pick][partners[pick] >= 0]
                    donor = real_crops[rng.choice(donors)] if len(donors) else real_crops[rng.integers(len(real_crops))]
                jobs.append((None if name == "real" else name, int(real_crops[pick]), int(donor), (seed, label, k, 1),
                             robustness, robustness > 0))
        else:
            fakes = np.flatnonzero(in_split & (data["label"] == 1)
                                   & np.array([method_family(m) == name for m in data["method"]]))
            if len(fakes) == 0:
                continue
            # Videos first, then a frame, so a long clip does not outweigh the rest.
            videos = sorted(set(data["video"][fakes]))
            count = per_class if robustness > 0 else min(per_class, len(fakes))
            for k in range(count):
                video = videos[rng.integers(len(videos))] if robustness > 0 else None
                pool = fakes[data["video"][fakes] == video] if video is not None else fakes
                index = int(rng.choice(pool)) if video is not None else int(np.sort(fakes)[k * len(fakes) // count])
                jobs.append((None, index, -1, (seed, label, k, 1), robustness, robustness > 0))
        labels += [label] * (len(jobs) - len(labels))
    if reals is not None and reals > per_class:
        extra_rng = np.random.default_rng([seed, 7, 0])
        for k, pick in enumerate(extra_rng.choice(len(real_crops), size=reals - per_class, p=weights), start=per_class):
            jobs.append((None, int(real_crops[pick]), -1, (seed, 0, k, 1), robustness, robustness > 0))
        labels += [0] * (reals - per_class)
    _WORK.update(images=data["images"], landmarks=data["landmarks"])
    if workers > 1:
        with get_context("fork").Pool(workers) as pool:
            crops = pool.map(_example, jobs, chunksize=16)
    else:
        crops = [_example(job) for job in jobs]
    resized = np.concatenate([resize_crops(np.stack(crops[i:i + 256]), input_size) for i in range(0, len(crops), 256)])
    return resized, np.array(labels, dtype=np.int64), np.array([j[1] for j in jobs])
