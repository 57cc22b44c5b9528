"""Golden parity fixture for MAT: formula weights and crops (the integer formulas of
Training/reference/efficientnet_golden.py, which Tests/DetectorsTests/EfficientNetFormula.swift
reproduces bit for bit) and the PyTorch float64 outputs of Training/models/mat.py.

    python -m Training.reference.mat_golden --out Tests/Fixtures/mat_golden.json

Every exported tensor is formula_tensor(key, shape) (the `centres` buffer is not exported). The
fixture keeps each crop's attention maps, the first SAMPLED values of each regional feature row
and of the global feature, the logits and p_fake. Crops are at the input size (128).
"""

import numpy as np
import torch

from Training.models.mat import MAT
from Training.recipes import RECIPES, to_input
from Training.reference.efficientnet_golden import crop, formula_fixture, formula_tensor, golden_main, key_shapes

RECIPE = RECIPES["efficientnet_lite0"]
INPUT_SIZE = 128  # pinned: a change to the training recipe's size must not invalidate the fixture
CROPS = [
    {"size": 128, "ax": 3, "ay": 1, "cell": 16, "seed": 31},
    {"size": 128, "ax": 0, "ay": 5, "cell": 7, "seed": 32},
    {"size": 128, "ax": 1, "ay": 2, "cell": 40, "seed": 33},
]
SAMPLED = 8


def exported_keys(model: MAT) -> list[tuple[str, list[int]]]:
    return [(k, s) for k, s in key_shapes(model) if k != "centres"]


def formula_model() -> MAT:
    model = MAT().eval()
    state = model.state_dict()
    for key, shape in exported_keys(model):
        state[key] = torch.from_numpy(formula_tensor(key, shape))
    model.load_state_dict(state, strict=True)
    return model.double()


def golden() -> dict:
    model = formula_model()
    x = torch.cat([to_input(crop(spec)[None], RECIPE) for spec in CROPS]).double()
    assert x.shape[-1] == INPUT_SIZE
    with torch.no_grad():
        parts = model.parts(x)
    logits = parts["logits"].numpy()
    return formula_fixture("mat_golden.py", "mat", INPUT_SIZE, RECIPE.scaling, exported_keys(model), CROPS, **{
        "attention": parts["attentions"].flatten(2).tolist(),
        "regional": parts["regional"][:, :, :SAMPLED].tolist(),
        "global": parts["global"][:, :SAMPLED].tolist(),
        "logits": logits.tolist(),
        "p_fake": (1 / (1 + np.exp(-logits))).tolist(),
    })


def main(argv=None) -> int:
    return golden_main(golden, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
