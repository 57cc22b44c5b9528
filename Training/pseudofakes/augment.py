"""Robustness augmentations: the degradations videos go through after a face is swapped
(re-encoding, blur, rescaling, sensor noise), so a detector cannot rely on pristine pixels.
Parameters mean the same as in `deepfake-scan eval --perturb jpeg:Q,blur:S,resize:F,noise:N`.
All take and return H×W×3 uint8 RGB of the same shape."""

import io

import numpy as np
from PIL import Image

from .image_ops import gaussian_blur, to_float, to_uint8


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as JPEG at `quality` (1–100, Pillow's scale)."""
    buffer = io.BytesIO()
    Image.fromarray(image, "RGB").save(buffer, format="JPEG", quality=int(quality))
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with standard deviation `sigma` pixels."""
    return to_uint8(gaussian_blur(to_float(image), sigma))


def resize_down_up(image: np.ndarray, factor: float) -> np.ndarray:
    """Shrink by `factor` (0 < factor ≤ 1) and enlarge back, both bilinear: lost resolution."""
    height, width = image.shape[:2]
    small = (max(1, round(width * factor)), max(1, round(height * factor)))
    down = Image.fromarray(image, "RGB").resize(small, Image.Resampling.BILINEAR)
    return np.asarray(down.resize((width, height), Image.Resampling.BILINEAR))


def gaussian_noise(image: np.ndarray, std: float, rng: np.random.Generator) -> np.ndarray:
    """Add Gaussian noise of standard deviation `std` in units of the full range (0.03 = 7.65/255)."""
    noise = rng.normal(0.0, std * 255.0, size=image.shape)
    return to_uint8(to_float(image) + noise)


def random_robustness(image: np.ndarray, rng: np.random.Generator, probability: float = 0.3) -> np.ndarray:
    """Apply each degradation with `probability`, in a random order, with random strength:
    JPEG quality 30–100, blur σ 0.3–1.5 px, resize factor 0.4–0.9, noise 0.005–0.03."""
    steps = [
        lambda x: jpeg(x, int(rng.integers(30, 101))),
        lambda x: blur(x, rng.uniform(0.3, 1.5)),
        lambda x: resize_down_up(x, rng.uniform(0.4, 0.9)),
        lambda x: gaussian_noise(x, rng.uniform(0.005, 0.03), rng),
    ]
    out = image
    for index in rng.permutation(len(steps)):
        if rng.random() < probability:
            out = steps[index](out)
    return out
