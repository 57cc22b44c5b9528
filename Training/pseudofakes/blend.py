"""Mask-weighted blending, the step both pseudo-fake generators end with."""

from dataclasses import dataclass

import numpy as np

from .image_ops import to_uint8

# SBI's blend ratios: most blends are full, some leave part of the target showing through.
_BLEND_RATIOS = np.array([0.25, 0.5, 0.75, 1.0, 1.0, 1.0])


@dataclass(frozen=True)
class BlendResult:
    """A pseudo-fake: `image` H×W×3 uint8 RGB, `mask` H×W float32 in [0, 1], the weight the
    source got at each pixel (0 = untouched target)."""

    image: np.ndarray
    mask: np.ndarray


def random_blend_ratio(rng: np.random.Generator) -> float:
    return float(rng.choice(_BLEND_RATIOS))


def blend(source: np.ndarray, target: np.ndarray, mask: np.ndarray) -> BlendResult:
    """mask*source + (1-mask)*target. Where the mask is 0 the output is the target exactly."""
    weight = np.asarray(mask, dtype=np.float32)
    mixed = weight[..., None] * source + (1.0 - weight[..., None]) * np.asarray(target, dtype=np.float32)
    return BlendResult(image=to_uint8(mixed), mask=weight)
