"""AMTENnet's PyTorch twin, its golden fixture, the pseudo-manipulation families and a short
multi-class training run on a synthetic cache."""
import json
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from safetensors import safe_open  # noqa: E402

from Training import amtennet_heldout, train_amtennet  # noqa: E402
from Training.amtennet_data import (class_names, identities, method_family, real_weights,  # noqa: E402
                                    resize_crops, sample_set, with_still_reals, without_methods)
from Training.data.cache import Crop, write_cache  # noqa: E402
from Training.models.amtennet import AMTENnet, features_for, p_fake  # noqa: E402
from Training.pseudofakes.families import FAMILIES, make_family  # noqa: E402
from Training.reference import amtennet_golden as golden  # noqa: E402
from Training.reference.efficientnet_golden import key_shapes  # noqa: E402
from Training.tests.test_video_training import synthetic_video_cache  # noqa: E402
from Training.train_video import load_video_cache  # noqa: E402

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "Tests/Fixtures/amtennet_golden.json"


def test_twin_extracts_traces_reuses_them_and_has_the_engines_keys():
    torch.manual_seed(0)
    model = AMTENnet(5).eval()
    x = torch.rand(2, 3, 128, 128)
    traces = model.traces(x)
    assert traces.shape == (2, 12, 128, 128)
    with torch.no_grad():
        trace = model.conv1(x) - x
        assert torch.allclose(traces[:, :3], trace)  # F_mt first, then its reuse
        assert torch.allclose(traces[:, 3:6], model.conv2_2(model.conv2_1(trace)))
        assert torch.allclose(traces[:, 6:], model.conv3_2(model.conv3_1(traces[:, :6])))
        logits = model(x)
    assert logits.shape == (2, 5)
    assert torch.allclose(p_fake(logits), 1 - torch.softmax(logits, 1)[:, 0])
    assert features_for(128) == 128 * 8 * 8 and features_for(256) == 128 * 16 * 16
    with pytest.raises(ValueError):
        features_for(120)
    keys = {k for k, _ in key_shapes(model)}
    convs = ["conv1", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv4", "conv5", "conv6", "conv7", "fc1", "fc2", "fc3"]
    bns = [f"bn{i}.{p}" for i in (4, 5, 6) for p in ("weight", "bias", "running_mean", "running_var")]
    assert keys == {f"{c}.{p}" for c in convs for p in ("weight", "bias")} | set(bns)


def test_golden_fixture_is_what_the_twin_computes():
    fixture = json.loads(FIXTURE.read_text())
    fresh = golden.golden()
    assert fixture["keys"] == fresh["keys"] and fixture["classes"] == fresh["classes"]
    assert np.allclose(fixture["probabilities"], fresh["probabilities"], atol=1e-12)
    assert np.allclose(fixture["sampled_traces"], fresh["sampled_traces"], atol=1e-12)


def face_crop(seed: int, size: int = 128):
    rng = np.random.default_rng(seed)
    image = np.clip(rng.normal(120, 30, (size, size, 3)), 0, 255).astype(np.uint8)
    s = size / 64
    landmarks = np.array([[22, 26], [42, 26], [32, 36], [24, 46], [40, 46]], dtype=np.float64) * s
    return image, landmarks


def test_families_are_deterministic_and_change_the_face():
    image, landmarks = face_crop(1)
    donor = face_crop(2)
    for family in FAMILIES:
        first = make_family(family, image, landmarks, np.random.default_rng(7), donor)
        again = make_family(family, image, landmarks, np.random.default_rng(7), donor)
        assert np.array_equal(first.image, again.image), family
        assert first.image.shape == image.shape and first.image.dtype == np.uint8
        assert first.mask.max() > 0 and (first.image != image).any(), family
        other = make_family(family, image, landmarks, np.random.default_rng(8), donor)
        assert not np.array_equal(first.image, other.image), family
    with pytest.raises(ValueError):
        make_family("cross_blend", image, landmarks, np.random.default_rng(0))
    with pytest.raises(ValueError):
        make_family("morph", image, landmarks, np.random.default_rng(0))


def test_method_families_and_class_order():
    assert method_family("dfdc") == "face_swap" and method_family("lipsync-hyperlips") == "lip_sync"
    assert method_family("talkinghead-emo") == "talking_head" and method_family("original") is None
    data = {"split": np.array(["train", "train", "val"]), "label": np.array([1, 1, 1]),
            "method": np.array(["talkinghead-emo", "dfdc", "reenact-fomm"])}
    assert class_names(data) == ["real", *FAMILIES, "face_swap", "talking_head"]
    crops = np.random.default_rng(0).integers(0, 256, (2, 256, 256, 3), dtype=np.uint8)
    assert resize_crops(crops, 128).shape == (2, 128, 128, 3)


def test_a_short_run_trains_exports_classes_and_the_heldout_set(tmp_path):
    cache = synthetic_video_cache(tmp_path / "cache")
    out = tmp_path / "run"
    threads = torch.get_num_threads()
    args = ["--cache", str(cache), "--out", str(out), "--per-class", "4", "--val-per-class", "2", "--input-size", "64",
            "--epochs", "1", "--max-steps", "2", "--batch", "8", "--threads", "1", "--workers", "1", "--name", "amtennet-test", "--aux-weight", "1"]
    assert train_amtennet.main(args) == 0
    assert torch.get_num_threads() == threads
    samples = np.load(out / "samples.npz")
    # real, 4 families, face_swap ("talkinghead" has no family); reals half the set (--real-share 0.5 by default)
    assert samples["train"].shape == (20 + 5 * 4, 64, 64, 3)
    assert np.bincount(samples["train_labels"]).tolist() == [20, 4, 4, 4, 4, 4]
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == 2 and 0 <= log[-1]["val_accuracy"] <= 1
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        card = handle.metadata()
    assert card["architecture"] == "amtennet" and card["input_size"] == "64" and card["scaling"] == "x/255"
    assert json.loads(card["manipulation_classes"]) == ["real", *FAMILIES, "face_swap"]
    assert "val_accuracy" in json.loads(card["metrics"])
    recipe = json.loads(card["recipe"])  # the binary loss's weight is on the card (1 by default)
    assert recipe["aux_weight"] == 1.0 and recipe["real_share"] == 0.5 and "aux_weight 1" in card["provenance"]
    assert amtennet_heldout.main(["--cache", str(cache), "--weights", str(out / "model.safetensors"),
                                  "--out", str(tmp_path / "heldout"), "--per-class", "2", "--workers", "1"]) == 0
    results = json.loads((tmp_path / "heldout" / "results.json").read_text())
    assert results["crops"] == len((tmp_path / "heldout" / "labels.tsv").read_text().splitlines()) - 1
    # The held-out set is the trainer's val set: the same crops of every class.
    counts = np.bincount(samples["val_labels"], minlength=6).tolist()
    assert [sum(row) for row in results["confusion"]] == counts


def test_excluded_methods_leave_the_set_and_their_family_the_classes(tmp_path):
    cache = synthetic_video_cache(tmp_path / "cache")
    out = tmp_path / "run"
    args = ["--cache", str(cache), "--out", str(out), "--per-class", "4", "--val-per-class", "2", "--input-size", "64",
            "--epochs", "1", "--max-steps", "1", "--batch", "8", "--threads", "1", "--workers", "1",
            "--exclude-methods", "dfdc"]
    assert train_amtennet.main(args) == 0
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        card = handle.metadata()
    assert json.loads(card["manipulation_classes"]) == ["real", *FAMILIES]  # dfdc was face_swap's only method
    assert json.loads(card["recipe"])["exclude_methods"] == ["dfdc"] and "without dfdc" in card["provenance"]
    assert np.load(out / "samples.npz")["train_labels"].max() == len(FAMILIES)
    data = load_video_cache(cache)
    kept = without_methods(data, ("dfdc",))
    assert "dfdc" not in set(kept["method"]) and len(kept["images"]) == len(kept["video"]) < len(data["images"])
    assert (kept["label"] == 0).sum() == (data["label"] == 0).sum()  # reals all stay
    with pytest.raises(ValueError, match="dfcd"):
        without_methods(data, ("dfcd",))


def still_cache(path, seed: int = 0):
    """A still-photo cache: 3 LFW + 3 UTKFace train identities of 2 photos, one val identity, and
    a "video" photo (data/real-videos frames), which must stay out."""
    image, landmarks = face_crop(seed, 256)
    people = {"lfw:a": "lfw", "lfw:b": "lfw", "lfw:c": "lfw", "utk:1": "utkface", "utk:2": "utkface", "utk:3": "utkface",
              "lfw:val": "lfw", "video:p": "video"}
    crops = [Crop(np.roll(image, k, axis=1), landmarks.astype(np.float32), person, source)
             for k, (person, source) in enumerate(list(people.items()) * 2)]
    write_cache(crops, path, {p: "val" if p == "lfw:val" else "train" for p in people})
    return path


def test_still_reals_join_the_train_reals_at_their_share(tmp_path):
    cache = synthetic_video_cache(tmp_path / "cache")
    data = load_video_cache(cache)
    ids = identities(cache, data)
    merged, merged_ids = with_still_reals(data, ids, still_cache(tmp_path / "stills"))
    stills = merged["variant"] == "still"
    assert stills.sum() == 12 and len(merged_ids) == len(merged["images"]) == len(data["images"]) + 12
    assert (merged["label"][stills] == 0).all() and (merged["split"][stills] == "train").all()
    assert not any("video:" in i or "lfw:val" in i for i in merged_ids[stills])
    assert np.array_equal(merged["images"][:len(data["images"])], data["images"])
    weights = real_weights(np.array([True, True, False, False, False, False]), 0.5)
    assert np.allclose(weights, [0.25, 0.25, 0.125, 0.125, 0.125, 0.125])
    assert real_weights(np.zeros(4, dtype=bool), 0.5) is None
    with pytest.raises(ValueError):
        real_weights(np.array([True, False]), 1.0)
    classes = class_names(merged)
    _, labels, sources = sample_set(merged, merged_ids, classes, "train", 400, 1, 64, 0.0, reals=800, still_share=0.1)
    share = stills[sources[labels == 0]].mean()
    assert 0.05 < share < 0.16, share  # 0.1 asked, 800 draws; a uniform draw would give 12 / 36
    assert 0.05 < stills[sources[labels == 1]].mean() < 0.2  # the self-blends' sources too
    _, val_labels, val_sources = sample_set(merged, merged_ids, classes, "val", 4, 2, 64, 0.0, still_share=0.25)
    assert not stills[val_sources].any()
    out = tmp_path / "run"
    args = ["--cache", str(cache), "--out", str(out), "--per-class", "4", "--val-per-class", "2", "--input-size", "64",
            "--epochs", "1", "--max-steps", "1", "--batch", "8", "--threads", "1", "--workers", "1",
            "--still-reals", str(tmp_path / "stills"), "--still-share", "0.5"]
    assert train_amtennet.main(args) == 0
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        card = handle.metadata()
    assert json.loads(card["recipe"])["still_share"] == 0.5 and "still-photo cache" in card["provenance"]


def test_still_reencode_swaps_half_of_the_photos_for_their_round_trip(tmp_path):
    cache = synthetic_video_cache(tmp_path / "cache")
    data = load_video_cache(cache)
    ids = identities(cache, data)
    stills = still_cache(tmp_path / "stills")
    clean, clean_ids = with_still_reals(data, ids, stills)
    mixed, mixed_ids = with_still_reals(data, ids, stills, reencode_seed=3)
    assert np.array_equal(clean_ids, mixed_ids) and np.array_equal(clean["landmarks"], mixed["landmarks"])
    is_still = clean["variant"] == "still"
    assert np.array_equal(clean["images"][~is_still], mixed["images"][~is_still])
    changed = (clean["images"][is_still] != mixed["images"][is_still]).reshape(is_still.sum(), -1).any(axis=1)
    assert 0 < changed.sum() < len(changed), changed  # some photos, not all (a coin each, 12 photos)
    again, _ = with_still_reals(data, ids, stills, reencode_seed=3)
    assert np.array_equal(again["images"], mixed["images"])  # drawn from the seed
    for without_stills in (["--still-reencode"], ["--still-share", "0.3"]):  # would do nothing: a usage error
        with pytest.raises(SystemExit):
            train_amtennet.main(["--cache", str(cache), "--out", str(tmp_path / "run"), *without_stills])


def test_real_share_sets_the_real_count():
    assert train_amtennet.real_count(400, 8, 0.5) == 2800  # as many reals as the 7 other classes together
    assert train_amtennet.real_count(400, 8, 0.0) == 400  # every class equal
    assert train_amtennet.real_count(400, 8, 0.25) == 933
    with pytest.raises(ValueError):
        train_amtennet.real_count(400, 8, 1.0)


def test_balanced_batches_are_half_real_and_pass_once_over_the_other_classes():
    labels = torch.tensor([0] * 30 + [1, 2, 3] * 10)
    first = train_amtennet.batches(labels, 8, 0.5, torch.Generator().manual_seed(3))
    again = train_amtennet.batches(labels, 8, 0.5, torch.Generator().manual_seed(3))
    assert all(torch.equal(a, b) for a, b in zip(first, again)) and len(first) == len(again) == 8  # 30 fakes / 4
    assert [int((labels[b] == 0).sum()) for b in first] == [4] * 8
    fakes = torch.cat([b[labels[b] != 0] for b in first])
    assert sorted(fakes.tolist()) == list(range(30, 60))  # every non-real once per epoch
    reals = torch.cat([b[labels[b] == 0] for b in first])
    assert len(set(reals.tolist())) == 30  # the reals cycle: all 30 used, two twice
    other = train_amtennet.batches(labels, 8, 0.5, torch.Generator().manual_seed(4))
    assert not all(torch.equal(a, b) for a, b in zip(first, other))
    plain = train_amtennet.batches(labels, 8, 0.0, torch.Generator().manual_seed(3))
    assert sorted(torch.cat(plain).tolist()) == list(range(60))


def test_extra_reals_leave_the_other_classes_unchanged(tmp_path):
    from Training.train_video import load_video_cache
    cache = synthetic_video_cache(tmp_path / "cache")
    data = load_video_cache(cache)
    classes, ids = class_names(data), identities(cache, data)
    base, base_labels, _ = sample_set(data, ids, classes, "train", 3, 5, 64, 0.3)
    more, more_labels, _ = sample_set(data, ids, classes, "train", 3, 5, 64, 0.3, reals=7)
    assert np.bincount(more_labels).tolist() == [7] + [3] * (len(classes) - 1)
    assert np.array_equal(more[:len(base)], base) and np.array_equal(more_labels[:len(base)], base_labels)
    assert (more_labels[len(base):] == 0).all()


def direct_loss(logits: np.ndarray, labels: np.ndarray, aux_weight: float) -> float:
    """The loss written out in float64: mean CE + aux_weight × mean BCE(1 − p(real), is_fake)."""
    shifted = logits - logits.max(1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True)
    cross_entropy = -np.mean(np.log(p[np.arange(len(labels)), labels]))
    p_fake, is_fake = 1.0 - p[:, 0], labels != 0
    binary = -np.mean(np.where(is_fake, np.log(p_fake), np.log(1.0 - p_fake)))
    return float(cross_entropy + aux_weight * binary)


def test_aux_loss_is_cross_entropy_plus_weighted_bce_of_p_fake():
    rng = np.random.default_rng(0)
    logits, labels = rng.normal(0, 3, (32, 8)), rng.integers(0, 8, 32)
    for weight in (0.0, 0.5, 1.0, 2.0):
        got = train_amtennet.amtennet_loss(torch.from_numpy(logits), torch.from_numpy(labels), weight)
        assert float(got) == pytest.approx(direct_loss(logits, labels, weight), rel=1e-12)
        got32 = train_amtennet.amtennet_loss(torch.from_numpy(logits).float(), torch.from_numpy(labels), weight)
        assert float(got32) == pytest.approx(direct_loss(logits, labels, weight), rel=1e-5)


def test_zero_aux_weight_is_the_plain_cross_entropy():
    torch.manual_seed(0)
    logits, labels = torch.randn(16, 8), torch.randint(0, 8, (16,))
    plain = torch.nn.CrossEntropyLoss()(logits, labels)
    assert torch.equal(train_amtennet.amtennet_loss(logits, labels, 0.0), plain)


def test_aux_term_charges_mass_left_on_real_for_fakes_and_taken_from_real_for_reals():
    # p = (0.7, 0.2, 0.1): class 0 (real) and class 1 differ, so using the wrong class as real shows.
    logits = torch.log(torch.tensor([[0.7, 0.2, 0.1], [0.7, 0.2, 0.1]], dtype=torch.float64))
    labels = torch.tensor([2, 0])  # a fake of class 2, a real
    aux = train_amtennet.amtennet_loss(logits, labels, 1.0) - train_amtennet.amtennet_loss(logits, labels, 0.0)
    assert float(aux) == pytest.approx(-(np.log(0.3) + np.log(0.7)) / 2, rel=1e-12)
    # Moving mass from real to any fake class must lower it for the fake, raise it for the real.
    for row, label, direction in ((0, 2, -1), (1, 0, +1)):
        x = logits[row:row + 1].clone().requires_grad_(True)
        (train_amtennet.amtennet_loss(x, torch.tensor([label]), 1.0)
         - train_amtennet.amtennet_loss(x, torch.tensor([label]), 0.0)).backward()
        assert direction * float(x.grad[0, 0]) < 0  # d aux / d logit_real
        assert direction * float(x.grad[0, 1]) > 0  # a non-real class other than the label


def test_aux_loss_is_finite_where_p_real_rounds_to_zero_or_one():
    logits = torch.tensor([[200.0, -200.0, 0.0], [-200.0, 200.0, 0.0]])
    labels = torch.tensor([1, 0])  # a fake called real with certainty, a real called fake
    loss = train_amtennet.amtennet_loss(logits, labels, 1.0)
    assert torch.isfinite(loss)
    # By hand (float64's 1 − p(real) is 0 here): the fake costs CE 400 + BCE −log(p1 + p2) ≈ 200, the
    # real CE 400 + BCE 400; the mean is 700.
    assert float(loss) == pytest.approx(700.0, rel=1e-6)
