"""Pseudo-manipulation families for AMTENnet's classes, made from real aligned crops (256×256
RGB uint8 with 5 landmarks in crop pixels). Each stands for a kind of manipulation the paper
separates (identity, expression, attribute) with the traces it leaves, not one method's:

- `self_blend`: SBI (sbi.py), the face blended with an altered copy of itself.
- `cross_blend`: another real identity's face aligned, colour-matched and blended in (Face X-ray;
  cross_identity.py): identity manipulation.
- `local_warp`: a smooth elastic warp around the mouth or the eyes (a few Gaussian displacement
  bumps, up to ~7 px), blended back with a soft mask: expression-like manipulation.
- `colour_shift`: a strong local hue/saturation/brightness change inside a soft region (the face,
  the lower face or a cheek/lip blob), nothing moved or resharpened: attribute-like manipulation.

Every random choice comes from the `rng` passed in, so a seed gives the same bytes.
"""
import numpy as np
from scipy import ndimage

from .blend import BlendResult, blend, random_blend_ratio
from .cross_identity import cross_identity_blend
from .geometry import face_frame
from .image_ops import colour_matrix, to_float
from .masks import random_face_mask
from .sbi import self_blend

FAMILIES = ("self_blend", "cross_blend", "local_warp", "colour_shift")


def _blob(size: int, centre: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Soft elliptical weight (1 at `centre`, Gaussian fall-off with `radii` (x, y) px)."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    return np.exp(-0.5 * (((xs - centre[0]) / radii[0]) ** 2 + ((ys - centre[1]) / radii[1]) ** 2)).astype(np.float32)


def _region(landmarks: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """A part an expression moves: centre (x, y) and scale (px) of the mouth, one eye or both eyes."""
    lm = np.asarray(landmarks, dtype=np.float64)
    eye_mid, _, _, width, height = face_frame(lm)
    part = rng.integers(3)
    if part == 0:
        return (lm[3] + lm[4]) / 2.0, 0.45 * width
    if part == 1:
        return lm[rng.integers(2)], 0.3 * width
    return eye_mid, 0.6 * width


def local_warp(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> BlendResult:
    """Expression-like: a smooth displacement field of 2–4 Gaussian bumps near the mouth or eyes."""
    size = image.shape[0]
    centre, scale = _region(landmarks, rng)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    dx, dy = np.zeros((size, size), np.float32), np.zeros((size, size), np.float32)
    for _ in range(rng.integers(2, 5)):
        at = centre + rng.normal(0.0, 0.5, size=2) * scale
        sigma = scale * rng.uniform(0.35, 0.8)
        push = rng.uniform(-1.0, 1.0, size=2)
        push *= rng.uniform(2.0, 7.0) / max(float(np.hypot(*push)), 1e-6)
        bump = np.exp(-0.5 * ((xs - at[0]) ** 2 + (ys - at[1]) ** 2) / sigma**2)
        dx += push[0] * bump
        dy += push[1] * bump
    source = to_float(image)
    warped = np.stack([ndimage.map_coordinates(source[..., c], [ys - dy, xs - dx], order=1, mode="reflect")
                       for c in range(3)], axis=-1)
    mask = _blob(size, centre, np.array([2.2, 2.0]) * scale * rng.uniform(0.9, 1.3))
    mask[mask < 1.0 / 255.0] = 0.0
    return blend(warped, source, mask)


def colour_shift(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> BlendResult:
    """Attribute-like: a marked colour change (hue ±0.5 rad, saturation 0.55–1.5, value 0.8–1.2,
    per-channel shift ±20) inside the face, the lower face or a local blob; no geometry or sharpness change."""
    size = image.shape[0]
    original = to_float(image)
    matrix = colour_matrix(rng.uniform(-0.5, 0.5), rng.uniform(0.55, 1.5), rng.uniform(0.8, 1.2))
    shifted = np.clip((original.reshape(-1, 3) + rng.uniform(-20.0, 20.0, size=3)) @ matrix.T.astype(np.float32),
                      0.0, 255.0).reshape(original.shape)
    where = rng.integers(3)
    if where == 0:
        mask = random_face_mask(landmarks, rng, size=size)
    else:
        lm = np.asarray(landmarks, dtype=np.float64)
        _, _, down, width, height = face_frame(lm)
        if where == 1:  # lower face: mouth, chin, cheeks (beard, make-up, age)
            centre, radii = (lm[3] + lm[4]) / 2.0 + 0.3 * height * down, np.array([1.0, 0.8]) * width
        else:  # a cheek or the lips
            centre = lm[rng.choice([0, 1, 3, 4])] + 0.5 * height * down
            radii = np.array([0.45, 0.4]) * width
        mask = _blob(size, centre, radii * rng.uniform(0.8, 1.3))
        mask[mask < 1.0 / 255.0] = 0.0
    return blend(shifted, original, mask * max(random_blend_ratio(rng), 0.5))


def make_family(family: str, image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator,
                donor: tuple[np.ndarray, np.ndarray] | None = None) -> BlendResult:
    """One example of `family` from a real crop; `cross_blend` needs a `donor` (image, landmarks)
    of another identity."""
    if family == "self_blend":
        return self_blend(image, landmarks, rng)
    if family == "cross_blend":
        if donor is None:
            raise ValueError("cross_blend needs a donor face of another identity")
        return cross_identity_blend(image, landmarks, donor[0], donor[1], rng)
    if family == "local_warp":
        return local_warp(image, landmarks, rng)
    if family == "colour_shift":
        return colour_shift(image, landmarks, rng)
    raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
