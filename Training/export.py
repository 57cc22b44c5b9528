"""Exports a training checkpoint as the safetensors file the Swift engine loads, with its model card.

    python -m Training.export --checkpoint out/train/efficientnet_lite0/best.pt --out Models/x.safetensors \
        --name sbi-efficientnet-lite0 [--threshold 0.42] [--metric dev_video_auc=0.71 ...]

Keys are the PyTorch state dict's (the Swift definitions use the same names) minus BatchNorm's
num_batches_tracked; tensors float32, contiguous. The card records the recipe, the data, the seed,
the steps and the held-out metrics from the checkpoint, so a weight file says how it was made.

An ensemble: `--checkpoint` N ≥ 2 times, each with the `--member` file already exported from it
(in the folder of `--out`). The ensemble file holds no tensors; its card lists the member files
with their SHA-256 (`ensemble_members`), and the engine averages the members' p_fake. So a member
that is also bundled alone is stored once, and no file grows by N. `--heldout-cache CACHE`
measures the exported model as the engine will run it (members averaged, flip-averaged with
`--test-time-augmentation hflip`) on the held-out set (Training.heldout) and puts those `val_*`
metrics on the card instead of the checkpoint's own.
"""
import argparse
import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file

from .heldout import measure
from .recipes import ENSEMBLES, RECIPES

DATA = ("real faces only: LFW deep-funneled and UTKFace adults (photos) and 7 real face videos, aligned by "
        "`deepfake-scan faces` (margin 1.3, 256²); identity-disjoint train/val split; fakes made on the fly by "
        "self-blending (SBI) and cross-identity blending (70/30), robustness augmentations p=0.3 each")


def start_note(checkpoint: dict, recipe) -> str:
    """A run started with --init from weights its recipe does not name says which."""
    init = checkpoint.get("init")
    return f", but this run started from --init {Path(init).parent.name}/{Path(init).name}" if init and not recipe.init_from else ""


def make_command(recipe_name: str, seed: int) -> str:
    """The `make train` that trains this run: the recipe's own for seed 1, else the ensemble
    recipe that has the seed as a member."""
    if seed != 1:
        for name, ensemble in ENSEMBLES.items():
            if ensemble.recipe == recipe_name and seed in ensemble.seeds:
                return f"make train MODEL={name}, its seed-{seed} member"
        return f"train.py --model {recipe_name} --seed {seed}"
    return f"make train MODEL={recipe_name}"


def provenance(checkpoint: dict) -> str:
    recipe_name = checkpoint.get("recipe", checkpoint["architecture"])
    recipe = RECIPES[recipe_name]
    steps = checkpoint["step"]
    return (f"trained by deepfake-scan Training/train.py ({make_command(recipe_name, checkpoint['seed'])}); "
            f"start: {recipe.pretrained}{start_note(checkpoint, recipe)}; {DATA}; AdamW lr {recipe.lr} cosine, {checkpoint.get('pairs_per_batch', recipe.pairs_per_batch)} "
            f"real/fake pairs a batch, {recipe.input_size}² input; seed {checkpoint['seed']}; step {steps} of "
            f"{checkpoint['epochs'] * checkpoint['steps_per_epoch']} ({steps / checkpoint['steps_per_epoch']:.2f} "
            f"epochs of {checkpoint['train_crops']} real crops); {checkpoint['train_seconds'] / 3600:.1f} h on CPU; "
            f"val_* metrics: {checkpoint['val_pairs']} held-out real/pseudo-fake pairs")


def card(checkpoint: dict, name: str, threshold: float | None, extra_metrics: dict[str, float],
         test_time_augmentation: str | None = None, members: list[dict] | None = None,
         measured: dict[str, float] | None = None, member_files: list[Path] | None = None) -> dict[str, str]:
    """The model card of `checkpoint`, or of an ensemble of `members` (checkpoints, the first
    being `checkpoint`, exported as `member_files`); `measured` held-out metrics replace the
    checkpoints' own."""
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
        metadata["ensemble_members"] = json.dumps([{"file": path.name, "sha256": sha256(path)} for path in member_files])
    return metadata


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    """safetensors with the header's keys sorted: the same tensors and card give the same bytes,
    so an ensemble's SHA-256 pin of a member survives re-exporting that member. (The safetensors
    package writes its metadata in a different order each run.)"""
    header: dict = {"__metadata__": metadata}
    blobs, offset = [], 0
    for key in sorted(tensors):
        tensor = tensors[key]
        if tensor.dtype != torch.float32:  # the engine reads F32 only (exported_tensors casts)
            raise ValueError(f"{key}: {tensor.dtype}, not float32")
        blob = tensor.contiguous().numpy().tobytes()  # little-endian on x86-64 and ARM
        header[key] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the format recommends
    with open(path, "wb") as file:
        file.write(len(text).to_bytes(8, "little"))
        file.write(text)
        for blob in blobs:
            file.write(blob)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_member_file(path: Path, checkpoint: dict, out: Path) -> str | None:
    """Why `path` cannot be the ensemble member exported from `checkpoint`, or None."""
    if path.resolve() == out.resolve():
        return f"{path} is the ensemble file itself (--out): a member is another file"
    if path.resolve().parent != out.resolve().parent:
        return f"{path} is not in the folder of {out}: the engine looks for members beside the ensemble file"
    if not path.exists():
        return f"{path} does not exist: export the member's checkpoint there first"
    tensors, expected = load_file(str(path)), exported_tensors(checkpoint["model"])
    if tensors.keys() != expected.keys() or any(not torch.equal(tensors[k], v) for k, v in expected.items()):
        return f"{path} does not hold the weights of its --checkpoint"
    return None


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
    parser.add_argument("--member", type=Path, action="append", default=[],
                        help="for an ensemble: the weight file exported from each --checkpoint, in order")
    parser.add_argument("--heldout-cache", type=Path,
                        help="crop cache: measure the exported model's held-out metrics for the card")
    args = parser.parse_args(argv)
    checkpoints = [torch.load(path, map_location="cpu", weights_only=False) for path in args.checkpoint]
    checkpoint = checkpoints[0]
    recipes = {RECIPES[c.get("recipe", c["architecture"])] for c in checkpoints}
    if len({(r.architecture, r.input_size, r.scaling) for r in recipes}) > 1:
        parser.error("ensemble members must share architecture, input size and scaling")
    if len(checkpoints) > 1 and len(args.member) != len(checkpoints):
        parser.error("an ensemble needs one --member file per --checkpoint")
    if len(checkpoints) == 1 and args.member:
        parser.error("--member is for an ensemble (two or more --checkpoint)")
    for path, member in zip(args.member, checkpoints):
        if problem := check_member_file(path, member, args.out):
            parser.error(problem)
    extra = {}
    for item in args.metric:
        key, _, value = item.partition("=")
        extra[key] = float(value)
    measured = measure(args.checkpoint, args.heldout_cache, args.test_time_augmentation) if args.heldout_cache else None
    metadata = card(checkpoint, args.name, args.threshold, extra, args.test_time_augmentation, checkpoints, measured,
                    args.member)
    tensors = exported_tensors(checkpoint["model"]) if len(checkpoints) == 1 else {}  # an ensemble names its members
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_safetensors(args.out, tensors, metadata)
    parameters = sum(t.numel() for t in tensors.values())
    what = f"{len(tensors)} tensors, {parameters:,} values" if tensors else f"ensemble of {', '.join(p.name for p in args.member)}"
    print(f"{args.out}: {metadata['architecture']} step {checkpoint['step']}, {what}, metrics {metadata['metrics']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
