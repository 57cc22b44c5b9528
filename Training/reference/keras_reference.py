"""Independent NumPy forward pass of the MesoNet models with Keras semantics, straight from
the authors' .h5 files (NHWC, float64, "same" padding split with the extra at bottom/right),
and the golden fixtures the Swift and PyTorch ports are checked against.

    python -m Training.reference.keras_reference --shared ../shared --out Tests/Fixtures/mesonet_golden.safetensors

Shares no code with the importer or the PyTorch models on purpose. Fixture contents:
  inputs                     uint8 [N, 256, 256, 3]  our own random images (RGB)
  <weights>.random.p_fake    float32 [N]             p_fake = 1 - Keras output
  <weights>.random.logit     float32 [N]             logit of p_fake
  <weights>.images.p_fake / .logit                   the same for the 4 MesoNet sample faces
The sample faces themselves are not stored (third-party); metadata "images" lists them in order
and "image_decode" says how they were read (ffmpeg, scaled to 256x256), which the tests repeat.
"""
import argparse
import json
import os
import re
import subprocess

import h5py
import numpy as np
from safetensors.numpy import save_file

IMAGES = ["df/df00204.jpg", "df/df01254.jpg", "real/real00240.jpg", "real/real00772.jpg"]
WEIGHTS = ["Meso4_DF", "Meso4_F2F", "MesoInception_DF", "MesoInception_F2F"]
FFMPEG_DECODE = ["ffmpeg", "-v", "error", "-i", "{path}", "-vf", "scale=256:256:flags=bilinear",
                 "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]


def decode_image(path: str) -> np.ndarray:
    """uint8 [256, 256, 3] RGB, decoded and scaled by ffmpeg (the Swift tests run the same command)."""
    raw = subprocess.run([a.replace("{path}", path) for a in FFMPEG_DECODE], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(256, 256, 3)


class KerasFile:
    def __init__(self, path: str):
        self.h5 = h5py.File(path, "r")

    def layers(self, kind: str) -> list:
        names = [n.decode() for n in self.h5.attrs["layer_names"]]
        found = [n for n in names if re.fullmatch(rf"{kind}_\d+", n)]
        return sorted(found, key=lambda n: int(n.rsplit("_", 1)[1]))

    def get(self, layer: str, name: str) -> np.ndarray:
        return np.asarray(self.h5[layer][layer][f"{name}:0"], dtype=np.float64)


def same_padding(size: int, window: int, stride: int) -> tuple:
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def conv_relu(x: np.ndarray, f: KerasFile, layer: str, dilation: int = 1) -> np.ndarray:
    kernel, bias = f.get(layer, "kernel"), f.get(layer, "bias")  # HWIO
    kh, kw = kernel.shape[:2]
    h, w = x.shape[1:3]
    top, bottom = same_padding(h, (kh - 1) * dilation + 1, 1)
    left, right = same_padding(w, (kw - 1) * dilation + 1, 1)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out = np.zeros(x.shape[:3] + (kernel.shape[3],))
    for i in range(kh):
        for j in range(kw):
            out += padded[:, i * dilation:i * dilation + h, j * dilation:j * dilation + w, :] @ kernel[i, j]
    return np.maximum(out + bias, 0)


def batch_norm(x: np.ndarray, f: KerasFile, layer: str) -> np.ndarray:
    mean, var = f.get(layer, "moving_mean"), f.get(layer, "moving_variance")
    return (x - mean) / np.sqrt(var + 1e-3) * f.get(layer, "gamma") + f.get(layer, "beta")


def max_pool_same(x: np.ndarray, size: int) -> np.ndarray:
    n, h, w, c = x.shape
    top, bottom = same_padding(h, size, size)
    left, right = same_padding(w, size, size)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=-np.inf)
    oh, ow = padded.shape[1] // size, padded.shape[2] // size
    return padded[:, :oh * size, :ow * size].reshape(n, oh, size, ow, size, c).max(axis=(2, 4))


def inception(x: np.ndarray, f: KerasFile, convs: list) -> np.ndarray:
    """convs in creation order: 1x1 a, 1x1 b, 3x3 b, 1x1 c, 3x3 c (dil 2), 1x1 d, 3x3 d (dil 3)."""
    b1 = conv_relu(x, f, convs[0])
    b2 = conv_relu(conv_relu(x, f, convs[1]), f, convs[2])
    b3 = conv_relu(conv_relu(x, f, convs[3]), f, convs[4], dilation=2)
    b4 = conv_relu(conv_relu(x, f, convs[5]), f, convs[6], dilation=3)
    return np.concatenate([b1, b2, b3, b4], axis=3)


def keras_logit_real(path: str, images: np.ndarray) -> np.ndarray:
    """The authors' model up to its final sigmoid (whose output is 1 = real); images uint8 NHWC."""
    f = KerasFile(path)
    convs, bns, dense = f.layers("conv2d"), f.layers("batch_normalization"), f.layers("dense")
    x = images.astype(np.float64) / 255.0
    if len(convs) == 4:
        blocks = [lambda y, i=i: conv_relu(y, f, convs[i]) for i in range(4)]
    else:
        blocks = [lambda y: inception(y, f, convs[0:7]), lambda y: inception(y, f, convs[7:14]),
                  lambda y: conv_relu(y, f, convs[14]), lambda y: conv_relu(y, f, convs[15])]
    for block, bn, pool in zip(blocks, bns, (2, 2, 2, 4)):
        x = max_pool_same(batch_norm(block(x), f, bn), pool)
    x = x.reshape(x.shape[0], -1)  # Keras Flatten: H, W, C order
    x = x @ f.get(dense[0], "kernel") + f.get(dense[0], "bias")
    x = np.where(x > 0, x, 0.1 * x)
    return (x @ f.get(dense[1], "kernel") + f.get(dense[1], "bias"))[:, 0]


def random_inputs() -> np.ndarray:
    """Two fixed images: uniform noise, and smooth random colour blobs with mild noise."""
    rng = np.random.default_rng(20261201)
    noise = rng.integers(0, 256, size=(256, 256, 3))
    coarse = rng.uniform(0, 255, size=(8, 8, 3))
    smooth = np.kron(coarse, np.ones((32, 32, 1))) + rng.normal(0, 12, size=(256, 256, 3))
    return np.stack([noise, smooth]).clip(0, 255).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description="MesoNet golden fixtures from a NumPy Keras-semantics pass")
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--out", default="Tests/Fixtures/mesonet_golden.safetensors")
    args = parser.parse_args()
    inputs = random_inputs()
    faces = np.stack([decode_image(os.path.join(args.shared, "data/images/mesonet", p)) for p in IMAGES])
    tensors = {"inputs": inputs}
    for name in WEIGHTS:
        path = os.path.join(args.shared, "weights/mesonet", f"{name}.h5")
        for label, batch in (("random", inputs), ("images", faces)):
            logit_fake = -keras_logit_real(path, batch)
            tensors[f"{name}.{label}.logit"] = logit_fake.astype(np.float32)
            tensors[f"{name}.{label}.p_fake"] = (1 / (1 + np.exp(-logit_fake))).astype(np.float32)
            print(name, label, np.round(1 / (1 + np.exp(-logit_fake)), 4))
    metadata = {"images": json.dumps(IMAGES), "image_decode": " ".join(FFMPEG_DECODE),
                "generator": "Training/reference/keras_reference.py"}
    save_file(tensors, args.out, metadata=metadata)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
