"""Cache packing, identity-held-out split and border handling, on synthetic crops."""

import json

import numpy as np
import pytest

from Training.data.borders import blurred_reflect_pad, outside_share, reflect_pad
from Training.data.cache import Crop, assign_splits, identity_hash, load_split, write_cache
from Training.pseudofakes.geometry import template_landmarks


def crops_for(identities: dict[str, tuple[str, int]]) -> list[Crop]:
    """`count` small synthetic crops per identity, each image filled with a number that
    identifies it so round trips can be checked."""
    crops, value = [], 0
    for identity, (source, count) in identities.items():
        for _ in range(count):
            image = np.full((256, 256, 3), value % 256, np.uint8)
            crops.append(Crop(image, template_landmarks() + value, identity, source))
            value += 1
    return crops


PEOPLE = {f"lfw:person{i}": ("lfw", 1 + i % 3) for i in range(40)}
PEOPLE |= {f"utkface:img{i}": ("utkface", 1) for i in range(30)}
PEOPLE |= {f"video:clip{i}": ("video", 5) for i in range(7)}


def test_split_holds_out_whole_identities(tmp_path):
    sources = {identity: source for identity, (source, _) in PEOPLE.items()}
    splits = assign_splits(sources, val_fraction=0.2, salt="t")
    manifest = write_cache(crops_for(PEOPLE), tmp_path, splits, shard_size=16)
    train, val = load_split(tmp_path, "train"), load_split(tmp_path, "val")
    assert len(train) + len(val) == sum(count for _, count in PEOPLE.values())
    assert not set(train.identities) & set(val.identities)
    assert set(manifest["identities"]["val"]) == set(val.identities)
    assert set(val.sources) == {"lfw", "utkface", "video"}  # every source is validated
    assert manifest["shards"]["train"] == -(-len(train) // 16)
    assert json.loads((tmp_path / "manifest.json").read_text())["counts"] == manifest["counts"]


def test_round_trip_keeps_images_landmarks_and_labels(tmp_path):
    people = {"lfw:a": ("lfw", 3), "lfw:b": ("lfw", 2)}
    crops = crops_for(people)
    write_cache(crops, tmp_path, {"lfw:a": "train", "lfw:b": "val"})
    train = load_split(tmp_path, "train")
    assert train.images.shape == (3, 256, 256, 3) and train.images.dtype == np.uint8
    assert train.landmarks.shape == (3, 5, 2) and train.landmarks.dtype == np.float32
    assert [int(i[0, 0, 0]) for i in train.images] == [0, 1, 2]
    assert train.landmarks[2] == pytest.approx(template_landmarks() + 2)
    assert list(train.identities) == ["lfw:a"] * 3 and list(train.sources) == ["lfw"] * 3


def test_rebuild_replaces_old_shards(tmp_path):
    write_cache(crops_for({"lfw:a": ("lfw", 5)}), tmp_path, {"lfw:a": "train"}, shard_size=1)
    write_cache(crops_for({"lfw:a": ("lfw", 2)}), tmp_path, {"lfw:a": "train"}, shard_size=1)
    assert len(load_split(tmp_path, "train")) == 2


def test_missing_split_and_bad_crops_fail_loudly(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_split(tmp_path, "val")
    bad = Crop(np.zeros((256, 256), np.uint8), template_landmarks(), "lfw:a", "lfw")
    with pytest.raises(ValueError):
        write_cache([bad], tmp_path, {"lfw:a": "train"})
    with pytest.raises(ValueError):
        assign_splits({"a": "lfw"}, val_fraction=1.0)


def test_split_is_stable_and_near_the_fraction():
    sources = {f"lfw:p{i}": "lfw" for i in range(2000)}
    first = assign_splits(sources, 0.1, salt="s")
    again = assign_splits(dict(reversed(list(sources.items()))), 0.1, salt="s")
    assert first == again
    assert 0.08 < sum(s == "val" for s in first.values()) / 2000 < 0.12
    assert identity_hash("x", "s") != identity_hash("x", "other salt")


def test_reflect_pad_mirrors_without_repeating_the_edge():
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    padded = reflect_pad(image, 0.5)
    assert padded.shape == (8, 9, 3)
    assert np.array_equal(padded[2:6, 2:7], image)
    assert np.array_equal(padded[2:6, 1], image[:, 1])  # mirror of column 1, not column 0 again
    with pytest.raises(ValueError):
        reflect_pad(image, 1.0)


def test_blurred_pad_keeps_the_photo_and_smooths_the_border():
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, size=(100, 100, 3), dtype=np.uint8)
    padded = blurred_reflect_pad(photo, 0.5, sigma=6.0, feather=4)
    assert padded.shape == (200, 200, 3) and padded.dtype == np.uint8
    assert np.array_equal(padded[60:140, 60:140], photo[10:90, 10:90])  # inside the feather: untouched
    border = padded[:40, :].astype(float)
    assert np.abs(np.diff(border, axis=1)).mean() < 0.2 * np.abs(np.diff(photo.astype(float), axis=1)).mean()


def test_outside_share_of_a_crop_inside_and_beyond_the_photo():
    crop_points = template_landmarks()
    # The photo is the crop itself: nothing outside.
    assert outside_share(crop_points, crop_points, (256, 256)) == 0.0
    # Photo is the crop's middle half in each direction (same pixels, offset): 3/4 outside.
    share = outside_share(crop_points, crop_points - 64.0, (128, 128))
    assert share == pytest.approx(0.75, abs=0.02)
