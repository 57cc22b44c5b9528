"""Convert the ClassNSeg authors' PyTorch checkpoints (an encoder and a decoder state_dict)
into one safetensors file the engine loads.

    python -m Training.importers.classnseg_torch full_encoder_46.pt full_decoder_46.pt --out classnseg-f2f.safetensors

The keys stay the authors' (`encoder.N`, `shared.N`, `segmenter.N`, `decoder.N`; the two files'
keys do not overlap); `num_batches_tracked` is dropped. Every tensor is checked against
Training/models/classnseg.py (strict). The scores are not changed: the authors' class 1 is
*original*, and the engine reads p_fake = sigmoid(a0 − a1) from the latent (the card says so).
"""
import argparse
import hashlib
import json
import os
import re
import sys

import numpy as np
import torch
from safetensors.numpy import save_file

from Training.models.classnseg import ClassNSeg

# What each of the authors' weight sets was trained on (their README and paper).
TRAINED_ON = {
    "full": ("Face2Face", "trained on FaceForensics++ Face2Face"),
    "finetune": ("FaceSwap", "fine-tuned on 100+100 FaceForensics++ FaceSwap videos"),
}
# The paper's classification accuracy on the matching test set (Table 3 / Table 5).
REPORTED_METRICS = {
    "full": {"paper_frame_accuracy_face2face": 0.9277, "paper_segmentation_accuracy_face2face": 0.9277},
    "finetune": {"paper_frame_accuracy_faceswap": 0.8371, "paper_segmentation_accuracy_faceswap": 0.9301},
}


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_state(path: str) -> dict:
    # The checkpoints were saved from CUDA tensors; weights_only keeps unpickling to tensors.
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}


def convert(encoder_path: str, decoder_path: str, name: str | None = None) -> tuple[dict, dict]:
    """Returns (float32 arrays keyed like Training/models/classnseg.py, card metadata)."""
    encoder, decoder = load_state(encoder_path), load_state(decoder_path)
    overlap = set(encoder) & set(decoder)
    if overlap:
        raise ValueError(f"encoder and decoder both hold {sorted(overlap)[:3]}")
    if not all(k.startswith("encoder.") for k in encoder):
        raise ValueError(f"{encoder_path} is not a ClassNSeg encoder (keys {sorted(encoder)[:2]}…)")
    model = ClassNSeg()
    model.encoder.load_state_dict(encoder, strict=False)  # num_batches_tracked was dropped
    model.decoder.load_state_dict(decoder, strict=False)
    expected = {k: tuple(v.shape) for k, v in model.state_dict_flat().items() if not k.endswith("num_batches_tracked")}
    found = {**encoder, **decoder}
    if set(found) != set(expected):
        raise ValueError(f"keys differ from ClassNSeg: missing {sorted(set(expected) - set(found))[:4]}, "
                         f"extra {sorted(set(found) - set(expected))[:4]}")
    for key, shape in expected.items():
        if tuple(found[key].shape) != shape:
            raise ValueError(f"{key}: shape {tuple(found[key].shape)}, expected {shape}")
    state = {k: np.ascontiguousarray(v.float().numpy()) for k, v in found.items()}
    stem = os.path.basename(encoder_path)
    prefix = re.sub(r"_encoder.*$", "", os.path.splitext(stem)[0])
    method, trained = TRAINED_ON.get(prefix, ("unknown", "unknown training data"))
    metadata = {
        "name": name or f"classnseg-{prefix}",
        "architecture": "classnseg",
        "version": "1",
        "input_size": "256",
        "colour_order": "RGB",
        "scaling": "imagenet",
        "score_semantics": "p_fake, 1 = fake",
        "provenance": "imported from the ClassNSeg authors' PyTorch weights (github.com/nii-yamagishilab/ClassNSeg, "
                      f"BSD-3-Clause; {trained}) by Training/importers/classnseg_torch.py; their class 1 is original, "
                      "so p_fake = sigmoid(a0 - a1) of the latent halves' mean |activation| (raw values hug 0.5: "
                      "calibrate the threshold); mask channel 1 = manipulated",
        "source_file": f"{os.path.basename(encoder_path)},{os.path.basename(decoder_path)}",
        "source_sha256": f"{sha256(encoder_path)},{sha256(decoder_path)}",
        "trained_on": method,
    }
    if prefix in REPORTED_METRICS:
        metadata["metrics"] = json.dumps(REPORTED_METRICS[prefix], sort_keys=True)
    return state, metadata


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("encoder", help="authors' encoder state_dict, e.g. full_encoder_46.pt")
    parser.add_argument("decoder", help="authors' decoder state_dict, e.g. full_decoder_46.pt")
    parser.add_argument("--out", required=True, help="safetensors file to write")
    parser.add_argument("--name", help="card name (default classnseg-<prefix of the encoder file>)")
    args = parser.parse_args(argv)
    try:
        state, metadata = convert(args.encoder, args.decoder, args.name)
    except (OSError, KeyError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    save_file(state, args.out, metadata=metadata)
    print(f"{args.out}: {metadata['name']} ({metadata['architecture']}) from {metadata['source_file']}, {len(state)} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
