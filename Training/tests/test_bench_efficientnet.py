"""The EfficientNet bench runs both engines at the input size the weights' card names."""
import pytest

torch = pytest.importorskip("torch")
from safetensors.torch import save_file  # noqa: E402

from Training.bench.bench_efficientnet import RECIPE, card_recipe  # noqa: E402


def _weights(tmp_path, metadata):
    path = str(tmp_path / "w.safetensors")
    save_file({"x": torch.zeros(1)}, path, metadata=metadata)
    return path


def test_card_input_size_is_followed(tmp_path):
    assert card_recipe(_weights(tmp_path, {"input_size": "160"})).input_size == 160
    assert card_recipe(_weights(tmp_path, {"input_size": "128"})).input_size == 128


def test_bundled_default_member_runs_at_128():
    assert card_recipe("Sources/Detectors/Models/video-efficientnet-lite0.safetensors").input_size == 128


def test_no_card_keeps_the_recipe_size(tmp_path):
    assert card_recipe(_weights(tmp_path, None)).input_size == RECIPE.input_size
