"""Trains AMTENnet (Training/models/amtennet.py) as a multi-class classifier on the video crop cache:
real crops, the four pseudo-manipulation families made from them and the labelled train-videos
fakes by family (Training/amtennet_data.py); p_fake = 1 − p(real).

    python -m Training.train_amtennet --cache out/video-cache --out out/train-amtennet/amtennet \
        [--per-class 400] [--real-share 0.5] [--aux-weight 0] [--input-size 128] [--epochs 12] [--max-minutes 55] \
        [--lr 1e-3] [--seed 1] [--exclude-methods dfdc] [--still-reals out/cache [--still-share 0.5] [--still-reencode]]

1. Samples (once; samples.npz in --out, reused by a rerun with the same settings): `--per-class`
   train-split crops of every manipulation class and as many reals as `--real-share` needs
   (p_fake = 1 − p(real), so real must be learnt well: at 0.5 reals are half of every batch and
   the other classes share the rest evenly), mirrored and degraded by random_robustness, and the
   held-out set: up to `--val-per-class` crops of every class from the val split (groups never
   trained on), as they are. `--exclude-methods` leaves those labelled fakes out of both (a
   family left without fakes is no class). `--still-reals` adds the still-photo cache's train
   photos (LFW, UTKFace) to the train reals: `--still-share` of the reals and of the crops the
   pseudo-families are made from are then stills (the val set stays the video cache's);
   `--still-reencode` swaps half of the photos, drawn once, for their H.264 round trip.
2. Cross-entropy plus `--aux-weight` × the binary real-vs-fake cross-entropy of p_fake = 1 − p(real)
   (amtennet_loss; 0, the default: cross-entropy alone, amtennet-bal's loss; 1 was measured worse), Adam with cosine decay, mini-batches of 64 with a fresh mirror per epoch (each
   batch `--real-share` reals), cut at `--max-minutes` (no selection on the val set). The cosine
   runs over whichever ends first, the `--epochs` schedule or the time cap, so a time-capped run
   still ends annealed. A checkpoint after every epoch: rerunning the same command resumes from it.
3. Writes model.safetensors with its card (`manipulation_classes`: the class names, class 0
   real) and log.jsonl; the val metrics (held-out multi-class accuracy, confusion matrix, real vs
   rest AUC) go on the card.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from .amtennet_data import METHOD_FAMILIES, class_names, identities, sample_set, with_still_reals, without_methods
from .data.cache import add_still_arguments, check_still_arguments
from .export import exported_tensors, write_safetensors
from .metrics import roc_auc
from .models.amtennet import AMTENnet
from .train_video import load_video_cache


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 N×S×S×3 → float NCHW x/255 (the card's scaling)."""
    x = torch.as_tensor(images).permute(0, 3, 1, 2).float() / 255.0
    return x.contiguous(memory_format=torch.channels_last)  # faster on CPU for these thin layers


