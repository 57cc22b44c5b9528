"""AUC on held-out pseudo-fakes — the bar a default model must clear — for a checkpoint, or for
the mean p_fake of several (an ensemble), optionally averaged with each crop's mirror image.

    python -m Training.heldout --cache out/cache out/train/efficientnet_lite0/best.pt [MORE.pt …] [--test-time-augmentation hflip]

Prints one JSON object of `val_*` (degraded like training) and `val_clean_*` metrics. The sets are
train.py's: `--val-pairs` val crops (identities never trained on) and their pseudo-fakes, drawn
with `--val-seed`. Seed 1 (the default) is the set every number in docs/models.md was measured on,
whatever seed a model was trained with.
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .data.cache import load_split
from .metrics import roc_auc
from .pseudofakes.sampler import PseudoFakeSampler
from .recipes import RECIPES, to_input


def validation_sets(cache: Path, seed: int, pairs: int, robustness: float) -> dict:
    """Two fixed held-out sets from the same `pairs` val crops (first in a seeded order), with
    pseudo-fakes made by the training sampler's rules: "val" degraded with probability
    `robustness` per degradation (the selection metric) and "val_clean" undegraded. The same
    every run and every evaluation. Each value: (images, labels, kinds)."""
    faces = load_split(cache, "val")
    chosen = np.random.default_rng([seed, 99]).permutation(len(faces))[:pairs]
    sets = {}
    for prefix, degradation in (("val", robustness), ("val_clean", 0.0)):
        batch = PseudoFakeSampler.from_faces(faces, seed + 1, robustness=degradation).batch(chosen, epoch=0)
        sets[prefix] = (batch.images, batch.labels, batch.kinds)
    return sets


@torch.no_grad()
def predict(model, recipe, images, mirrored: bool = False, chunk: int = 64) -> np.ndarray:
    """p_fake per image (uint8 N×H×W×3) in eval mode; the model's mode is restored after."""
    was_training = model.training
    model.eval()
    scores = []
    for i in range(0, len(images), chunk):
        x = to_input(images[i:i + chunk], recipe)
        scores.append(torch.sigmoid(model(torch.flip(x, dims=[3]) if mirrored else x)).reshape(-1))
    model.train(was_training)
    return torch.cat(scores).numpy()


def held_out_metrics(labels: np.ndarray, scores: np.ndarray, kinds: np.ndarray, prefix: str) -> dict:
    """AUC, log loss and accuracy at 0.5, overall and per kind of fake against all reals."""
    clipped = torch.from_numpy(np.clip(scores, 1e-7, 1 - 1e-7).astype(np.float64))
    result = {
        f"{prefix}_auc": roc_auc(labels, scores),
        f"{prefix}_loss": float(F.binary_cross_entropy(clipped, torch.from_numpy(labels.astype(np.float64)))),
        f"{prefix}_acc": float(((scores >= 0.5) == (labels == 1)).mean()),
    }
    for kind in ("sbi", "cross"):
        keep = (kinds == "real") | (kinds == kind)
        if (kinds == kind).any():
            result[f"{prefix}_auc_{kind}"] = roc_auc(labels[keep], scores[keep])
    return result


def load_checkpoint(path: Path):
    """(model, recipe) of a train.py checkpoint."""
    saved = torch.load(path, map_location="cpu", weights_only=False)
    recipe = RECIPES[saved.get("recipe", saved["architecture"])]
    model = recipe.build()
    model.load_state_dict(saved["model"])
    return model, recipe


def measure(checkpoints: list[Path], cache: Path, test_time_augmentation: str | None = None,
            seed: int = 1, pairs: int = 1000, robustness: float = 0.3) -> dict:
    """Held-out metrics of the mean p_fake of `checkpoints` (each optionally flip-averaged)."""
    sets = validation_sets(cache, seed, pairs, robustness)
    totals = {prefix: 0.0 for prefix in sets}
    for path in checkpoints:
        model, recipe = load_checkpoint(path)
        for prefix, (images, _, _) in sets.items():
            scores = predict(model, recipe, images)
            if test_time_augmentation == "hflip":
                scores = (scores + predict(model, recipe, images, mirrored=True)) / 2
            totals[prefix] = totals[prefix] + scores
    result = {}
    for prefix, (_, labels, kinds) in sets.items():
        result.update(held_out_metrics(labels, totals[prefix] / len(checkpoints), kinds, prefix))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoints", type=Path, nargs="+")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--test-time-augmentation", choices=["hflip"])
    parser.add_argument("--val-seed", type=int, default=1)
    parser.add_argument("--val-pairs", type=int, default=1000)
    parser.add_argument("--robustness", type=float, default=0.3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    result = measure(args.checkpoints, args.cache, args.test_time_augmentation, args.val_seed, args.val_pairs,
                     args.robustness)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
