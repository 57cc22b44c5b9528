"""Blend masks from the five landmarks: a face-region hull, randomly deformed, eroded or
dilated and blurred. The mask is the blend weight and, later, the segmentation target."""

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from .geometry import face_frame

# Outline of the face region in face units: x in eye distances from the eye midpoint (across),
# y in eye-to-mouth heights (down). Five points alone hull only eyes-to-mouth; these extend it
# to the forehead, the cheeks and the chin, the area a face swap replaces.
_OUTLINE = np.array(
    [
        [0.0, -0.95],  # forehead centre
        [-0.65, -0.8], [0.65, -0.8],  # forehead corners
        [-0.95, -0.3], [0.95, -0.3],  # temples
        [-1.0, 0.4], [1.0, 0.4],  # cheeks
        [-0.8, 1.1], [0.8, 1.1],  # jaw
        [-0.4, 1.45], [0.4, 1.45],  # chin sides
        [0.0, 1.55],  # chin
    ]
)


def face_outline(landmarks: np.ndarray, jitter: np.ndarray | None = None) -> np.ndarray:
    """Outline points (12×2, crop pixels) around the face; `jitter` (12×2, face units)
    moves each point to vary the region's shape."""
    eye_mid, across, down, width, height = face_frame(landmarks)
    units = _OUTLINE if jitter is None else _OUTLINE + jitter
    return eye_mid + units[:, :1] * width * across + units[:, 1:] * height * down


def polygon_mask(points: np.ndarray, size: int) -> np.ndarray:
    """Filled convex hull of the points as a size×size float mask of 0 and 1."""
    return _fill(_convex_hull(points), size)


def random_face_mask(landmarks: np.ndarray, rng: np.random.Generator, size: int = 256) -> np.ndarray:
    """A random blend mask for the face at `landmarks`: size×size float32 in [0, 1], 1 inside
    the face, soft at the edge. Randomness (outline shape, affine, wavy edge, erosion or
    dilation, blur width) comes only from `rng`."""
    jitter = rng.normal(0.0, 0.06, size=_OUTLINE.shape)
    # Shrink the upper outline at random so some masks stop at the brows, as many swaps do.
    jitter[:5, 1] += rng.uniform(0.0, 0.45)
    points = _random_affine(face_outline(landmarks, jitter), rng)
    outline = _wavy(_convex_hull(points), rng, amplitude=rng.uniform(0.0, 6.0))
    region = _erode_or_dilate(_fill(outline, size) > 0.5, rng)
    mask = _soften(region, sigma=rng.uniform(2.0, 9.0))
    peak = float(mask.max())
    if peak > 0:
        mask /= peak
    mask[mask < 1.0 / 255.0] = 0.0  # below one grey level a blend changes no pixel
    return np.clip(mask, 0.0, 1.0).astype(np.float32)


def _soften(region: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a binary region, done at half resolution (8× less work; the result
    is smooth at this σ ≥ 2 anyway) and brought back to full size bilinearly."""
    height, width = region.shape
    half = region.astype(np.float32).reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
    blurred = ndimage.gaussian_filter(half, sigma=sigma / 2.0)
    return np.array(Image.fromarray(blurred, "F").resize((width, height), Image.Resampling.BILINEAR))


def _fill(polygon: np.ndarray, size: int) -> np.ndarray:
    canvas = Image.new("L", (size, size), 0)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in polygon], fill=255)
    return np.asarray(canvas, dtype=np.float32) / 255.0


def _wavy(hull: np.ndarray, rng: np.random.Generator, amplitude: float, points: int = 96) -> np.ndarray:
    """The hull resampled to `points` vertices, each pushed in or out from the centre by a
    few random low-frequency waves (up to ~`amplitude` px): an elastic-like edge that costs a
    polygon fill instead of warping the whole mask."""
    closed = np.vstack([hull, hull[:1]])
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(closed, axis=0).T))])
    t = np.linspace(0.0, along[-1], points, endpoint=False)
    dense = np.stack([np.interp(t, along, closed[:, 0]), np.interp(t, along, closed[:, 1])], axis=1)
    angle = 2.0 * np.pi * t / along[-1]
    waves = np.zeros(points)
    for frequency in range(2, 7):
        waves += rng.uniform(-1.0, 1.0) * np.cos(frequency * angle + rng.uniform(0.0, 2.0 * np.pi))
    waves *= amplitude / max(float(np.abs(waves).max()), 1e-9)
    outward = dense - dense.mean(axis=0)
    outward /= np.maximum(np.hypot(outward[:, 0], outward[:, 1]), 1e-9)[:, None]
    return dense + outward * waves[:, None]


def _random_affine(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    centre = points.mean(axis=0)
    angle = rng.uniform(-0.08, 0.08)
    scale = rng.uniform(0.9, 1.08, size=2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shift = rng.uniform(-3.0, 3.0, size=2)
    return (points - centre) * scale @ rotation.T + centre + shift


def _erode_or_dilate(region: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    steps = int(rng.integers(-6, 7))
    if steps == 0:
        return region
    structure = ndimage.generate_binary_structure(2, 1)
    operation = ndimage.binary_dilation if steps > 0 else ndimage.binary_erosion
    shrunk_or_grown = operation(region, structure, iterations=abs(steps))
    return shrunk_or_grown if shrunk_or_grown.any() else region


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain: hull vertices in order."""
    pts = sorted(map(tuple, np.asarray(points, dtype=np.float64)))
    if len(pts) < 3:
        return np.array(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])
