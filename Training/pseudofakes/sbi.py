"""Self-blended images (Shiohara & Yamasaki, CVPR 2022): a face blended with an altered
copy of itself. The only tells are the blend boundary and the colour, sharpness and
registration mismatch, which is what a detector should learn instead of one method's traces."""

import numpy as np

from .blend import BlendResult, blend, random_blend_ratio
from .geometry import face_frame
from .image_ops import colour_jitter, geometric_jitter, sharpness_jitter, to_float
from .masks import random_face_mask


def altered_copy(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The face with colour jitter, blur or sharpening, and a small scale/shift about its
    centre (float32, [0, 255])."""
    out = colour_jitter(to_float(image), rng)
    out = sharpness_jitter(out, rng)
    centre = face_frame(landmarks)[0]
    return geometric_jitter(out, rng, centre)


def self_blend(
    image: np.ndarray,
    landmarks: np.ndarray,
    rng: np.random.Generator,
    altered: str | None = None,
) -> BlendResult:
    """One SBI sample from a real crop (H×W×3 uint8) and its 5 landmarks (crop pixels).

    `altered` says which side gets the changes: "source" (the pasted face) or "target"
    (the surroundings); None picks either at random, as the paper does.
    """
    if altered is None:
        altered = "source" if rng.random() < 0.5 else "target"
    if altered not in ("source", "target"):
        raise ValueError(f"altered must be 'source', 'target' or None, not {altered!r}")
    changed = altered_copy(image, landmarks, rng)
    original = to_float(image)
    mask = random_face_mask(landmarks, rng, size=image.shape[0]) * random_blend_ratio(rng)
    if altered == "source":
        return blend(changed, original, mask)
    return blend(original, changed, mask)
