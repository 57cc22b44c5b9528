"""FakeSpotter's PyTorch twin, its golden fixture, and a short training run on a synthetic cache."""
import json
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

from Training import train_fakespotter  # noqa: E402
from Training.models.efficientnet_lite import EfficientNetLite0  # noqa: E402
from Training.models.fakespotter import LAYER_CHANNELS, NEURONS, FakeSpotter, layer_thresholds  # noqa: E402
from Training.reference import fakespotter_golden as golden  # noqa: E402
from Training.reference.efficientnet_golden import key_shapes  # noqa: E402
from Training.tests.test_video_training import synthetic_video_cache  # noqa: E402

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "Tests/Fixtures/fakespotter_golden.json"


def test_twin_monitors_eight_layers_and_scores_one_logit_a_crop():
    torch.manual_seed(0)
    model = FakeSpotter().eval()
    x = torch.randn(3, 3, 128, 128)
    means = model.layer_means(x)
    assert [m.shape[1] for m in means] == list(LAYER_CHANNELS) == [16, 24, 40, 80, 112, 192, 320, 1280]
    assert all(m.shape[0] == 3 for m in means) and NEURONS == 2064
    assert model(x).shape == (3,)
    linear = [m for m in model.mlp if isinstance(m, torch.nn.Linear)]
    assert [(l.in_features, l.out_features) for l in linear] == [(2064, 512), (512, 256), (256, 128), (128, 64), (64, 1)]
    keys = {k for k, _ in key_shapes(model)}
    assert keys == {f"backbone.{k}" for k, _ in key_shapes(EfficientNetLite0())} | {"thresholds"} | {
        f"mlp.{i}.{p}" for i in (0, 2, 4, 6, 8) for p in ("weight", "bias")}


def test_thresholds_are_layer_means_and_coverage_is_strictly_above():
    means = [torch.tensor([[0.0, 1.0], [2.0, 5.0]]), torch.tensor([[-1.0, -3.0, 1.0], [1.0, 0.0, -1.0]])]
    thresholds = layer_thresholds(means)
    assert thresholds.tolist() == [2.0, -0.5]  # (0 + 1 + 2 + 5) / 4, (−1 − 3 + 1 + 1 + 0 − 1) / 6
    model = FakeSpotter()
    model.thresholds = torch.tensor([2.0, -0.5])
    assert model.coverage(means).tolist() == [[0, 0, 0, 0, 1], [0, 1, 1, 1, 0]]  # 2.0 is not above 2.0


def test_model_on_formula_weights_reproduces_the_committed_fixture():
    committed = json.loads(FIXTURE.read_text())
    fresh = golden.golden()
    assert committed["keys"] == fresh["keys"] and len(committed["keys"]) == 257
    assert committed["crops"] == golden.CROPS and committed["coverage"] == fresh["coverage"]
    assert committed["thresholds"] == fresh["thresholds"]
    np.testing.assert_allclose(fresh["logits"], committed["logits"], rtol=0, atol=1e-9)
    assert len(set(committed["coverage"])) == len(golden.CROPS), "crops should differ in coverage"


def test_a_short_run_extracts_once_and_exports_thresholds_mlp_and_the_backbone_reference(tmp_path):
    cache = synthetic_video_cache(tmp_path / "cache")
    torch.manual_seed(0)
    backbone = tmp_path / "backbone.safetensors"
    state = {k: v.contiguous() for k, v in EfficientNetLite0().state_dict().items() if not k.endswith("num_batches_tracked")}
    save_file(state, str(backbone), metadata={"architecture": "efficientnet_lite0"})
    out = tmp_path / "run"
    threads = torch.get_num_threads()
    args = ["--cache", str(cache), "--out", str(out), "--backbone", str(backbone), "--batches", "2", "--reals", "4",
            "--epochs", "2", "--eval-every", "1", "--name", "fakespotter-test", "--threads", "1"]
    try:
        assert train_fakespotter.main(args) == 0
        features = np.load(out / "features.npz")
        assert features["train"].shape == (2 * (4 * 2 + 2), NEURONS)
        stamp = (out / "features.npz").stat().st_mtime_ns
        assert train_fakespotter.main(args) == 0  # the rerun reuses the extraction
        assert (out / "features.npz").stat().st_mtime_ns == stamp
    finally:
        torch.set_num_threads(threads)
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [entry["epoch"] for entry in log] == [1, 2, 1, 2] and "val_video_auc" in log[-1]
    with safe_open(str(out / "model.safetensors"), "pt") as weights:
        keys, card = set(weights.keys()), weights.metadata()
        thresholds = weights.get_tensor("thresholds")
    assert keys == {"thresholds"} | {f"mlp.{i}.{p}" for i in (0, 2, 4, 6, 8) for p in ("weight", "bias")}
    assert card["architecture"] == "fakespotter" and card["name"] == "fakespotter-test" and card["input_size"] == "128"
    reference = json.loads(card["fakespotter_backbone"])
    assert reference == {"file": "backbone.safetensors", "sha256": train_fakespotter.sha256(backbone)}
    assert (out / "backbone.safetensors").read_bytes() == backbone.read_bytes()
    reals = features["train"][features["train_labels"] == 0]
    bounds = np.cumsum((0,) + LAYER_CHANNELS)
    expected = [reals[:, a:b].mean() for a, b in zip(bounds[:-1], bounds[1:])]
    np.testing.assert_allclose(thresholds.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert set(json.loads(card["metrics"])) >= {"val_video_auc", "val_sbi_auc", "train_real_coverage"}
