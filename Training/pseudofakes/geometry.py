"""Landmark geometry shared by the mask and blending code.

Landmarks are the five points `deepfake-scan faces` writes, in crop pixels (x, y), in the
Swift `FiveLandmarks` order: eye on the image's left, eye on the image's right, nose tip,
mouth corner on the image's left, mouth corner on the image's right.
"""

import numpy as np
from PIL import Image

CROP_SIZE = 256
CROP_MARGIN = 1.3

# ArcFace 112x112 layout, as Sources/FaceAlign/FaceTemplate.swift places it.
_ARCFACE_112 = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]]
)


def template_landmarks(crop_size: int = CROP_SIZE, margin: float = CROP_MARGIN) -> np.ndarray:
    """Where the aligner puts the five points in a crop (same formula as FaceTemplate.swift)."""
    pad = 112.0 * (margin - 1.0) / 2.0
    scale = crop_size / (112.0 * margin)
    return (_ARCFACE_112 + pad) * scale


def face_frame(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Face-centred axes: eye midpoint, unit vectors across and down the face, eye distance,
    eye-to-mouth height. Lets outline points be placed in face units whatever the pose."""
    lm = np.asarray(landmarks, dtype=np.float64)
    eye_mid = (lm[0] + lm[1]) / 2.0
    mouth_mid = (lm[3] + lm[4]) / 2.0
    across = lm[1] - lm[0]
    width = float(np.hypot(*across))
    across = across / max(width, 1e-6)
    down = np.array([-across[1], across[0]])
    height = float(np.dot(mouth_mid - eye_mid, down))
    return eye_mid, across, down, width, max(height, 1e-6)


def normalised_geometry(landmarks: np.ndarray) -> np.ndarray:
    """Landmarks without translation and scale (centroid at 0, RMS radius 1), flattened to
    10 numbers: what is left is the pose and face shape, which blend partners must share."""
    lm = np.asarray(landmarks, dtype=np.float64).reshape(-1, 5, 2)
    centred = lm - lm.mean(axis=1, keepdims=True)
    radius = np.sqrt((centred**2).sum(axis=2).mean(axis=1))
    return (centred / np.maximum(radius, 1e-9)[:, None, None]).reshape(len(lm), 10)


def similarity_transform(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least-squares similarity (Umeyama 1991) mapping source points onto target points,
    as a 2x3 matrix acting on (x, y, 1)."""
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(target, dtype=np.float64)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    covariance = dst_c.T @ src_c / len(src)
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1] = -1.0  # reflection is not a similarity
    rotation = u @ np.diag(sign) @ vt
    scale = (singular * sign).sum() / (src_c**2).sum(axis=1).mean()
    matrix = np.zeros((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = dst_mean - matrix[:, :2] @ src_mean
    return matrix


def warp_affine(image: np.ndarray, matrix: np.ndarray, reach: int = 64) -> np.ndarray:
    """Warp an H×W or H×W×C float image by a 2x3 (x, y) matrix, bilinear. The image is
    first mirrored `reach` pixels outward, so the area a shift or shrink uncovers shows
    mirrored content instead of a black border (a border would be a tell)."""
    data = np.asarray(image, dtype=np.float32)
    planes = data[..., None] if data.ndim == 2 else data
    height, width = planes.shape[:2]
    padded = np.pad(planes, ((reach, reach), (reach, reach), (0, 0)), mode="reflect")
    inverse = np.linalg.inv(np.vstack([matrix, [0.0, 0.0, 1.0]]))
    # Pillow maps each output pixel to an input position; the padding shifts inputs by `reach`.
    coefficients = (*inverse[0, :2], inverse[0, 2] + reach, *inverse[1, :2], inverse[1, 2] + reach)
    warped = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(padded[..., c]), "F").transform(
                (width, height), Image.Transform.AFFINE, coefficients, resample=Image.Resampling.BILINEAR
            )
        )
        for c in range(planes.shape[2])
    ]
    out = np.stack(warped, axis=-1)
    return out[..., 0] if data.ndim == 2 else out


def apply_transform(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map (x, y) points through a 2x3 matrix."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ matrix[:, :2].T + matrix[:, 2]
