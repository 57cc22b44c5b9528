"""Keeping training crops free of borders scan crops do not have.

UTKFace photos are tight 200×200 face crops: aligned with margin 1.3 the crop reaches past the
photo, and the aligner fills that area by repeating the edge pixels (smeared streaks) — a
systematic difference from video crops that a detector would learn. The cache builder
therefore pads such photos *before* `deepfake-scan faces` sees them: a mirror image of the
photo, strongly blurred so it reads as out-of-focus background rather than as mirrored faces,
joined to the sharp photo by a short feather. `outside_share` measures what part of a crop
still falls outside the (padded) photo.
"""

import numpy as np
from PIL import Image
from scipy import ndimage

from Training.pseudofakes.geometry import apply_transform, similarity_transform


def reflect_pad(image: np.ndarray, fraction: float) -> np.ndarray:
    """Pad H×W×C by `fraction` of each side on every side, mirroring the image (no edge repeat)."""
    height, width = image.shape[:2]
    pad_y, pad_x = round(height * fraction), round(width * fraction)
    if pad_y >= height or pad_x >= width:
        raise ValueError(f"fraction {fraction} too large for a single reflection of {width}×{height}")
    return np.pad(image, ((pad_y, pad_y), (pad_x, pad_x), (0, 0)), mode="reflect")


def blurred_reflect_pad(image: np.ndarray, fraction: float, sigma: float = 8.0, far_sigma: float = 24.0,
                        feather: int = 6) -> np.ndarray:
    """`reflect_pad`, with the padding blurred: by `sigma` px at the photo's edge, growing to
    `far_sigma` px half a pad away, where the mirror image would otherwise show a ghost of the
    face. The photo itself stays sharp except for a `feather`-px ramp at its edge so no seam
    line appears (uint8 in, uint8 out)."""
    padded = reflect_pad(image, fraction).astype(np.float32)
    near, far = _wide_blur(padded, sigma), _wide_blur(padded, far_sigma)
    height, width = image.shape[:2]
    pad_y, pad_x = (padded.shape[0] - height) // 2, (padded.shape[1] - width) // 2
    # Distance (px) outside the photo: negative inside.
    ys, xs = np.arange(padded.shape[0]), np.arange(padded.shape[1])
    out_y = np.maximum(pad_y - ys, ys - (pad_y + height - 1))
    out_x = np.maximum(pad_x - xs, xs - (pad_x + width - 1))
    distance = np.maximum(out_y[:, None], out_x[None, :])[..., None].astype(np.float32)
    sharp = np.clip(1.0 - (distance + feather) / feather, 0.0, 1.0)  # 1 inside, 0 at the edge
    farness = np.clip(distance / max(min(pad_x, pad_y) / 2.0, 1.0), 0.0, 1.0)
    background = (1.0 - farness) * near + farness * far
    return np.clip(np.rint(sharp * padded + (1.0 - sharp) * background), 0, 255).astype(np.uint8)


def _wide_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of H×W×3 float, computed on a copy shrunk by about σ/4 (the result has
    no detail at that scale anyway) and enlarged back: ~10× faster for σ ≥ 8."""
    height, width = image.shape[:2]
    factor = max(1, int(sigma // 4))
    small_size = (max(1, width // factor), max(1, height // factor))
    planes = []
    for c in range(image.shape[2]):
        small = Image.fromarray(np.ascontiguousarray(image[..., c]), "F").resize(small_size, Image.Resampling.BOX)
        blurred = ndimage.gaussian_filter(np.asarray(small), sigma / factor, mode="reflect")
        planes.append(np.asarray(Image.fromarray(blurred, "F").resize((width, height), Image.Resampling.BILINEAR)))
    return np.stack(planes, axis=-1)


def outside_share(
    crop_landmarks: np.ndarray,
    source_landmarks: np.ndarray,
    source_size: tuple[int, int],
    crop_size: int = 256,
    samples: int = 64,
) -> float:
    """Share of the crop (0–1) that maps outside the source image, given the same 5 points in
    crop and in source pixels and the source's (width, height)."""
    crop_to_source = similarity_transform(crop_landmarks, source_landmarks)
    grid = (np.arange(samples) + 0.5) * crop_size / samples
    xs, ys = np.meshgrid(grid, grid)
    mapped = apply_transform(crop_to_source, np.stack([xs.ravel(), ys.ravel()], axis=1))
    width, height = source_size
    inside = (mapped[:, 0] >= 0) & (mapped[:, 0] <= width) & (mapped[:, 1] >= 0) & (mapped[:, 1] <= height)
    return float(1.0 - inside.mean())
