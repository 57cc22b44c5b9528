"""Cross-identity blending (Face X-ray, Li et al. CVPR 2020): another person's face, chosen
for the nearest landmark geometry, aligned and colour-matched, blended into the target."""

import numpy as np

from .blend import BlendResult, blend, random_blend_ratio
from .geometry import normalised_geometry, similarity_transform, warp_affine
from .image_ops import match_colour, to_float
from .masks import random_face_mask


def nearest_partners(landmarks: np.ndarray, identities: np.ndarray, k: int = 1, chunk: int = 2048) -> np.ndarray:
    """For each face (N×5×2 landmarks), the indices (N×k, nearest first) of the k faces of
    *other* identities whose normalised geometry is closest. A face with fewer than k other-
    identity faces gets -1 in the missing places."""
    geometry = normalised_geometry(landmarks)
    ids = np.asarray(identities)
    count = len(geometry)
    squared = (geometry**2).sum(axis=1)
    partners = np.full((count, k), -1, dtype=np.int64)
    for start in range(0, count, chunk):
        rows = slice(start, min(start + chunk, count))
        distance = squared[rows, None] + squared[None, :] - 2.0 * geometry[rows] @ geometry.T
        distance[ids[rows, None] == ids[None, :]] = np.inf  # never the same person
        width = min(k, count)
        candidates = np.argpartition(distance, width - 1, axis=1)[:, :width]
        found = np.take_along_axis(distance, candidates, axis=1)
        ranked = np.argsort(found, axis=1, kind="stable")
        order = np.take_along_axis(candidates, ranked, axis=1)
        found = np.take_along_axis(found, ranked, axis=1)
        partners[rows, :width] = np.where(np.isfinite(found), order, -1)
    return partners


def cross_identity_blend(
    target: np.ndarray,
    target_landmarks: np.ndarray,
    donor: np.ndarray,
    donor_landmarks: np.ndarray,
    rng: np.random.Generator,
) -> BlendResult:
    """Paste `donor`'s face onto `target` (both H×W×3 uint8 crops with 5 landmarks each)."""
    to_target = similarity_transform(donor_landmarks, target_landmarks)
    aligned = warp_affine(to_float(donor), to_target)
    mask = random_face_mask(target_landmarks, rng, size=target.shape[0])
    original = to_float(target)
    # Colour correction is usually good but not perfect: apply it with a random strength.
    strength = rng.uniform(0.5, 1.0)
    corrected = strength * match_colour(aligned, original, mask) + (1.0 - strength) * aligned
    return blend(corrected, original, mask * random_blend_ratio(rng))
