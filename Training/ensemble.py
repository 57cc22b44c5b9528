"""Trains the members of an ensemble recipe (one recipe, several seeds) and exports each member's
weight file plus the ensemble file naming them, whose card carries the ensemble's own held-out
metrics.

    python -m Training.ensemble --model efficientnet_lite0_x2 --cache out/cache --runs out/train

Member with seed 1 trains in RUNS/<recipe> (the single model's run, reused when done), seed s in
RUNS/<recipe>_seed<s>; each resumes like train.py. Stop at any time; the same command continues.
Written to RUNS/<model>/ (or beside --out): sbi-<recipe>.safetensors for seed 1 (the single
model's file), sbi-<recipe>-seed<s>.safetensors for the others, and sbi-<model>.safetensors.
"""
import argparse
from pathlib import Path

import torch

from . import export, train
from .recipes import ENSEMBLES


def member_directory(runs: Path, recipe: str, seed: int) -> Path:
    return runs / (recipe if seed == 1 else f"{recipe}_seed{seed}")


def member_file_name(recipe: str, seed: int) -> str:
    """Seed 1 is the recipe's single model (what `make train MODEL=<recipe>` exports)."""
    name = "sbi-" + recipe.replace("_", "-")
    return name if seed == 1 else f"{name}-seed{seed}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, choices=sorted(ENSEMBLES))
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--runs", type=Path, required=True, help="folder of the members' training runs")
    parser.add_argument("--out", type=Path, help="the ensemble file, its members beside it; "
                        "default: RUNS/<model>/sbi-<model>.safetensors")
    args, train_options = parser.parse_known_args(argv)
    ensemble = ENSEMBLES[args.model]
    members = [member_directory(args.runs, ensemble.recipe, seed) for seed in ensemble.seeds]
    for seed, directory in zip(ensemble.seeds, members):
        checkpoint = directory / "checkpoint.pt"
        if checkpoint.exists():
            saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
            recipe = saved.get("recipe", saved["architecture"])  # early checkpoints named only the architecture
            if saved["seed"] != seed or recipe != ensemble.recipe:
                parser.error(f"{directory} holds a {recipe} run with seed {saved['seed']}, not "
                             f"{ensemble.recipe} with seed {seed}: move it away or pass another --runs")
        if not (checkpoint.exists() and train.finished(checkpoint)):
            print(f"member seed {seed}: training in {directory}", flush=True)
            # the member's identity last, so that no passed-through option can change it
            train.main([*train_options, "--model", ensemble.recipe, "--seed", str(seed), "--cache", str(args.cache),
                        "--out", str(directory)])
            if not train.finished(directory / "checkpoint.pt"):
                print(f"member seed {seed} stopped before the end: run the same command again", flush=True)
                return 0
    name = "sbi-" + args.model.replace("_", "-")
    out = args.out or args.runs / args.model / f"{name}.safetensors"
    arguments = ["--out", str(out), "--name", name, "--heldout-cache", str(args.cache)]
    for seed, directory in zip(ensemble.seeds, members):
        member_name = member_file_name(ensemble.recipe, seed)
        member = out.parent / f"{member_name}.safetensors"
        if export.main(["--checkpoint", str(directory / "best.pt"), "--out", str(member), "--name", member_name]) != 0:
            return 1
        arguments += ["--checkpoint", str(directory / "best.pt"), "--member", str(member)]
    if ensemble.test_time_augmentation:
        arguments += ["--test-time-augmentation", ensemble.test_time_augmentation]
    return export.main(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
