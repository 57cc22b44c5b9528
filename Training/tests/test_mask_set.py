"""The held-out pseudo-fake set with known masks (Training/pseudofakes/mask_set.py) that
`deepfake-scan eval --mask-truth` reads: files, labels, masks, determinism, the held-out choice."""
import csv

import numpy as np
import pytest
from PIL import Image

from Training.pseudofakes import mask_set
from Training.pseudofakes.sbi import self_blend


def faces(count=3, size=64, seed=0):
    rng = np.random.default_rng(seed)
    images = np.clip(rng.normal(120, 30, (count, size, size, 3)), 0, 255).astype(np.uint8)
    landmarks = np.array([[22, 26], [42, 26], [32, 36], [24, 46], [40, 46]], dtype=np.float32)
    return images, np.stack([landmarks] * count)


def test_the_set_holds_each_real_its_blend_and_the_blend_mask(tmp_path):
    images, landmarks = faces()
    labels = mask_set.write_set(tmp_path, images, landmarks, ["a.mp4", "a.mp4", "b.mp4"], seed=5)
    with open(labels, newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert list(rows[0]) == mask_set.COLUMNS
    assert [(r["label"], r["method"], r["group"]) for r in rows[:2]] == [("real", "original", "0000"), ("fake", "sbi", "0000")]
    assert len(rows) == 6 and [r["video"] for r in rows[::2]] == ["a.mp4", "a.mp4", "b.mp4"]

    rng = np.random.default_rng(5)  # the blends, made again as the module documents
    for index, (real, fake) in enumerate(zip(rows[::2], rows[1::2])):
        blend = self_blend(images[index], landmarks[index], rng)
        assert np.array_equal(np.asarray(Image.open(tmp_path / real["path"])), images[index])  # lossless
        assert np.array_equal(np.asarray(Image.open(tmp_path / fake["path"])), blend.image)
        real_mask = np.asarray(Image.open(tmp_path / real["mask"]))
        fake_mask = np.asarray(Image.open(tmp_path / fake["mask"]))
        assert real_mask.shape == fake_mask.shape == (64, 64) and not real_mask.any()
        assert set(np.unique(fake_mask)) <= {0, 255}
        assert np.array_equal(fake_mask == 255, blend.mask >= 0.5)
        assert 0 < (fake_mask == 255).mean() < 1

    back = mask_set.read_set(labels)
    assert back["is_fake"].tolist() == [False, True] * 3
    assert np.array_equal(back["images"][::2], images)
    assert not back["truth"][::2].any() and back["truth"][1::2].any()


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_blends(tmp_path):
    images, landmarks = faces()
    for folder, seed in (("a", 7), ("b", 7), ("c", 8)):
        mask_set.write_set(tmp_path / folder, images, landmarks, ["v"] * 3, seed=seed)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 13
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert (tmp_path / "a/masks/0000-fake.png").read_bytes() != (tmp_path / "c/masks/0000-fake.png").read_bytes()


def test_only_val_reals_are_chosen_reproducibly():
    data = {"split": np.array(["train", "val", "val", "val", "train", "val"]), "label": np.array([0, 0, 1, 0, 0, 0])}
    assert mask_set.held_out_reals(data, 10, seed=1).tolist() == [1, 3, 5]
    two = mask_set.held_out_reals(data, 2, seed=1)
    assert len(two) == 2 and set(two) <= {1, 3, 5} and two.tolist() == sorted(two.tolist())
    assert mask_set.held_out_reals(data, 2, seed=1).tolist() == two.tolist()


def test_the_command_writes_a_set_from_a_video_cache(tmp_path):
    from Training.tests.test_video_training import synthetic_video_cache

    cache = synthetic_video_cache(tmp_path / "cache")
    assert mask_set.main(["--cache", str(cache), "--out", str(tmp_path / "set"), "--crops", "3", "--seed", "2"]) == 0
    rows = list(csv.DictReader(open(tmp_path / "set/labels.tsv", newline=""), delimiter="\t"))
    assert len(rows) == 6 and {r["video"] for r in rows} == {"v6.mp4"}  # the synthetic cache's one val real


def test_the_mask_reference_measures_a_sets_files(tmp_path):
    """Training/reference/classnseg_masks.py --labels on a set whose fake truth is made the
    model's own flagged pixels: accuracy and IoU 1, the reals' flagged share as predicted."""
    torch = pytest.importorskip("torch")
    from safetensors.numpy import save_file

    from Training.importers import classnseg_torch
    from Training.models.classnseg import ClassNSeg, to_input
    from Training.reference import classnseg_masks

    images, landmarks = faces(count=2, size=64)
    torch.manual_seed(0)
    model = ClassNSeg().eval()
    with torch.no_grad():  # a random model's mask is ~0.53 everywhere: centre it on the median
        probe = model(to_input(torch.from_numpy(images)))["mask"][:, 1]
        model.decoder.segmenter[-2].bias[1] -= torch.logit(probe).median()
    torch.save(model.encoder.state_dict(), tmp_path / "t_encoder_1.pt")
    torch.save(model.decoder.state_dict(), tmp_path / "t_decoder_1.pt")
    state, metadata = classnseg_torch.convert(str(tmp_path / "t_encoder_1.pt"), str(tmp_path / "t_decoder_1.pt"))
    weights = str(tmp_path / "t.safetensors")
    save_file(state, weights, metadata=metadata)

    labels = mask_set.write_set(tmp_path / "set", images, landmarks, ["v"] * 2, seed=3)
    files = mask_set.read_set(labels)
    fake = files["is_fake"]
    _, flagged = classnseg_masks.predict(weights, files["images"])
    assert 0 < flagged[fake].mean() < 1  # the random model flags part of each crop
    rows: list = []
    result = classnseg_masks.measure(weights, files["images"][~fake], files["images"][fake], flagged[fake], rows)
    assert result["pixel_accuracy"] == 1 and result["iou_pooled"] == 1 and result["iou_mean_per_crop"] == 1
    assert result["flagged_fraction_reals"] == pytest.approx(flagged[~fake].mean())
    assert [r[2] for r in rows] == [int(m.sum()) for m in flagged[~fake]] + [int(m.sum()) for m in flagged[fake]]

    out = tmp_path / "rows.csv"
    assert classnseg_masks.main(["--labels", str(labels), "--weights", weights, "--per-image", str(out)]) == 0
    written = list(csv.DictReader(open(out, newline="")))
    assert [r["path"] for r in written] == ["real/0000.png", "real/0001.png", "fake/0000.png", "fake/0001.png"]
    truth = files["truth"][fake]
    assert [int(r["truth_pixels"]) for r in written[2:]] == [int(t.sum()) for t in truth]
