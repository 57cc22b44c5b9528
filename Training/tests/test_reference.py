"""Importer, NumPy reference and golden fixtures: numpy, h5py and safetensors only (no torch)."""
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


@needs_shared
@pytest.mark.parametrize("name", ["Meso4_DF", "MesoInception_DF"])
def test_df_models_classify_sample_faces_as_their_folders(name):
    p_fake = load_file(str(GOLDEN))[f"{name}.images.p_fake"]
    is_fake = np.array([p.startswith("df/") for p in keras_reference.IMAGES])
    assert ((p_fake > 0.5) == is_fake).all(), p_fake


@needs_shared
def test_card_says_p_fake_and_source_hash():
    _, card = mesonet_keras.convert(str(SHARED / "weights/mesonet/Meso4_DF.h5"))
    assert card["architecture"] == "meso4" and card["score_semantics"] == "p_fake, 1 = fake"
    assert card["scaling"] == "x/255" and len(card["source_sha256"]) == 64
    assert json.loads(card["metrics"])


@needs_shared
def test_reference_reproduces_the_committed_fixture():
    golden = load_file(str(GOLDEN))
    logit_fake = -keras_reference.keras_logit_real(str(SHARED / "weights/mesonet/Meso4_DF.h5"), golden["inputs"])
    assert np.abs(logit_fake - golden["Meso4_DF.random.logit"]).max() <= 1e-4


def test_keras_same_pool_pads_bottom_right():
    x = np.arange(7 * 10, dtype=np.float64).reshape(1, 7, 10, 1)
    pooled = keras_reference.max_pool_same(x, 4)
    assert pooled.shape == (1, 2, 3, 1)
    # total padding 1 row (bottom) and 2 columns (1 left, 1 right): the last window sees row 6, columns 7..9
    assert pooled[0, 1, 2, 0] == 69 and pooled[0, 0, 0, 0] == 32


def test_fixture_inputs_are_what_the_generator_makes():
    assert np.array_equal(load_file(str(GOLDEN))["inputs"], keras_reference.random_inputs())