def predict(model: AMTENnet, images: np.ndarray, chunk: int = 128) -> np.ndarray:
    """Class probabilities [N, classes]."""
    model.eval()
    with torch.no_grad():
        parts = [torch.softmax(model(to_tensor(images[i:i + chunk])), 1).numpy() for i in range(0, len(images), chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, model.fc3.out_features), np.float32)


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """[true, predicted] counts."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def evaluate(model: AMTENnet, images: np.ndarray, labels: np.ndarray, classes: list[str]) -> dict:
    probabilities = predict(model, images)
    predicted = probabilities.argmax(1)
    matrix = confusion(labels, predicted, len(classes))
    present = matrix.sum(1) > 0
    per_class = {name: round(float(matrix[i, i] / matrix[i].sum()), 4) for i, name in enumerate(classes) if present[i]}
    fake = 1.0 - probabilities[:, 0]
    return {"val_accuracy": round(float((predicted == labels).mean()), 4),
            "val_balanced_accuracy": round(float(np.mean(list(per_class.values()))), 4),
            "val_real_vs_rest_auc": round(float(roc_auc((labels > 0).astype(int), fake)), 4),
            "val_per_class_accuracy": per_class, "val_confusion": matrix.tolist()}


def amtennet_loss(logits: torch.Tensor, labels: torch.Tensor, aux_weight: float) -> torch.Tensor:
    """Mean cross-entropy over the classes + aux_weight × mean BCE(p_fake, is_fake), p_fake = 1 − p(real).
    The multi-class loss alone lets the network spread a fake's mass over `real` and a wrong family as
    cheaply as over wrong families; the binary term charges for every bit of mass left on real. Both
    from log-softmax: log p(real) is its class-0 entry, log(1 − p(real)) the logsumexp of the others,
    so neither underflows when p(real) is near 0 or 1."""
    log_p = torch.log_softmax(logits, 1)
    loss = torch.nn.functional.nll_loss(log_p, labels)
    if aux_weight == 0:
        return loss
    log_real, log_fake = log_p[:, 0], torch.logsumexp(log_p[:, 1:], 1)
    binary = -torch.where(labels != 0, log_fake, log_real).mean()
    return loss + aux_weight * binary


def real_count(per_class: int, classes: int, real_share: float) -> int:
    """Train reals so that they are `real_share` of the set, the other classes `per_class` each
    (at least `per_class`: a share of 0 keeps every class equal, real included)."""
    if not 0 <= real_share < 1:
        raise ValueError(f"--real-share {real_share} is not in [0, 1)")
    return max(per_class, round(per_class * (classes - 1) * real_share / (1 - real_share)))


def batches(labels: torch.Tensor, batch: int, real_share: float, generator: torch.Generator) -> list[torch.Tensor]:
    """One epoch's mini-batches of indices. With a real share, every batch has round(batch × share)
    reals and the rest from the other classes; the epoch passes once over the non-reals, the reals
    cycle. Without one, a plain shuffle of the set."""
    if real_share <= 0:
        order = torch.randperm(len(labels), generator=generator)
        return list(order.split(batch))
    reals, fakes = torch.nonzero(labels == 0).flatten(), torch.nonzero(labels != 0).flatten()
    reals, fakes = reals[torch.randperm(len(reals), generator=generator)], fakes[torch.randperm(len(fakes), generator=generator)]
    real_part = min(batch - 1, max(1, round(batch * real_share)))
    fake_part = batch - real_part
    out = []
    for step, start in enumerate(range(0, len(fakes), fake_part)):
        picked = torch.arange(step * real_part, (step + 1) * real_part) % len(reals)
        out.append(torch.cat([reals[picked], fakes[start:start + fake_part]]))
    return out


def samples(args, data: dict, classes: list[str]) -> dict:
    reals = real_count(args.per_class, len(classes), args.real_share)
    key = {"seed": args.seed, "per_class": args.per_class, "val_per_class": args.val_per_class, "classes": classes,
           "input_size": args.input_size, "robustness": args.robustness, "reals": reals, "version": 2}
    if args.exclude_methods:  # only then, so the samples of earlier runs stay reusable
        key["exclude_methods"] = sorted(args.exclude_methods)
    if args.still_reals:
        key |= {"still_reals": str(args.still_reals), "still_share": args.still_share}
    if args.still_reencode:  # only then, so the samples of earlier still runs stay reusable
        key["still_reencode"] = True
    path = args.out / "samples.npz"
    if path.exists():
        with np.load(path) as cached:
            if json.loads(str(cached["key"])) == key:
                return {k: cached[k] for k in cached.files if k != "key"}
    started = time.monotonic()
    ids = identities(args.cache, data)
    if args.still_reals:
        data, ids = with_still_reals(data, ids, args.still_reals, args.seed if args.still_reencode else None)
    train, train_labels, _ = sample_set(data, ids, classes, "train", args.per_class, args.seed, args.input_size,
                                        args.robustness, args.workers, reals=reals, still_share=args.still_share)
    val, val_labels, _ = sample_set(data, ids, classes, "val", args.val_per_class, args.seed + 1000, args.input_size,
                                    0.0, args.workers)
    out = {"train": train, "train_labels": train_labels, "val": val, "val_labels": val_labels,
           "sample_seconds": np.array(time.monotonic() - started)}
    print(f"sampled {len(train)} train + {len(val)} val crops in {out['sample_seconds']:.0f} s", flush=True)
    np.savez(path, key=json.dumps(key), **out)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-class", type=int, default=400)
    parser.add_argument("--real-share", type=float, default=0.5,
                        help="reals' share of the train set and of every batch (0: every class per-class, plain shuffle)")
    parser.add_argument("--val-per-class", type=int, default=100)
    parser.add_argument("--input-size", type=int, default=128)
    parser.add_argument("--robustness", type=float, default=0.3)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--aux-weight", type=float, default=0.0,
                        help="weight of the binary real-vs-fake loss on 1 - p(real) added to the cross-entropy (0: none)")
    parser.add_argument("--max-minutes", type=float, default=55.0, help="stop training after this (sampling not counted)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (tests)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="processes making the samples")
    parser.add_argument("--exclude-methods", default="", help="comma-separated labelled fake methods to leave out")
    add_still_arguments(parser)
    parser.add_argument("--name", help="model card name (default: the out folder's name)")
    args = parser.parse_args(argv)
    check_still_arguments(parser, args)
    args.exclude_methods = tuple(filter(None, args.exclude_methods.split(",")))
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        return train(args)
    finally:
        torch.set_num_threads(threads)


def train(args) -> int:
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    data = without_methods(load_video_cache(args.cache), args.exclude_methods)
    classes = class_names(data)
    sets = samples(args, data, classes)
    images, labels = sets["train"], torch.from_numpy(sets["train_labels"])
    model = AMTENnet(len(classes), args.input_size).to(memory_format=torch.channels_last)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = len(batches(labels, args.batch, args.real_share, torch.Generator().manual_seed(0)))
    total_steps = args.epochs * steps_per_epoch
    checkpoint_path, epoch, spent = args.out / "checkpoint.pt", 0, 0.0
    if checkpoint_path.exists():
        state = torch.load(checkpoint_path, weights_only=False)
        if state["classes"] == classes and state["input_size"] == args.input_size:
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimiser"])
            epoch, spent = state["epoch"], state["seconds"]
            print(f"resuming after epoch {epoch} ({spent / 60:.1f} min)", flush=True)
    log = open(args.out / "log.jsonl", "a")
    entry: dict = {}
    started, step = time.monotonic() - spent, epoch * steps_per_epoch
    stop = False
    while epoch < args.epochs and not stop:
        generator = torch.Generator().manual_seed(args.seed * 1000 + epoch)
        epoch_batches, total, seen = batches(labels, args.batch, args.real_share, generator), 0.0, 0
        flips = torch.rand(len(labels), generator=generator) < 0.5
        model.train()
        for index in epoch_batches:
            x = to_tensor(images[index.numpy()])
            x = torch.where(flips[index, None, None, None], x.flip(3), x)
            progress = min(1.0, max(step / total_steps, (time.monotonic() - started) / 60 / args.max_minutes))
            for group in optimiser.param_groups:
                group["lr"] = args.lr * 0.5 * (1 + np.cos(np.pi * progress))
            loss = amtennet_loss(model(x), labels[index], args.aux_weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(index)
            seen += len(index)
            step += 1
            minutes = (time.monotonic() - started) / 60
            if (args.max_steps and step >= args.max_steps) or minutes >= args.max_minutes:
                stop = True
                break
        epoch += 1
        entry = {"epoch": epoch, "step": step, "loss": round(total / seen, 4), "lr": float(f"{optimiser.param_groups[0]['lr']:.3g}"),
                 "seconds": round(time.monotonic() - started)} | evaluate(model, sets["val"], sets["val_labels"], classes)
        print(json.dumps({k: v for k, v in entry.items() if k != "val_confusion"}), flush=True)
        log.write(json.dumps(entry) + "\n")
        log.flush()
        torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "epoch": epoch,
                    "seconds": time.monotonic() - started, "classes": classes, "input_size": args.input_size},
                   checkpoint_path)
    if not entry:
        entry = evaluate(model, sets["val"], sets["val_labels"], classes)
    export(args, model, classes, entry, sets, time.monotonic() - started, epoch, step)
    return 0


def export(args, model: AMTENnet, classes: list[str], entry: dict, sets: dict, seconds: float, epochs: int, steps: int) -> None:
    name = args.name or args.out.name
    counts = np.bincount(sets["train_labels"], minlength=len(classes))
    provenance = (f"trained by deepfake-scan Training/train_amtennet.py (make train-amtennet): AMTENnet (Guo et al. 2021), "
                  f"{args.input_size}² input, classes {', '.join(classes)}; {int(counts.sum())} train crops "
                  f"({', '.join(f'{c} {n}' for c, n in zip(classes, counts))}) from the train groups of data/train-videos and "
                  f"data/real-videos (video crop cache, as published and H.264 re-encoded): reals, the pseudo-manipulation "
                  f"families made from them (Training/pseudofakes/families.py) and the labelled fakes by method family "
                  f"{json.dumps(METHOD_FAMILIES)}{' without ' + ', '.join(args.exclude_methods) if args.exclude_methods else ''}"
                  f"{f'; a share of {args.still_share:g} of the reals and pseudo-family sources from the still-photo cache (LFW, UTKFace train identities)' if args.still_reals else ''}{', half of the photos after an H.264 round trip at 64-192 px, CRF 28-40' if args.still_reencode else ''}, mirrored, robustness p={args.robustness}; cross-entropy{f' + {args.aux_weight:g} x binary cross-entropy of 1 - p(real) against is-fake (aux_weight {args.aux_weight:g})' if args.aux_weight else ' (aux_weight 0)'}, Adam lr {args.lr} "
                  f"cosine (over {args.epochs} epochs or {args.max_minutes:g} min, whichever ends first), batch {args.batch} "
                  f"({'reals ' + format(args.real_share, 'g') + ' of each' if args.real_share > 0 else 'shuffled'}), {epochs} epochs ({steps} steps), seed {args.seed}; {seconds / 60:.0f} min "
                  f"on CPU; val_* metrics: held-out crops of every class from the cache's val groups ({len(sets['val_labels'])})")
    metrics = {k: v for k, v in entry.items() if k.startswith("val_") and isinstance(v, float)}
    metrics |= {f"val_accuracy_{c}": v for c, v in entry.get("val_per_class_accuracy", {}).items()}
    metadata = {"name": name, "architecture": "amtennet", "version": "1", "input_size": str(args.input_size),
                "colour_order": "RGB", "scaling": "x/255", "score_semantics": "p_fake, 1 = fake",
                "provenance": provenance, "metrics": json.dumps(metrics, sort_keys=True),
                "manipulation_classes": json.dumps(classes),
                "recipe": json.dumps({"real_share": args.real_share, "aux_weight": args.aux_weight, "epochs": args.epochs,
                                      "max_minutes": args.max_minutes, "lr": args.lr, "batch": args.batch,
                                      "per_class": args.per_class, "seed": args.seed,
                                      "exclude_methods": list(args.exclude_methods),
                                      "still_share": args.still_share if args.still_reals else 0.0,
                                      "still_reencode": args.still_reencode}, sort_keys=True)}
    write_safetensors(args.out / "model.safetensors", exported_tensors(model.state_dict()), metadata)
    print(f"{args.out / 'model.safetensors'}: {seconds / 60:.1f} min", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
