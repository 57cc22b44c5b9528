"""Real/pseudo-fake training batches: pairing, labels, masks, determinism (synthetic faces)."""

import numpy as np
import pytest

from Training.pseudofakes.geometry import template_landmarks
from Training.pseudofakes.sampler import PseudoFakeSampler


def synthetic_set(count: int = 6):
    rng = np.random.default_rng(0)
    images = rng.integers(30, 220, size=(count, 256, 256, 3), dtype=np.uint8)
    landmarks = np.stack([template_landmarks() + rng.normal(0, 2, (5, 2)) for _ in range(count)])
    identities = np.array([f"p{n // 2}" for n in range(count)])  # two faces per person
    return images, landmarks, identities


def test_batch_pairs_each_real_face_with_a_fake():
    sampler = PseudoFakeSampler(*synthetic_set(), seed=1, robustness=0.0)
    batch = sampler.batch([0, 3, 5], epoch=0)
    assert batch.images.shape == (6, 256, 256, 3) and batch.images.dtype == np.uint8
    assert batch.labels.tolist() == [0, 1, 0, 1, 0, 1]
    assert batch.masks.shape == (6, 256, 256) and batch.masks.dtype == np.float32
    assert (batch.masks[0::2] == 0).all() and all(m.max() > 0 for m in batch.masks[1::2])
    assert set(batch.kinds[0::2]) == {"real"} and set(batch.kinds[1::2]) <= {"sbi", "cross"}
    # Without augmentations the real row is the crop itself (possibly mirrored).
    real, original = batch.images[2], sampler.images[3]
    assert np.array_equal(real, original) or np.array_equal(real, original[:, ::-1])


def test_same_seed_epoch_index_gives_the_same_sample_in_any_order():
    data = synthetic_set()
    a = PseudoFakeSampler(*data, seed=7).batch([1, 2, 4], epoch=3)
    b = PseudoFakeSampler(*data, seed=7).batch([4, 2, 1], epoch=3)
    assert np.array_equal(a.images[0:2], b.images[4:6]) and np.array_equal(a.masks[2:4], b.masks[2:4])
    c = PseudoFakeSampler(*data, seed=7).batch([1, 2, 4], epoch=4)
    assert not np.array_equal(a.images[1::2], c.images[1::2])


def test_cross_fraction_controls_the_kind_of_fake():
    data = synthetic_set()
    only_sbi = PseudoFakeSampler(*data, seed=2, cross_fraction=0.0)
    only_cross = PseudoFakeSampler(*data, seed=2, cross_fraction=1.0, partners=3)
    assert set(only_sbi.batch(range(6), 0).kinds[1::2]) == {"sbi"}
    assert set(only_cross.batch(range(6), 0).kinds[1::2]) == {"cross"}
    # Donors are always another person.
    for index in range(6):
        assert all(data[2][d] != data[2][index] for d in only_cross.partners[index])


def test_invalid_fractions_are_rejected():
    with pytest.raises(ValueError):
        PseudoFakeSampler(*synthetic_set(), seed=0, cross_fraction=1.5)


def test_contact_sheet_draws_triplets_from_a_cache(tmp_path):
    from PIL import Image

    from Training.data.cache import Crop, load_split, write_cache
    from Training.pseudofakes.contact_sheet import main

    images, landmarks, identities = synthetic_set(4)
    crops = [Crop(i, l, n, "lfw") for i, l, n in zip(images, landmarks, identities)]
    write_cache(crops, tmp_path / "cache", {n: "train" for n in identities})
    sampler = PseudoFakeSampler.from_faces(load_split(tmp_path / "cache", "train"), seed=0)
    assert len(sampler) == 4 and sampler.batch([0, 1], epoch=0).images.shape == (4, 256, 256, 3)
    main(["--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "sheet.png"),
          "--count", "3", "--per-row", "2", "--tile", "32", "--robustness"])
    sheet = Image.open(tmp_path / "sheet.png")
    assert sheet.size == (2 * (3 * 32 + 6), 2 * (32 + 14))  # 3 triplets → 2 rows of 2
    with pytest.raises(SystemExit):
        main(["--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "x.png"), "--count", "0"])
