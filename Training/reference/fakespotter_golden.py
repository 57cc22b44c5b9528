"""Golden parity fixture for FakeSpotter: formula weights and crops (the integer formulas of
Training/reference/efficientnet_golden.py, which Tests/DetectorsTests/EfficientNetFormula.swift
reproduces bit for bit) and the PyTorch float64 outputs of Training/models/fakespotter.py.

    python -m Training.reference.fakespotter_golden --out Tests/Fixtures/fakespotter_golden.json

Every tensor but `thresholds` is formula_tensor(key, shape). The thresholds are what training
computes, the mean activation per layer (here over the fixture's crops), each moved by the
smallest multiple of MARGIN that leaves every crop's activations at least MARGIN · (1 + |θ|)
away from it: the coverage bits are a step function, and float32 must not flip one. The
fixture keeps the coverage bits, the first SAMPLED channel means of each layer, the logits and
p_fake. Crops are at the input size (128), so no resize is involved.
"""

import numpy as np
import torch

from Training.models.fakespotter import LAYER_CHANNELS, LAYER_NAMES, FakeSpotter, layer_thresholds
from Training.recipes import RECIPES, to_input
from Training.reference.efficientnet_golden import crop, formula_fixture, formula_tensor, golden_main, key_shapes

RECIPE = RECIPES["efficientnet_lite0"]
INPUT_SIZE = 128  # pinned: a change to the training recipe's size must not invalidate the fixture
CROPS = [
    {"size": 128, "ax": 3, "ay": 1, "cell": 16, "seed": 21},
    {"size": 128, "ax": 0, "ay": 5, "cell": 7, "seed": 22},
    {"size": 128, "ax": 1, "ay": 2, "cell": 40, "seed": 23},
    {"size": 128, "ax": 2, "ay": 3, "cell": 24, "seed": 24},
]
MARGIN = 1e-4
SAMPLED = 8


def formula_model() -> FakeSpotter:
    model = FakeSpotter().eval()
    state = model.state_dict()
    for key, shape in key_shapes(model):
        state[key] = torch.from_numpy(formula_tensor(key, shape))
    model.load_state_dict(state, strict=True)
    return model.double()


def with_margin(theta: float, values: np.ndarray) -> float:
    for step in range(10_000):
        for candidate in (theta + step * MARGIN, theta - step * MARGIN):
            if np.abs(values - candidate).min() >= MARGIN * (1 + abs(candidate)):
                return candidate
    raise ValueError("no threshold with margin")


def golden() -> dict:
    model = formula_model()
    x = torch.cat([to_input(crop(spec)[None], RECIPE) for spec in CROPS]).double()
    assert x.shape[-1] == INPUT_SIZE
    with torch.no_grad():
        means = model.layer_means(x)
        thresholds = [with_margin(t, m.numpy()) for t, m in zip(layer_thresholds(means).double().tolist(), means)]
        model.thresholds.copy_(torch.tensor(thresholds, dtype=torch.float32))
        # The float32-rounded thresholds are what the file holds; check the margin on those.
        for t, m in zip(model.thresholds.double(), means):
            assert (m - t).abs().min() >= MARGIN * (1 + abs(t)) * 0.99
        coverage = model.coverage(means)
        logits = model.mlp(coverage).squeeze(1).numpy()
    keys = [(k, s) for k, s in key_shapes(model) if k != "thresholds"]
    return formula_fixture("fakespotter_golden.py", "fakespotter", INPUT_SIZE, RECIPE.scaling, keys, CROPS, **{
        "layers": list(LAYER_NAMES), "layer_channels": list(LAYER_CHANNELS),
        "thresholds": model.thresholds.tolist(),
        "coverage": ["".join(str(int(v)) for v in row) for row in coverage.numpy()],
        "sampled_means": [[m[i, :SAMPLED].tolist() for m in means] for i in range(len(CROPS))],
        "logits": logits.tolist(),
        "p_fake": (1 / (1 + np.exp(-logits))).tolist(),
    })


def main(argv=None) -> int:
    return golden_main(golden, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
