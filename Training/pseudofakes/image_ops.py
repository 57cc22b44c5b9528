"""Photometric and geometric changes that make one side of a blend differ from the other.
Images here are H×W×3 float32 RGB in [0, 255]; every random choice comes from `rng`."""

import numpy as np
from scipy import ndimage

from .geometry import warp_affine


def to_float(image: np.ndarray) -> np.ndarray:
    return np.asarray(image, dtype=np.float32)


def to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


# RGB → YIQ (NTSC): luma plus two chroma axes; rotating the chroma plane turns the hue,
# scaling it changes saturation. One 3×3 matrix does both, far cheaper than an HSV round trip.
_RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
_YIQ_TO_RGB = np.linalg.inv(_RGB_TO_YIQ)


def colour_matrix(hue: float, saturation: float, value: float) -> np.ndarray:
    """3×3 RGB matrix: hue turned by `hue` radians, chroma scaled by `saturation`, all by `value`."""
    c, s = np.cos(hue) * saturation, np.sin(hue) * saturation
    chroma = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    return value * (_YIQ_TO_RGB @ chroma @ _RGB_TO_YIQ)


def colour_jitter(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per-channel RGB shift, hue/saturation/value change, brightness and contrast: the
    colour mismatch between a pasted face and its surroundings. Kept moderate (a contact
    sheet at ±20 RGB and ±20 % contrast showed faces turned plainly pink: too easy a tell)."""
    shift = rng.uniform(-12.0, 12.0, size=3)
    matrix = colour_matrix(rng.uniform(-0.12, 0.12), rng.uniform(0.85, 1.15), rng.uniform(0.92, 1.08))
    out = (image.reshape(-1, 3) + shift) @ matrix.T.astype(np.float32)
    contrast = rng.uniform(0.9, 1.1)
    brightness = rng.uniform(-0.06, 0.06) * 255.0
    mean = out.mean()
    out = (out - mean) * contrast + mean + brightness
    return np.clip(out, 0.0, 255.0).astype(np.float32).reshape(image.shape)


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Blur each channel (not across channels)."""
    return ndimage.gaussian_filter(image, sigma=(sigma, sigma, 0.0))


def sharpen(image: np.ndarray, amount: float, sigma: float = 1.0) -> np.ndarray:
    """Unsharp mask: add back `amount` times the detail a blur removes."""
    return np.clip(image + amount * (image - gaussian_blur(image, sigma)), 0.0, 255.0)


def sharpness_jitter(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Either blur or sharpen, the resolution mismatch a generator's output has."""
    if rng.random() < 0.5:
        return gaussian_blur(image, rng.uniform(0.5, 1.6))
    return sharpen(image, rng.uniform(0.3, 1.2))


def geometric_jitter(image: np.ndarray, rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
    """Scale by up to ±5 % about `centre` (x, y) and shift by up to ±3 % of the side, so the
    two sides of the blend are slightly misregistered, as a warped-in face is."""
    size = image.shape[0]
    scale = rng.uniform(0.95, 1.05, size=2)
    shift = rng.uniform(-0.03, 0.03, size=2) * size
    matrix = np.zeros((2, 3))
    matrix[0, 0], matrix[1, 1] = scale
    matrix[:, 2] = centre - scale * centre + shift
    return warp_affine(image, matrix)


def match_colour(donor: np.ndarray, reference: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Give `donor` the per-channel mean and spread `reference` has inside `region`
    (a weight map), as swap pipelines colour-correct a face before pasting it."""
    weights = region[..., None].astype(np.float64)
    total = weights.sum()
    if total < 1.0:
        return donor
    d_mean = (donor * weights).sum(axis=(0, 1)) / total
    r_mean = (reference * weights).sum(axis=(0, 1)) / total
    d_std = np.sqrt(((donor - d_mean) ** 2 * weights).sum(axis=(0, 1)) / total)
    r_std = np.sqrt(((reference - r_mean) ** 2 * weights).sum(axis=(0, 1)) / total)
    gain = r_std / np.maximum(d_std, 1e-3)
    return np.clip((donor - d_mean) * gain + r_mean, 0.0, 255.0).astype(np.float32)
