"""Trains MAT (Training/models/mat.py) on the video crop cache, starting from a trained
EfficientNet-Lite0 backbone.

    python -m Training.train_mat --out out/train-mat/mat \
        [--backbone Sources/Detectors/Models/video-efficientnet-lite0.safetensors] \
        [--steps 150] [--reals 16] [--lr 1e-3] [--backbone-lr 1e-4] [--max-minutes 33] [--freeze-through 2] [--seed 1]

Data: Training/train_video.py's VideoBatches — `--reals` real video crops, an SBI pseudo-fake of
each, half as many labelled train-videos fakes (method-balanced), all mirrored and degraded alike —
the default's data. A random half of each batch then goes through AGDA: one of its attention maps
(the model's own, eval mode, no gradient) marks where it is blurred (σ `--agda-sigma`, the paper's
7 at 380 px scaled to 128 px) or resampled (factor 0.3).

Loss: binary cross-entropy + the regional independence loss (margins 0.05 real / 0.1 fake, 0.2
between regions) with feature centres updated at rate α = 0.5 × 0.9^(step // 100) (an "epoch"
here is 100 steps). Optimiser: the paper's Adam, weight decay 1e-6, lr 1e-3 for the new layers
(attention, texture, classifier) and `--backbone-lr` for the trained backbone; linear warm-up then
cosine. The schedule is fixed (no selection on the 25 val videos). `--max-minutes` ends the run
early (the schedule does not stretch); a checkpoint (resume.pt: model with its centres, optimiser,
step) is written every `--save-every` steps and a rerun with the same --out continues from it.

Output in --out: model.safetensors (the centres dropped: not needed at inference) with its card,
last.pt (the full state dict, centres included), log.jsonl.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from .export import exported_tensors, write_safetensors
from .models.mat import ATTENTIONS, MAT, RegionalIndependenceLoss, agda
from .recipes import RECIPES, to_input
from .train_video import VideoBatches, evaluate, load_video_cache
from .pseudofakes.sbi import self_blend

DEFAULT_BACKBONE = Path("Sources/Detectors/Models/video-efficientnet-lite0.safetensors")
RECIPE = RECIPES["efficientnet_lite0"]  # the backbone's input: 128², x/127.5 − 1
STEPS_PER_EPOCH = 100


def build(backbone: Path | None, freeze_through: int = -1) -> MAT:
    """MAT with `backbone`'s weights; the stem and blocks 0..`freeze_through` frozen (-1: none)."""
    model = MAT()
    if backbone:
        result = model.backbone.load_state_dict(load_file(str(backbone)), strict=False)  # no num_batches_tracked
        if result.unexpected_keys or any(not k.endswith("num_batches_tracked") for k in result.missing_keys):
            raise ValueError(f"{backbone} is not an EfficientNet-Lite0: {result}")
    if freeze_through >= 0:
        net = model.backbone
        for module in [net._conv_stem, net._bn0, *net._blocks[:freeze_through + 1]]:
            for parameter in module.parameters():
                parameter.requires_grad_(False)
    return model.to(memory_format=torch.channels_last)


def optimiser_for(model: MAT, lr: float, backbone_lr: float) -> torch.optim.Optimizer:
    backbone = [p for p in model.backbone.parameters() if p.requires_grad]
    ids = {id(p) for p in backbone}
    new = [p for p in model.parameters() if id(p) not in ids and p.requires_grad]
    return torch.optim.Adam([{"params": backbone, "lr": backbone_lr, "base": backbone_lr},
                             {"params": new, "lr": lr, "base": lr}], weight_decay=1e-6)


def train_step(model: MAT, optimiser, ril: RegionalIndependenceLoss, images: np.ndarray, labels: np.ndarray,
               step: int, args) -> dict:
    """One step: AGDA on a random half, BCE + RIL, an optimiser step. Deterministic per (seed, step)."""
    generator = torch.Generator().manual_seed(args.seed * 1_000_003 + step)
    torch.manual_seed(args.seed * 1_000_003 + step)  # dropout
    x = to_input(images, RECIPE).contiguous(memory_format=torch.channels_last)
    chosen = torch.randperm(len(x), generator=generator)[: int(round(args.agda_fraction * len(x)))]
    if len(chosen):
        x = x.clone()
        x[chosen] = agda(model, x[chosen], generator, args.agda_sigma, args.agda_factor)
    y = torch.from_numpy(labels)
    model.train()
    parts = model.parts(x)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(parts["logits"], y)
    alpha = args.alpha * 0.9 ** (step // STEPS_PER_EPOCH)
    independence = ril(parts["regional"], y, model.centres, alpha)
    loss = bce + args.ril_weight * independence
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return {"bce": bce.item(), "ril": independence.item()}


def set_lr(optimiser, step: int, steps: int, warmup: int) -> None:
    factor = min(1.0, (step + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * step / steps))
    for group in optimiser.param_groups:
        group["lr"] = group["base"] * factor


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--backbone", type=Path, default=DEFAULT_BACKBONE, help="EfficientNet-Lite0 safetensors to start from")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--reals", type=int, default=16, help="real crops a batch (each with its SBI fake)")
    parser.add_argument("--lr", type=float, default=1e-3, help="the new layers' (the paper's Adam lr)")
    parser.add_argument("--backbone-lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--freeze-through", type=int, default=2,
                        help="freeze the stem and blocks 0..N of the backbone (-1: none); saves backward time on CPU")
    parser.add_argument("--robustness", type=float, default=0.3)
    parser.add_argument("--ril-weight", type=float, default=1.0)
    parser.add_argument("--alpha", type=float, default=0.5, help="centre update rate, ×0.9 every 100 steps")
    parser.add_argument("--agda-fraction", type=float, default=0.5)
    parser.add_argument("--agda-sigma", type=float, default=2.4)
    parser.add_argument("--agda-factor", type=float, default=0.3)
    parser.add_argument("--eval-every", type=int, default=0, help="steps between val evaluations (0: at the end only)")
    parser.add_argument("--save-every", type=int, default=20)
    parser.add_argument("--max-minutes", type=float, default=0, help="stop after this many minutes (0: no cap)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", help="model card name (default: the out folder's name)")
    args = parser.parse_args(argv)
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        return run(args)
    finally:
        torch.set_num_threads(threads)


