"""Convert the MesoNet authors' Keras weights (.h5) into a safetensors file the engine loads.

    python -m Training.importers.mesonet_keras ../shared/weights/mesonet/Meso4_DF.h5 --out meso4_df.safetensors

Needs only numpy, h5py and safetensors. What changes on the way (see seeds/NOTES.md, MesoNet):
- conv kernels HWIO -> OIHW;
- fc1's rows reordered from Keras' H,W,C flatten to PyTorch's C,H,W flatten;
- BatchNorm statistics are kept as they are; the models use Keras' epsilon 1e-3;
- fc2 negated so the output is the logit of p_fake (the authors' sigmoid is 1 = real).
Keras layers are matched to our names in the order the authors' code creates them.
"""
import argparse
import hashlib
import json
import os
import re
import sys

import h5py
import numpy as np
from safetensors.numpy import save_file

# Our names for the Keras conv layers, in the order the authors' model code creates them.
CONV_ORDER = {
    "meso4": ["conv1", "conv2", "conv3", "conv4"],
    "mesoinception4": [f"inception{i}.{b}" for i in (1, 2) for b in (
        "branch1", "branch2_reduce", "branch2", "branch3_reduce", "branch3", "branch4_reduce", "branch4")]
    + ["conv3", "conv4"],
}
BN_ORDER = ["bn1", "bn2", "bn3", "bn4"]
DENSE_ORDER = ["fc1", "fc2"]
FINAL_GRID = 8  # 256 input / (2·2·2·4) pooling: the spatial size fc1 sees
REPORTED_METRICS = {  # the paper's frame-level accuracy on its own Deepfake / Face2Face sets
    "meso4": {"paper_frame_accuracy_deepfake": 0.891},
    "mesoinception4": {"paper_frame_accuracy_deepfake": 0.917},
}


def keras_layers(h5: h5py.File, kind: str) -> list:
    """Keras layer names of one kind (conv2d, batch_normalization, dense) in creation order."""
    names = [n.decode() if isinstance(n, bytes) else n for n in h5.attrs["layer_names"]]
    found = [n for n in names if re.fullmatch(rf"{kind}_\d+", n) and len(h5[n].keys())]
    return sorted(found, key=lambda n: int(n.rsplit("_", 1)[1]))


def weight(h5: h5py.File, layer: str, name: str) -> np.ndarray:
    return np.asarray(h5[layer][layer][f"{name}:0"], dtype=np.float32)


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def convert(h5_path: str, architecture: str | None = None) -> tuple[dict, dict]:
    """Returns (state dict of float32 arrays keyed like Training/models/meso.py, card metadata)."""
    with h5py.File(h5_path, "r") as h5:
        convs = keras_layers(h5, "conv2d")
        if architecture is None:
            by_count = {len(order): arch for arch, order in CONV_ORDER.items()}
            if len(convs) not in by_count:
                raise ValueError(f"{h5_path}: {len(convs)} conv layers is neither Meso-4 (4) nor MesoInception-4 (16)")
            architecture = by_count[len(convs)]
        order = CONV_ORDER[architecture]
        bns, denses = keras_layers(h5, "batch_normalization"), keras_layers(h5, "dense")
        if (len(convs), len(bns), len(denses)) != (len(order), 4, 2):
            raise ValueError(f"{h5_path}: layers {len(convs)} conv / {len(bns)} bn / {len(denses)} dense "
                             f"do not match {architecture}")
        state = {}
        for ours, keras in zip(order, convs):
            state[f"{ours}.weight"] = weight(h5, keras, "kernel").transpose(3, 2, 0, 1)  # HWIO -> OIHW
            state[f"{ours}.bias"] = weight(h5, keras, "bias")
        for ours, keras in zip(BN_ORDER, bns):
            state[f"{ours}.weight"] = weight(h5, keras, "gamma")
            state[f"{ours}.bias"] = weight(h5, keras, "beta")
            state[f"{ours}.running_mean"] = weight(h5, keras, "moving_mean")
            state[f"{ours}.running_var"] = weight(h5, keras, "moving_variance")
        fc1, fc2 = (weight(h5, denses[0], "kernel"), weight(h5, denses[0], "bias")), \
                   (weight(h5, denses[1], "kernel"), weight(h5, denses[1], "bias"))
    features, hidden = fc1[0].shape
    channels = features // (FINAL_GRID * FINAL_GRID)
    # Keras row index h*W*C + w*C + c -> PyTorch column index c*H*W + h*W + w.
    state["fc1.weight"] = fc1[0].reshape(FINAL_GRID, FINAL_GRID, channels, hidden).transpose(3, 2, 0, 1) \
        .reshape(hidden, features)
    state["fc1.bias"] = fc1[1]
    state["fc2.weight"] = -fc2[0].T  # their sigmoid is p_real; negated logit gives p_fake
    state["fc2.bias"] = -fc2[1]
    state = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}
    name = os.path.splitext(os.path.basename(h5_path))[0]
    metadata = {
        "name": name,
        "architecture": architecture,
        "version": "1",
        "input_size": "256",
        "colour_order": "RGB",
        "scaling": "x/255",
        "score_semantics": "p_fake, 1 = fake",
        "provenance": "imported from the MesoNet authors' Keras weights (github.com/DariusAf/MesoNet, "
                      "Apache-2.0) by Training/importers/mesonet_keras.py; output negated (theirs: 1 = real)",
        "source_file": os.path.basename(h5_path),
        "source_sha256": sha256(h5_path),
        "metrics": json.dumps(REPORTED_METRICS[architecture], sort_keys=True),
    }
    return state, metadata


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("h5", help="authors' Keras weight file, e.g. Meso4_DF.h5")
    parser.add_argument("--out", required=True, help="safetensors file to write")
    parser.add_argument("--architecture", choices=sorted(CONV_ORDER), help="default: from the layer count")
    args = parser.parse_args(argv)
    try:
        state, metadata = convert(args.h5, args.architecture)
    except (OSError, KeyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    save_file(state, args.out, metadata=metadata)
    print(f"{args.out}: {metadata['architecture']} from {metadata['source_file']} "
          f"(sha256 {metadata['source_sha256'][:12]}…), {len(state)} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
