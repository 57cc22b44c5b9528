"""The PyTorch port with imported weights reproduces the NumPy Keras-semantics golden fixtures."""
import json
import pathlib

import numpy as np
import pytest
from safetensors.numpy import load_file

from Training.importers import mesonet_keras
from Training.reference import keras_reference

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
GOLDEN = ROOT / "Tests/Fixtures/mesonet_golden.safetensors"
needs_shared = pytest.mark.skipif(not (SHARED / "weights/mesonet").is_dir(), reason="../shared absent")
torch = pytest.importorskip("torch")
from Training.models import meso  # noqa: E402  (needs torch)


def torch_p_fake(architecture: str, state: dict, images: np.ndarray) -> np.ndarray:
    model = meso.load(architecture, state)
    x = torch.from_numpy(images.astype(np.float32) / 255).permute(0, 3, 1, 2)
    with torch.no_grad():
        return torch.sigmoid(model(x)).numpy()


@needs_shared
@pytest.mark.parametrize("name", keras_reference.WEIGHTS)
def test_torch_port_matches_golden(name):
    golden = load_file(str(GOLDEN))
    state, card = mesonet_keras.convert(str(SHARED / f"weights/mesonet/{name}.h5"))
    faces = np.stack([keras_reference.decode_image(str(SHARED / "data/images/mesonet" / p))
                      for p in keras_reference.IMAGES])
    for label, batch in (("random", golden["inputs"]), ("images", faces)):
        got = torch_p_fake(card["architecture"], state, batch)
        assert np.abs(got - golden[f"{name}.{label}.p_fake"]).max() <= 1e-4, (name, label, got)


def test_keras_same_pool_matches_the_reference():
    x = torch.arange(7 * 10, dtype=torch.float32).reshape(1, 1, 7, 10)
    pooled = meso.keras_same_max_pool(x, 4)
    reference = keras_reference.max_pool_same(x.permute(0, 2, 3, 1).numpy().astype(np.float64), 4)
    assert np.array_equal(pooled.permute(0, 2, 3, 1).numpy(), reference)


def test_strict_load_names_missing_and_unexpected_keys():
    state = {k: v.numpy() for k, v in meso.Meso4().state_dict().items() if not k.endswith("num_batches_tracked")}
    meso.load("meso4", state)
    del state["bn2.running_var"]
    state["conv9.weight"] = np.zeros(1, dtype=np.float32)
    with pytest.raises(KeyError, match="bn2.running_var.*conv9.weight"):
        meso.load("meso4", state)
