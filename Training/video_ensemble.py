"""Trains the seeds of a video ensemble (recipes.VIDEO_ENSEMBLES) and writes the ensemble file.

    python -m Training.video_ensemble --model video_efficientnet_lite0_x2 --cache out/video-cache --runs out/train

Seed s of recipe R trains in RUNS/R (seed 1) or RUNS/R_seed<s> unless its model.safetensors is
there; the members are copied to RUNS/MODEL/ as R-name.safetensors and R-name-seed<s>.safetensors
beside the ensemble file (no tensors; its card names the members with their SHA-256, and the
engine averages their p_fake). Calibrate the ensemble file afterwards (make calibrate-video).
"""
import argparse
import hashlib
import json
import shutil
from pathlib import Path

from safetensors import safe_open

from . import train_video
from .export import write_safetensors
from .recipes import VIDEO_ENSEMBLES


def member_name(recipe: str, seed: int) -> str:
    base = recipe.replace("_", "-")
    return base if seed == 1 else f"{base}-seed{seed}"


def ensemble_card(name: str, members: list[Path]) -> dict[str, str]:
    """The first member's card (architecture, input, scaling) with the members named and pinned."""
    with safe_open(str(members[0]), "pt") as handle:
        first = dict(handle.metadata())
    cards = []
    for path in members:
        with safe_open(str(path), "pt") as handle:
            cards.append(dict(handle.metadata()))
    metrics = {f"member{i}_{k}": v for i, card in enumerate(cards) for k, v in json.loads(card["metrics"]).items()}
    card = {k: first[k] for k in ("architecture", "version", "input_size", "colour_order", "scaling", "score_semantics")}
    card |= {"name": name, "metrics": json.dumps(metrics, sort_keys=True),
             "provenance": f"ensemble averaging the p_fake of {len(members)} seeds of one recipe; "
                           + "; ".join(f"member{i}: {c['provenance']}" for i, c in enumerate(cards)),
             "ensemble_members": json.dumps([{"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                                             for p in members])}
    return card


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, choices=sorted(VIDEO_ENSEMBLES))
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--runs", type=Path, default=Path("out/train"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    recipe, seeds = VIDEO_ENSEMBLES[args.model]
    out = args.runs / args.model
    out.mkdir(parents=True, exist_ok=True)
    members = []
    for seed in seeds:
        run = args.runs / (recipe if seed == 1 else f"{recipe}_seed{seed}")
        name = member_name(recipe, seed)
        if not (run / "model.safetensors").exists():
            train_video.main(["--model", recipe, "--seed", str(seed), "--cache", str(args.cache), "--out", str(run),
                              "--name", name, "--threads", str(args.threads)])
        members.append(out / f"{name}.safetensors")
        shutil.copyfile(run / "model.safetensors", members[-1])
    target = out / f"{args.model.replace('_', '-')}.safetensors"
    write_safetensors(target, {}, ensemble_card(args.model.replace("_", "-"), members))
    print(f"{target}: ensemble of {', '.join(p.name for p in members)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
