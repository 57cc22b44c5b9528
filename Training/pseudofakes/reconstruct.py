"""Generator-reconstruction pseudo-fakes (AutoGAN, Zhang, Karaman & Chang 2019): a small conv
autoencoder whose decoder upsamples with transposed convolutions, as face generators' decoders
do, re-synthesises a real crop; its reconstruction pasted into the crop with a random face mask
stands for a generated face pasted into a real frame (talking-head generators), a fake with the
texture of a decoder and no self-blend boundary of its own.

    python -m Training.pseudofakes.reconstruct --cache out/video-cache --out out/recon-ae \
        [--max-minutes 8] [--threads 2] [--seed 1]      (make train-reconstructor)

The autoencoder learns from the TRAIN split's real crops of the video cache only (both variants,
as published and re-encoded); never val reals. Its file: out/recon-ae/reconstructor.pt.
"""
import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .blend import BlendResult, blend
from .image_ops import to_float
from .masks import random_face_mask

CROP = 256


class ReconstructionAE(nn.Module):
    """256² RGB in [0, 1] → 32²×`latent` code → 256² RGB in [0, 1]. Encoder: three stride-2 4×4
    convolutions; decoder: three ConvTranspose2d(k=4, s=2, p=1) upsamplings (the checkerboard
    texture a generator leaves) and a 3×3 convolution to RGB, sigmoid."""

    def __init__(self, width: int = 32, latent: int = 64):
        super().__init__()
        self.config = {"width": width, "latent": latent}
        act = lambda: nn.LeakyReLU(0.2, inplace=True)  # noqa: E731
        self.encoder = nn.Sequential(
            nn.Conv2d(3, width, 4, 2, 1), act(),
            nn.Conv2d(width, 2 * width, 4, 2, 1), act(),
            nn.Conv2d(2 * width, latent, 4, 2, 1), act(),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(latent, 2 * width, 4, 2, 1), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(width, width // 2, 4, 2, 1), nn.ReLU(inplace=True),
            nn.Conv2d(width // 2, 3, 3, 1, 1), nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """N×H×W×3 uint8 → N×3×H×W float in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0


def save_reconstructor(model: ReconstructionAE, path: Path, info: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": model.config, "state_dict": model.state_dict(), "info": info}, path)


def load_reconstructor(path: Path) -> ReconstructionAE:
    """The saved autoencoder in eval mode with gradients off (it only runs inside batches)."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = ReconstructionAE(**saved["config"])
    model.load_state_dict(saved["state_dict"])
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def reconstruct(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator,
                model: ReconstructionAE) -> BlendResult:
    """The autoencoder's re-synthesis of the crop, pasted over the face with a random face mask
    (the only draw from `rng`); outside the mask the crop is unchanged."""
    size = image.shape[0]
    with torch.no_grad():
        rebuilt = model(to_tensor(image[None]))[0].permute(1, 2, 0).numpy() * 255.0
    mask = random_face_mask(landmarks, rng, size=size)
    return blend(rebuilt.astype(np.float32), to_float(image), mask)


def train_real_crops(cache: Path) -> np.ndarray:
    """Every crop of the cache's train-split real videos (as published and re-encoded)."""
    with open(cache / "videos.tsv", newline="") as handle:
        keep = {int(row["index"]) for row in csv.DictReader(handle, delimiter="\t")
                if row["split"] == "train" and int(row["label"]) == 0}
    images = []
    for shard in sorted((cache / "crops").glob("*.npz")):
        if ".part" in shard.name or int(shard.name.split("-")[0]) not in keep:
            continue
        with np.load(shard) as data:
            images.append(data["images"])
    if not images:
        raise SystemExit(f"no train-split real crops in {cache}")
    return np.concatenate(images)


def train(images: np.ndarray, out: Path, seed: int = 1, batch: int = 16, lr: float = 1e-3,
          max_steps: int = 100_000, max_minutes: float = 8.0, log_every: int = 50,
          width: int = 32, latent: int = 64) -> dict:
    """L1 reconstruction with Adam on random mirrored crops of `images`, until `max_steps` or
    `max_minutes`; writes `out` (.pt) and returns its info."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ReconstructionAE(width, latent)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    started, step, losses = time.monotonic(), 0, []
    while step < max_steps and time.monotonic() - started < 60.0 * max_minutes:
        picked = images[rng.integers(len(images), size=batch)]
        flip = rng.random(batch) < 0.5
        picked = np.where(flip[:, None, None, None], picked[:, :, ::-1], picked)
        x = to_tensor(picked)
        loss = torch.nn.functional.l1_loss(model(x), x)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        step += 1
        if step % log_every == 0:
            print(json.dumps({"step": step, "seconds": round(time.monotonic() - started),
                              "l1": round(float(np.mean(losses[-log_every:])), 5)}), flush=True)
    info = {"steps": step, "seconds": round(time.monotonic() - started, 1), "crops": len(images), "seed": seed,
            "batch": batch, "lr": lr, "final_l1": round(float(np.mean(losses[-log_every:])), 5) if losses else None}
    save_reconstructor(model, out, info)
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--out", type=Path, default=Path("out/recon-ae"))
    parser.add_argument("--max-minutes", type=float, default=8.0)
    parser.add_argument("--max-steps", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    images = train_real_crops(args.cache)
    print(f"{len(images)} train-split real crops from {args.cache}", flush=True)
    info = train(images, args.out / "reconstructor.pt", seed=args.seed, batch=args.batch, lr=args.lr,
                 max_steps=args.max_steps, max_minutes=args.max_minutes)
    print(f"{args.out / 'reconstructor.pt'}: {json.dumps(info)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
