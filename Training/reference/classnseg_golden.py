"""Golden parity fixture for ClassNSeg: PyTorch float64 outputs of Training/models/classnseg.py
on the project's own formula crops, with (a) formula weights that need nothing from ../shared
and (b) the authors' two weight sets when ../shared has them. Only outputs are committed,
never weights.

    python -m Training.reference.classnseg_golden --shared ../shared --out Tests/Fixtures/classnseg_golden.json

Crops and formula weights are those of Training/reference/efficientnet_golden.py (integer
formulas the Swift tests reproduce bit for bit: Tests/DetectorsTests/EfficientNetFormula.swift).
A 2×256² mask per crop is too big to commit, so the fixture keeps channel 1 at MASK_SAMPLES
pixels (index (i·40503) mod 65536), the reconstruction's 3 channels at RECON_SAMPLES pixels
(index (i·7919) mod 65536), and means over the whole mask.
"""
import argparse
import hashlib
import json
import os

import numpy as np
import torch

from Training.importers.classnseg_torch import convert
from Training.models.classnseg import ClassNSeg, to_input
from Training.reference.efficientnet_golden import crop, formula_tensor

CROPS = [
    {"size": 256, "ax": 3, "ay": 1, "cell": 16, "seed": 11},
    {"size": 256, "ax": 0, "ay": 5, "cell": 7, "seed": 12},
    {"size": 256, "ax": 2, "ay": 3, "cell": 24, "seed": 13},
]
MASK_SAMPLES = 512
RECON_SAMPLES = 96
WEIGHT_SETS = {"full": ("full_encoder_46.pt", "full_decoder_46.pt"),
               "finetune": ("finetune_encoder_26.pt", "finetune_decoder_26.pt")}


def mask_indices() -> np.ndarray:
    return (np.arange(MASK_SAMPLES, dtype=np.int64) * 40503) % 65536


def recon_indices() -> np.ndarray:
    return (np.arange(RECON_SAMPLES, dtype=np.int64) * 7919) % 65536


def key_shapes() -> list:
    state = ClassNSeg().state_dict_flat()
    return sorted((k, list(v.shape)) for k, v in state.items() if not k.endswith("num_batches_tracked"))


def model_from(state: dict) -> ClassNSeg:
    model = ClassNSeg().eval()
    model.load_flat({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()}, strict=False)
    return model.double()


def outputs(model: ClassNSeg, images: np.ndarray) -> dict:
    with torch.no_grad():
        out = model(to_input(torch.from_numpy(images)).double())
    a = out["activations"].numpy()
    margin = np.abs(a[:, 0] - a[:, 1]).min()
    # The predicted half decides what the decoders see: a near tie would make the fixture fragile.
    assert margin > 1e-4, f"activations too close to call: {a}"
    mask = out["mask"][:, 1].reshape(len(images), -1).numpy()
    recon = out["reconstruction"].reshape(len(images), 3, -1).numpy()
    return {
        "activations": a.tolist(),
        "p_fake": out["p_fake"].numpy().tolist(),
        "mask_samples": mask[:, mask_indices()].tolist(),
        "mask_mean": mask.mean(axis=1).tolist(),
        "mask_flagged": (mask >= 0.5).mean(axis=1).tolist(),
        "reconstruction_samples": recon[:, :, recon_indices()].tolist(),
    }


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def golden(shared: str | None) -> dict:
    images = np.stack([crop(spec) for spec in CROPS])
    keys = key_shapes()
    formula = {k: formula_tensor(k, s) for k, s in keys}
    result = {
        "about": "Training/reference/classnseg_golden.py: PyTorch float64 outputs on formula crops",
        "keys": [[k, s] for k, s in keys],
        "crops": CROPS,
        "mask_samples": MASK_SAMPLES,
        "reconstruction_samples": RECON_SAMPLES,
        "formula": outputs(model_from(formula), images),
    }
    directory = os.path.join(shared, "weights", "classnseg") if shared else None
    for name, (encoder, decoder) in WEIGHT_SETS.items():
        if directory is None or not os.path.exists(os.path.join(directory, encoder)):
            print(f"{name}: ../shared weights absent, not in the fixture")
            continue
        state, metadata = convert(os.path.join(directory, encoder), os.path.join(directory, decoder))
        result[name] = {"source_sha256": metadata["source_sha256"], **outputs(model_from(state), images)}
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the ../shared folder (for the authors' weights)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    data = golden(args.shared)
    with open(args.out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"{args.out}: formula + {[k for k in WEIGHT_SETS if k in data]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
