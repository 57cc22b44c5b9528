"""Golden parity fixture for AMTENnet: formula weights and crops (the integer formulas of
Training/reference/efficientnet_golden.py, which Tests/DetectorsTests/EfficientNetFormula.swift
reproduces bit for bit) and the PyTorch float64 outputs of Training/models/amtennet.py.

    python -m Training.reference.amtennet_golden --out Tests/Fixtures/amtennet_golden.json

Every tensor is formula_tensor(key, shape); the class probabilities it gives are spread (no class
saturates for every crop), so a wrong layer cannot hide. The fixture keeps the class names, the
first SAMPLED values of each of F_reu's 12 channels, the logits, the class probabilities and p_fake. Crops are at the input size
(128), so no resize is involved.
"""

import numpy as np
import torch

from Training.models.amtennet import AMTENnet, p_fake
from Training.reference.efficientnet_golden import crop, formula_fixture, formula_tensor, golden_main, key_shapes

INPUT_SIZE = 128
CLASSES = ["real", "self_blend", "cross_blend", "local_warp", "lip_sync"]
CROPS = [
    {"size": 128, "ax": 3, "ay": 1, "cell": 16, "seed": 31},
    {"size": 128, "ax": 0, "ay": 5, "cell": 7, "seed": 32},
    {"size": 128, "ax": 1, "ay": 2, "cell": 40, "seed": 33},
    {"size": 128, "ax": 2, "ay": 3, "cell": 24, "seed": 34},
]
SAMPLED = 8


def formula_model() -> AMTENnet:
    model = AMTENnet(len(CLASSES), INPUT_SIZE).eval()
    state = model.state_dict()
    for key, shape in key_shapes(model):
        state[key] = torch.from_numpy(formula_tensor(key, shape))
    model.load_state_dict(state, strict=True)
    return model.double()


def golden() -> dict:
    model = formula_model()
    x = torch.cat([torch.from_numpy(crop(spec)[None]).permute(0, 3, 1, 2).double() / 255.0 for spec in CROPS])
    with torch.no_grad():
        traces = model.traces(x)
        logits = model(x)
        probabilities = torch.softmax(logits, 1)
    return formula_fixture("amtennet_golden.py", "amtennet", INPUT_SIZE, "x/255", key_shapes(model), CROPS, **{
        "classes": CLASSES,
        "sampled_traces": [[traces[i, c].flatten()[:SAMPLED].tolist() for c in range(traces.shape[1])]
                           for i in range(len(CROPS))],
        "logits": logits.tolist(),
        "probabilities": probabilities.tolist(),
        "p_fake": p_fake(logits).tolist(),
    })


def main(argv=None) -> int:
    return golden_main(golden, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
