"""MAT's PyTorch twin, its golden fixture, the regional independence loss, AGDA, and a short
training run on a synthetic cache."""
import json
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

from Training import train_mat  # noqa: E402
from Training.models.efficientnet_lite import EfficientNetLite0  # noqa: E402
from Training.models.mat import (ATTENTIONS, TEXTURE_CHANNELS, MAT, RegionalIndependenceLoss, agda,  # noqa: E402
                                 attention_mask, attention_pool, local_contrast)
from Training.reference import mat_golden as golden  # noqa: E402
from Training.tests.test_video_training import synthetic_video_cache  # noqa: E402

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "Tests/Fixtures/mat_golden.json"


def test_twin_gives_four_maps_unit_regional_features_and_one_logit_a_crop():
    torch.manual_seed(0)
    model = golden.formula_model().float()  # fresh init gives maps of ~1e-6, below the norm's floor
    with torch.no_grad():
        parts = model.parts(torch.randn(2, 3, 128, 128))
    assert parts["attentions"].shape == (2, ATTENTIONS, 8, 8) and (parts["attentions"] >= 0).all()
    assert parts["regional"].shape == (2, ATTENTIONS, TEXTURE_CHANNELS)
    assert parts["global"].shape == (2, 1280) and parts["logits"].shape == (2,)
    norms = parts["regional"].norm(dim=-1)  # unit length, or 0 under a map that is 0 everywhere
    assert torch.all(((norms - 1).abs() < 1e-5) | (norms == 0)) and (norms > 0).any()


def test_local_contrast_removes_flat_areas_and_pooling_normalises():
    flat = torch.full((1, 2, 6, 6), 3.0)
    assert local_contrast(flat).abs().max() < 1e-6  # the border averages only the pixels inside
    features = torch.rand(1, 5, 8, 8)
    uniform = torch.ones(1, 1, 4, 4)
    pooled = attention_pool(features, uniform)[0, 0]
    mean = features.mean(dim=(2, 3))[0]
    torch.testing.assert_close(pooled, mean / mean.norm())
    assert attention_pool(features, torch.zeros(1, 1, 4, 4)).abs().max() == 0  # a dead map pools to 0, not NaN


def test_model_on_formula_weights_reproduces_the_committed_fixture():
    committed = json.loads(FIXTURE.read_text())
    fresh = golden.golden()
    assert committed["keys"] == fresh["keys"] and len(committed["keys"]) == 271
    assert all(key != "centres" for key, _ in committed["keys"])
    np.testing.assert_allclose(fresh["logits"], committed["logits"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(fresh["attention"], committed["attention"], rtol=0, atol=1e-9)


def test_regional_independence_loss_pulls_to_centres_and_pushes_centres_apart():
    loss = RegionalIndependenceLoss()
    centres = torch.eye(3, 4)  # three regions, orthogonal centres: 2 apart squared, beyond m_out
    at_centres = centres[None].repeat(2, 1, 1)
    labels = torch.tensor([0.0, 1.0])
    assert loss(at_centres, labels, centres.clone(), alpha=0.5).item() == pytest.approx(0.0)
    # Features 0.3 from their centres (0.09 squared): over the real margin 0.05, under the fake 0.1.
    shifted = at_centres.clone()
    shifted[..., 3] = 0.3
    real = loss(shifted[:1], labels[:1], centres.clone(), alpha=0.0).item()
    fake = loss(shifted[1:], labels[1:], centres.clone(), alpha=0.0).item()
    assert real == pytest.approx(3 * (0.09 - 0.05), abs=1e-6) and fake == pytest.approx(0.0)
    # Equal centres: the inter-region term, with a gradient to the features.
    same = torch.zeros(3, 4)
    features = torch.zeros(2, 3, 4, requires_grad=True)
    value = loss(features, labels, same, alpha=0.5)
    assert value.item() == pytest.approx(6 * 0.2)
    # The centres moved by α·mean(P − c) and the buffer holds them.
    moving = torch.zeros(3, 4)
    loss(at_centres, labels, moving, alpha=0.5)
    torch.testing.assert_close(moving, 0.5 * centres)


def test_agda_degrades_only_where_the_chosen_attention_map_is_high():
    attention = torch.zeros(1, 8, 8)
    attention[0, :4, :4] = 1.0
    mask = attention_mask(attention, 32)
    assert mask.shape == (1, 1, 32, 32) and mask[0, 0, :12, :12].min() == 1 and mask[0, 0, 20:, 20:].max() == 0
    torch.manual_seed(0)
    model = MAT()
    x = torch.randn(2, 3, 128, 128)
    with torch.no_grad():
        maps = model.eval().attention_maps(x)
    model.train()
    out = agda(model, x, torch.Generator().manual_seed(1), sigma=2.4, factor=0.3)
    assert out.shape == x.shape and model.training
    changed = (out - x).abs().sum(dim=1) > 1e-6
    low = torch.nn.functional.interpolate(maps.amax(dim=1, keepdim=True), size=(128, 128), mode="bilinear")[:, 0] == 0
    assert changed.any() and not (changed & low).any()  # nothing changes where every map is 0


def test_a_two_step_run_exports_the_model_without_centres_and_resumes(tmp_path):
    cache = synthetic_video_cache(tmp_path / "cache")
    torch.manual_seed(0)
    backbone = tmp_path / "backbone.safetensors"
    state = {k: v.contiguous() for k, v in EfficientNetLite0().state_dict().items() if not k.endswith("num_batches_tracked")}
    save_file(state, str(backbone), metadata={"architecture": "efficientnet_lite0"})
    out = tmp_path / "run"
    threads = torch.get_num_threads()
    args = ["--cache", str(cache), "--out", str(out), "--backbone", str(backbone), "--steps", "2", "--reals", "2",
            "--save-every", "1", "--name", "mat-test", "--threads", "1"]
    try:
        assert train_mat.main(args) == 0
        assert torch.get_num_threads() == threads
        first = (out / "model.safetensors").read_bytes()
        assert train_mat.main(args) == 0  # resumes at step 2: nothing left to train, the same model
    finally:
        torch.set_num_threads(threads)
    assert (out / "model.safetensors").read_bytes() == first
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [entry["step"] for entry in log if "bce" in entry] == [1, 2] and "val_video_auc" in log[-1]
    checkpoint = torch.load(out / "last.pt", weights_only=False)
    assert checkpoint["model"]["centres"].abs().sum() > 0  # the centres moved and are kept
    with safe_open(str(out / "model.safetensors"), "pt") as weights:
        keys, card = set(weights.keys()), weights.metadata()
    expected = {k for k, _ in golden.exported_keys(MAT())}
    assert keys == expected and "centres" not in keys
    assert card["architecture"] == "mat" and card["name"] == "mat-test" and card["input_size"] == "128"
    assert card["attention_maps"] == "4" and "val_video_auc" in json.loads(card["metrics"])
