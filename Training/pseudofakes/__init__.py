"""Pseudo-fake generators (self-blended and cross-identity), their masks, and robustness
augmentations. Inputs are aligned 256×256 RGB uint8 crops with 5 landmarks in crop pixels,
as `deepfake-scan faces` writes them; every random choice comes from a numpy Generator."""

from .augment import gaussian_noise, jpeg, random_robustness, resize_down_up
from .blend import BlendResult, blend
from .cross_identity import cross_identity_blend, nearest_partners
from .masks import random_face_mask
from .sampler import Batch, PseudoFakeSampler
from .sbi import self_blend

__all__ = [
    "Batch",
    "BlendResult",
    "PseudoFakeSampler",
    "blend",
    "cross_identity_blend",
    "gaussian_noise",
    "jpeg",
    "nearest_partners",
    "random_face_mask",
    "random_robustness",
    "resize_down_up",
    "self_blend",
]
