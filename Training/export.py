"""Exports a training checkpoint as the safetensors file the Swift engine loads, with its model card.

    python -m Training.export --checkpoint out/train/efficientnet_lite0/best.pt --out Models/x.safetensors \
        --name sbi-efficientnet-lite0 [--threshold 0.42] [--metric dev_video_auc=0.71 ...]

Keys are the PyTorch state dict's (the Swift definitions use the same names) minus BatchNorm's
num_batches_tracked; tensors float32, contiguous. The card records the recipe, the data, the seed,
the steps and the held-out metrics from the checkpoint, so a weight file says how it was made.

`--checkpoint` given N ≥ 2 times writes an ensemble: member i's tensors under "member{i}.", card
`ensemble_members: N`; the engine averages the members' p_fake. `--heldout-cache CACHE` measures
the exported model as the engine will run it (members averaged, flip-averaged with
`--test-time-augmentation hflip`) on the held-out set (Training.heldout) and puts those `val_*`
metrics on the card instead of the checkpoint's own.
"""
import argparse
import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from .heldout import measure
from .recipes import RECIPES

DATA = ("real faces only: LFW deep-funneled and UTKFace adults (photos) and 7 real face videos, aligned by "
        "`deepfake-scan faces` (margin 1.3, 256²); identity-disjoint train/val split; fakes made on the fly by "
        "self-blending (SBI) and cross-identity blending (70/30), robustness augmentations p=0.3 each")


def start_note(checkpoint: dict, recipe) -> str:
    """A run started with --init from weights its recipe does not name says which."""
    init = checkpoint.get("init")
    return f", but this run started from --init {Path(init).parent.name}/{Path(init).name}" if init and not recipe.init_from else ""


def provenance(checkpoint: dict) -> str:
    recipe_name = checkpoint.get("recipe", checkpoint["architecture"])
    recipe = RECIPES[recipe_name]
    steps = checkpoint["step"]
    return (f"trained by deepfake-scan Training/train.py (make train MODEL={recipe_name}); "
            f"start: {recipe.pretrained}{start_note(checkpoint, recipe)}; {DATA}; AdamW lr {recipe.lr} cosine, {checkpoint.get('pairs_per_batch', recipe.pairs_per_batch)} "
            f"real/fake pairs a batch, {recipe.input_size}² input; seed {checkpoint['seed']}; step {steps} of "
            f"{checkpoint['epochs'] * checkpoint['steps_per_epoch']} ({steps / checkpoint['steps_per_epoch']:.2f} "
            f"epochs of {checkpoint['train_crops']} real crops); {checkpoint['train_seconds'] / 3600:.1f} h on CPU; "
            f"val_* metrics: {checkpoint['val_pairs']} held-out real/pseudo-fake pairs")


def card(checkpoint: dict, name: str, threshold: float | None, extra_metrics: dict[str, float],
         test_time_augmentation: str | None = None, members: list[dict] | None = None,
         measured: dict[str, float] | None = None) -> dict[str, str]:
    """The model card of `checkpoint`, or of an ensemble of `members` (checkpoints, the first
    being `checkpoint`); `measured` held-out metrics replace the checkpoints' own."""
    members = members or [checkpoint]
    recipe = RECIPES[checkpoint.get("recipe", checkpoint["architecture"])]
    metrics = {}
    if measured is not None:
        metrics.update(measured)
    elif len(members) == 1:
        metrics.update({k: float(v) for k, v in checkpoint.get("metrics", {}).items() if k.startswith("val_")})
    else:  # each member's own numbers, since the ensemble's were not measured
        for index, member in enumerate(members):
            metrics.update({f"member{index}_{k}": float(v) for k, v in member.get("metrics", {}).items()
                            if k.startswith("val_")})
    metrics.update(extra_metrics)
    text = provenance(checkpoint) if len(members) == 1 else (
        f"ensemble averaging the p_fake of {len(members)} models of one recipe; "
        + "; ".join(f"member{index}: {provenance(member)}" for index, member in enumerate(members)))
    if measured is not None:
        text += f"; card metrics measured on the exported {'ensemble' if len(members) > 1 else 'model'}" + (
            f" with {test_time_augmentation}" if test_time_augmentation else "") + " by Training.heldout"
    metadata = {
        "name": name,
        "architecture": recipe.architecture,
        "version": "1",
        "input_size": str(recipe.input_size),
        "colour_order": "RGB",
        "scaling": recipe.scaling,
        "score_semantics": "p_fake, 1 = fake",
        "provenance": text,
        "metrics": json.dumps(metrics, sort_keys=True),
    }
    if threshold is not None:
        metadata["threshold"] = repr(float(threshold))
    if test_time_augmentation:
        metadata["test_time_augmentation"] = test_time_augmentation
    if len(members) > 1:
        metadata["ensemble_members"] = str(len(members))
    return metadata


def exported_tensors(model_state: dict) -> dict[str, torch.Tensor]:
    return {k: v.detach().float().contiguous() for k, v in model_state.items() if not k.endswith("num_batches_tracked")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, required=True, action="append",
                        help="a train.py checkpoint; repeat for an ensemble of models of one recipe")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--name", required=True, help="the card's name, e.g. sbi-efficientnet-lite0")
    parser.add_argument("--threshold", type=float, help="calibrated decision threshold for the card")
    parser.add_argument("--metric", action="append", default=[], metavar="KEY=VALUE",
                        help="a further measured metric for the card, e.g. dev_video_auc=0.71")
    parser.add_argument("--test-time-augmentation", choices=["hflip"],
                        help="hflip: the engine averages p_fake over each crop and its mirror image")
    parser.add_argument("--heldout-cache", type=Path,
                        help="crop cache: measure the exported model's held-out metrics for the card")
    args = parser.parse_args(argv)
    checkpoints = [torch.load(path, map_location="cpu", weights_only=False) for path in args.checkpoint]
    checkpoint = checkpoints[0]
    recipes = {RECIPES[c.get("recipe", c["architecture"])] for c in checkpoints}
    if len({(r.architecture, r.input_size, r.scaling) for r in recipes}) > 1:
        parser.error("ensemble members must share architecture, input size and scaling")
    extra = {}
    for item in args.metric:
        key, _, value = item.partition("=")
        extra[key] = float(value)
    measured = measure(args.checkpoint, args.heldout_cache, args.test_time_augmentation) if args.heldout_cache else None
    metadata = card(checkpoint, args.name, args.threshold, extra, args.test_time_augmentation, checkpoints, measured)
    if len(checkpoints) == 1:
        tensors = exported_tensors(checkpoint["model"])
    else:
        tensors = {f"member{index}.{key}": value for index, member in enumerate(checkpoints)
                   for key, value in exported_tensors(member["model"]).items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(args.out), metadata=metadata)
    parameters = sum(t.numel() for t in tensors.values())
    print(f"{args.out}: {metadata['architecture']} step {checkpoint['step']}, {len(tensors)} tensors, "
          f"{parameters:,} values, metrics {metadata['metrics']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
