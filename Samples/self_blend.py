#!/usr/bin/env python3
"""Self-blending of a face region: the project's own manipulated sample, numpy only.

Reads a raw RGB24 image, makes a slightly colour-shifted, blurred and enlarged copy of
itself, and blends that copy back over the face through a soft elliptical mask. This is
the idea of Self-Blended Images (Shiohara & Yamasaki, CVPR 2022): the blend boundary and
the colour/sharpness mismatch are the traces that face-swap detectors learn to see, made
without any third party's face.

usage: self_blend.py IN.rgb OUT.rgb WIDTH HEIGHT CX CY RX RY
  CX, CY: face centre in pixels; RX, RY: half-width and half-height of the face ellipse.
"""
import sys

import numpy as np


def gaussian_blur(image, sigma):
    """Separable Gaussian blur with edge padding; image is H×W or H×W×C float."""
    radius = int(3 * sigma + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    out = image
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, mode="edge")
        acc = np.zeros_like(out)
        for i, k in enumerate(kernel):
            acc += k * np.take(padded, np.arange(i, i + out.shape[axis]), axis=axis)
        out = acc
    return out


def scaled_about(image, cx, cy, scale, dx, dy):
    """Bilinear resampling of `image` enlarged by `scale` about (cx, cy), then moved by (dx, dy)."""
    h, w = image.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    src_x = np.clip((xs - cx - dx) / scale + cx, 0, w - 1)
    src_y = np.clip((ys - cy - dy) / scale + cy, 0, h - 1)
    x0 = np.floor(src_x).astype(int)
    y0 = np.floor(src_y).astype(int)
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    fx = (src_x - x0)[..., None]
    fy = (src_y - y0)[..., None]
    top = image[y0, x0] * (1 - fx) + image[y0, x1] * fx
    bottom = image[y1, x0] * (1 - fx) + image[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def main():
    if len(sys.argv) != 9:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    width, height = int(sys.argv[3]), int(sys.argv[4])
    cx, cy, rx, ry = (float(v) for v in sys.argv[5:9])
    raw = np.fromfile(source, dtype=np.uint8)
    if raw.size != width * height * 3:
        sys.exit(f"{source}: {raw.size} bytes, expected {width}x{height}x3")
    image = raw.reshape(height, width, 3).astype(np.float64)

    # The "other face": the same face, 4 % larger, shifted by a few pixels, warmer and
    # softer. Each change alone is subtle; together they leave a visible seam at the mask.
    donor = scaled_about(image, cx, cy, 1.04, 2.0, -3.0)
    donor = gaussian_blur(donor, 1.6)
    donor = donor * np.array([1.10, 0.98, 0.86]) + np.array([6.0, 0.0, -4.0])

    # Soft elliptical mask: 1 inside the face, falling to 0 over the outer 30 % of the radius.
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    r = np.sqrt(((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2)
    mask = np.clip((1.0 - r) / 0.3, 0.0, 1.0)
    mask = gaussian_blur(mask, 3.0)[..., None]

    blended = mask * donor + (1.0 - mask) * image
    np.clip(np.rint(blended), 0, 255).astype(np.uint8).tofile(target)


if __name__ == "__main__":
    main()
