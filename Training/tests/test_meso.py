"""The PyTorch port with imported weights reproduces the NumPy Keras-semantics golden fixtures."""
import json
import os
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


@needs_shared
@pytest.mark.parametrize("name", ["Meso4_DF", "MesoInception_DF"])
def test_df_models_classify_sample_faces_as_their_folders(name):
    golden = load_file(str(GOLDEN))
    p_fake = golden[f"{name}.images.p_fake"]
    is_fake = np.array([p.startswith("df/") for p in keras_reference.IMAGES])
    assert ((p_fake > 0.5) == is_fake).all(), p_fake


@needs_shared
def test_card_says_p_fake_and_source_hash():
    _, card = mesonet_keras.convert(str(SHARED / "weights/mesonet/Meso4_DF.h5"))
    assert card["architecture"] == "meso4" and card["score_semantics"] == "p_fake, 1 = fake"
    assert card["scaling"] == "x/255" and len(card["source_sha256"]) == 64
    assert json.loads(card["metrics"])


def test_keras_same_pool_pads_bottom_right():
    x = torch.arange(7 * 10, dtype=torch.float32).reshape(1, 1, 7, 10)
    pooled = meso.keras_same_max_pool(x, 4)
    assert pooled.shape == (1, 1, 2, 3)
    reference = keras_reference.max_pool_same(x.permute(0, 2, 3, 1).numpy().astype(np.float64), 4)
    assert np.array_equal(pooled.permute(0, 2, 3, 1).numpy(), reference)


def test_fixture_inputs_are_what_the_generator_makes():
    assert np.array_equal(load_file(str(GOLDEN))["inputs"], keras_reference.random_inputs())
