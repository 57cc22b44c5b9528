"""Generator-reconstruction pseudo-fakes (pseudofakes/reconstruct.py) on synthetic crops: the
autoencoder's shapes, the family's output and determinism, a short training run that writes a
loadable file, and train_video's refusal to draw the family without an autoencoder."""
import numpy as np
import pytest
import torch

from Training import train_video
from Training.pseudofakes.geometry import template_landmarks
from Training.pseudofakes.masks import random_face_mask
from Training.pseudofakes.reconstruct import (ReconstructionAE, load_reconstructor, reconstruct, save_reconstructor,
                                              train)
from Training.tests.test_video_training import synthetic_video_cache


def crops(count: int, size: int = 256, seed: int = 0) -> np.ndarray:
    """Smooth gradients plus noise: something an autoencoder can partly learn in a few steps."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:size, 0:size] / size
    base = np.stack([xs, ys, 1 - xs], axis=-1) * 200
    return np.clip(base[None] + rng.normal(0, 20, (count, size, size, 3)), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return ReconstructionAE().eval()


def test_autoencoder_shapes(model):
    x = torch.rand(2, 3, 256, 256)
    with torch.no_grad():
        code, out = model.encoder(x), model(x)
    assert code.shape == (2, 64, 32, 32)
    assert out.shape == x.shape and float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    assert sum(isinstance(m, torch.nn.ConvTranspose2d) for m in model.decoder) == 3


def test_family_changes_only_the_masked_face_and_is_deterministic(model):
    image, landmarks = crops(1)[0], template_landmarks()
    result = reconstruct(image, landmarks, np.random.default_rng(5), model)
    assert result.image.dtype == np.uint8 and result.image.shape == (256, 256, 3)
    changed = np.any(result.image != image, axis=-1)
    assert changed.any() and not changed[result.mask == 0].any()
    assert np.array_equal(result.mask, random_face_mask(landmarks, np.random.default_rng(5)))  # the mask is the rng's only draw
    again = reconstruct(image, landmarks, np.random.default_rng(5), model)
    assert np.array_equal(result.image, again.image)
    other = reconstruct(image, landmarks, np.random.default_rng(6), model)
    assert not np.array_equal(result.image, other.image)


def test_a_short_training_run_writes_a_loadable_reconstructor(tmp_path):
    path = tmp_path / "ae" / "reconstructor.pt"
    info = train(crops(8, size=64), path, seed=3, batch=4, max_steps=3, log_every=1, width=8, latent=8)
    assert info["steps"] == 3 and path.exists()
    loaded = load_reconstructor(path)
    assert not loaded.training and not any(p.requires_grad for p in loaded.parameters())
    with torch.no_grad():
        assert loaded(torch.rand(1, 3, 64, 64)).shape == (1, 3, 64, 64)
    again = tmp_path / "again.pt"
    train(crops(8, size=64), again, seed=3, batch=4, max_steps=3, log_every=1, width=8, latent=8)
    first, second = torch.load(path, weights_only=True), torch.load(again, weights_only=True)
    assert all(torch.equal(first["state_dict"][k], second["state_dict"][k]) for k in first["state_dict"])


def test_train_video_needs_a_reconstructor_for_the_family(tmp_path, capsys):
    cache = synthetic_video_cache(tmp_path / "cache")
    with pytest.raises(SystemExit):
        train_video.main(["--cache", str(cache), "--out", str(tmp_path / "run"), "--recipe", "meso4",
                          "--steps", "1", "--reals", "2", "--pseudo-fakes", "self_blend,reconstruct"])
    assert "--reconstructor" in capsys.readouterr().err
    data = train_video.load_video_cache(cache)
    with pytest.raises(ValueError, match="reconstructor"):
        train_video.VideoBatches(data, 3, 6, False, 0.0, families=("self_blend", "reconstruct"))


def test_train_video_draws_reconstructions_next_to_sbi(tmp_path):
    cache = synthetic_video_cache(tmp_path / "cache")
    data = train_video.load_video_cache(cache)
    torch.manual_seed(0)
    ae = ReconstructionAE(width=8, latent=8).eval()
    sbi, _ = train_video.VideoBatches(data, 3, 6, False, 0.0)(5)
    mixed = train_video.VideoBatches(data, 3, 6, False, 0.0, families=("self_blend", "reconstruct"), reconstructor=ae)
    images, labels = mixed(5)
    assert images.shape == sbi.shape and labels.tolist() == [0, 1] * 6
    assert np.array_equal(images, mixed(5)[0])
    path = tmp_path / "ae.pt"
    save_reconstructor(ae, path, {})
    out = tmp_path / "run"
    assert train_video.main(["--cache", str(cache), "--out", str(out), "--recipe", "meso4", "--steps", "2", "--reals", "2",
                             "--threads", "1", "--pseudo-fakes", "self_blend,reconstruct", "--reconstructor", str(path)]) == 0
    assert (out / "model.safetensors").exists()
