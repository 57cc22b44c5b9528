"""Robustness augmentations keep shape and dtype, degrade as asked, and repeat with a seed."""

import numpy as np
import pytest

from Training.pseudofakes.augment import blur, gaussian_noise, jpeg, random_robustness, resize_down_up


def textured(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:96, 0:128]
    stripes = 127 + 100 * np.sin(xs / 3.0)[..., None] * np.cos(ys / 5.0)[..., None]
    return np.clip(stripes + rng.normal(0, 10, size=(96, 128, 3)), 0, 255).astype(np.uint8)


def detail(image: np.ndarray) -> float:
    """Mean absolute horizontal difference: high-frequency content."""
    return float(np.abs(np.diff(image.astype(np.float64), axis=1)).mean())


@pytest.mark.parametrize(
    "operation",
    [
        lambda x: jpeg(x, 30),
        lambda x: jpeg(x, 100),
        lambda x: blur(x, 1.5),
        lambda x: resize_down_up(x, 0.5),
        lambda x: gaussian_noise(x, 0.03, np.random.default_rng(0)),
        lambda x: random_robustness(x, np.random.default_rng(0), probability=1.0),
    ],
)
def test_each_augmentation_keeps_shape_and_dtype(operation):
    image = textured()
    out = operation(image)
    assert out.shape == image.shape and out.dtype == np.uint8


def test_lower_jpeg_quality_loses_more():
    image = textured()
    error = {q: np.abs(jpeg(image, q).astype(int) - image).mean() for q in (30, 95)}
    assert error[30] > error[95] > 0


def test_blur_and_resize_remove_detail():
    image = textured()
    assert detail(blur(image, 1.5)) < 0.7 * detail(image)
    assert detail(resize_down_up(image, 0.4)) < 0.8 * detail(image)


def test_noise_has_the_requested_spread():
    flat = np.full((200, 200, 3), 128, np.uint8)
    noisy = gaussian_noise(flat, 0.03, np.random.default_rng(1)).astype(np.float64)
    assert noisy.std() == pytest.approx(0.03 * 255, rel=0.05)


def test_random_robustness_is_deterministic_and_probability_zero_is_identity():
    image = textured(2)
    a = random_robustness(image, np.random.default_rng(5), probability=1.0)
    b = random_robustness(image, np.random.default_rng(5), probability=1.0)
    assert np.array_equal(a, b) and not np.array_equal(a, image)
    assert np.array_equal(random_robustness(image, np.random.default_rng(5), probability=0.0), image)