def run(args) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    data = load_video_cache(args.cache)
    batches = VideoBatches(data, args.seed, args.reals, True, args.robustness)
    model = build(args.backbone, args.freeze_through)
    optimiser = optimiser_for(model, args.lr, args.backbone_lr)
    ril = RegionalIndependenceLoss()
    resume, start, seconds_before = args.out / "resume.pt", 0, 0.0
    if resume.exists():
        state = torch.load(resume, map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        start, seconds_before = state["step"], state["seconds"]
        print(f"resuming at step {start}", flush=True)
    log = open(args.out / "log.jsonl", "a")
    started = time.monotonic()
    elapsed = lambda: seconds_before + time.monotonic() - started
    step, totals = start, {"bce": 0.0, "ril": 0.0}
    while step < args.steps:
        if args.max_minutes and elapsed() > 60 * args.max_minutes:
            print(f"stopped by --max-minutes at step {step}", flush=True)
            break
        set_lr(optimiser, step, args.steps, args.warmup)
        images, labels = batches(step)
        losses = train_step(model, optimiser, ril, images, labels, step, args)
        totals = {k: totals[k] + losses[k] for k in totals}
        step += 1
        if step % args.save_every == 0 or step == args.steps:
            entry = {"step": step, "seconds": round(elapsed())} | {k: round(v / args.save_every, 4) for k, v in totals.items()}
            totals = {k: 0.0 for k in totals}
            print(json.dumps(entry), flush=True)
            log.write(json.dumps(entry) + "\n")
            log.flush()
            torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step,
                        "seconds": elapsed()}, resume)
        if args.eval_every and step % args.eval_every == 0 and step < args.steps:
            write_eval(model, data, args, step, elapsed(), log)
    entry = write_eval(model, data, args, step, elapsed(), log)
    seconds = elapsed()
    torch.save({"model": model.state_dict(), "args": vars(args) | {"seconds": seconds, "steps_done": step},
                "metrics": entry}, args.out / "last.pt")
    write_card(model, data, args, step, seconds, entry)
    return 0


def write_eval(model: MAT, data: dict, args, step: int, seconds: float, log) -> dict:
    val_reals = np.flatnonzero((data["split"] == "val") & (data["label"] == 0))
    fixed = np.random.default_rng([args.seed, 10**9])
    sbi_fakes = np.stack([self_blend(data["images"][i], data["landmarks"][i], fixed).image for i in val_reals])
    entry = {"step": step, "seconds": round(seconds)} | evaluate(model, RECIPE, data, sbi_fakes)
    print(json.dumps(entry), flush=True)
    log.write(json.dumps(entry) + "\n")
    log.flush()
    return entry


def write_card(model: MAT, data: dict, args, step: int, seconds: float, entry: dict) -> None:
    name = args.name or args.out.name
    provenance = (f"trained by deepfake-scan Training/train_mat.py (make train-mat): start {args.backbone} (backbone, stem and blocks 0-{args.freeze_through} frozen; "
                  f"attention, texture and classifier fresh); {step} of {args.steps} steps of {args.reals} real video crops "
                  f"+ their SBI fakes + {args.reals // 2} labelled fakes of data/train-videos (method-balanced); data: train "
                  f"split of data/train-videos and data/real-videos by group ({int((data['split'] == 'train').sum())} crops, "
                  f"each video as published and H.264 re-encoded at scale 0.35-0.75, CRF 28-40), mirrored, robustness "
                  f"p={args.robustness}; AGDA on {args.agda_fraction:g} of each batch (blur sigma {args.agda_sigma:g} or "
                  f"resample x{args.agda_factor:g} where an attention map is high); loss BCE + {args.ril_weight:g} x regional "
                  f"independence loss (margins 0.05/0.1, 0.2; alpha {args.alpha:g} x0.9 per 100 steps); Adam wd 1e-6, lr "
                  f"{args.lr:g} new layers / {args.backbone_lr:g} backbone, cosine; {RECIPE.input_size}² input; seed "
                  f"{args.seed}; {seconds / 60:.0f} min on CPU; val_* metrics: the cache's val groups")
    metadata = {"name": name, "architecture": "mat", "version": "1", "input_size": str(RECIPE.input_size),
                "colour_order": "RGB", "scaling": RECIPE.scaling, "score_semantics": "p_fake, 1 = fake",
                "attention_maps": str(ATTENTIONS), "provenance": provenance,
                "metrics": json.dumps({k: v for k, v in entry.items() if k.startswith("val_")}, sort_keys=True)}
    tensors = {k: v for k, v in exported_tensors(model.state_dict()).items() if k != "centres"}
    write_safetensors(args.out / "model.safetensors", tensors, metadata)
    print(f"{args.out / 'model.safetensors'}: {seconds / 60:.1f} min", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
