"""Still photos after a real H.264 round trip, like the video cache's re-encoded copies: a trainer
that mixes clean photos with compressed video frames as reals would otherwise teach that
compression means fake (the labelled fakes are all video).

Per chunk of photos one draw of the size the face crop is shrunk to (64–192 px, even) and of the
CRF (28–40, the video cache's range); the chunk goes through libx264 as consecutive frames and
comes back scaled to its size again, so geometry and landmarks are unchanged.
"""
import subprocess
import tempfile
from pathlib import Path

import numpy as np


def reencoded_photos(images: np.ndarray, seed: int, chunk: int = 64) -> np.ndarray:
    """uint8 N×S×S×3 → the same after the round trip (S even)."""
    out = np.empty_like(images)
    size = images.shape[1]
    rng = np.random.default_rng([seed, 11])
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "photos.mp4"
        for start in range(0, len(images), chunk):
            part = np.ascontiguousarray(images[start:start + chunk])
            side, crf = 2 * int(rng.integers(32, 97)), int(rng.integers(28, 41))
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size}x{size}",
                            "-r", "25", "-i", "-", "-vf", f"scale={side}:{side}", "-c:v", "libx264", "-preset", "veryfast",
                            "-crf", str(crf), "-pix_fmt", "yuv420p", str(path)], input=part.tobytes(), check=True)
            raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"scale={size}:{size}:flags=bilinear",
                                  "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
            decoded = np.frombuffer(raw, np.uint8)
            if decoded.size != part.size:
                raise RuntimeError(f"the H.264 round trip of {len(part)} photos returned {decoded.size // (size * size * 3)} frames")
            out[start:start + len(part)] = decoded.reshape(part.shape)
    return out
