"""Trains a detector on real crops and their pseudo-fakes (SBI + cross-identity), on CPU.

    python -m Training.train --model efficientnet_lite0 --cache out/cache --out out/train/efficientnet_lite0

Checkpoints `checkpoint.pt` every `--checkpoint-every` steps and at each evaluation, and
resumes from it when started again with the same --out: a long run can be stopped (Ctrl-C,
kill, `--max-minutes`) and continued later, and it gives the same weights as one run, since
each batch is seeded by (seed, epoch, step). `best.pt` keeps the step with the highest AUC on
held-out pseudo-fakes (val identities, never trained on); `log.jsonl` has one line per
evaluation. Export with Training.export.
"""
import argparse
import dataclasses
import json
import math
import os
import signal
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .data.cache import load_split
from .heldout import held_out_metrics, predict, validation_sets
from .pseudofakes.sampler import PseudoFakeSampler
from .recipes import RECIPES, to_input


class PairBatches(torch.utils.data.Dataset):
    """Batch `i` of an epoch: pairs_per_batch real crops (a seeded permutation) and their fakes."""

    def __init__(self, sampler: PseudoFakeSampler, seed: int, epoch: int, pairs: int, start: int = 0):
        order = np.random.default_rng([seed, epoch, 7]).permutation(len(sampler))
        self.batches = [order[i:i + pairs] for i in range(0, len(order) - pairs + 1, pairs)][start:]
        self.sampler, self.epoch = sampler, epoch

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        batch = self.sampler.batch(self.batches[i], self.epoch)
        return torch.from_numpy(batch.images), torch.from_numpy(batch.labels)


@torch.no_grad()
def evaluate(model, recipe, images, labels, kinds, prefix: str = "val") -> dict:
    return held_out_metrics(labels, predict(model, recipe, images), kinds, prefix)


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def ignore_stop_signals(_worker_id: int) -> None:
    """In data-loader workers: Ctrl-C (sent to the whole process group) or `kill` of the group
    must reach only the main process, which finishes its step and checkpoints; a worker dying
    first would abort the step instead. Workers start with these signals blocked (see
    `start_workers`), so none arrives before they are ignored."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def start_workers(loader):
    """iter(loader) with the stop signals held back while the workers fork; the main process
    gets any that came in meanwhile once they are unblocked."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        return iter(loader)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def learning_rate(recipe, step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return recipe.lr * (step + 1) / warmup
    return recipe.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))


def save_atomically(state: dict, path: Path) -> None:
    temporary = path.with_suffix(".tmp")
    torch.save(state, temporary)
    os.replace(temporary, path)


def finished(checkpoint: Path) -> bool:
    """Whether the run that wrote `checkpoint` completed its schedule."""
    saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
    return saved["step"] >= saved["epochs"] * saved["steps_per_epoch"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, choices=sorted(RECIPES))
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, help="default: the recipe's")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs-per-batch", type=int, help="default: the recipe's")
    parser.add_argument("--val-pairs", type=int, default=1000)
    parser.add_argument("--cross-fraction", type=float, default=0.3, help="share of cross-identity fakes (rest SBI)")
    parser.add_argument("--robustness", type=float, default=0.3, help="probability of each degradation")
    parser.add_argument("--lr", type=float, help="peak learning rate; default: the recipe's")
    parser.add_argument("--warmup", type=int, default=100, help="steps of linear learning-rate warm-up")
    parser.add_argument("--eval-every", type=int, default=250, help="steps")
    parser.add_argument("--checkpoint-every", type=int, default=50, help="steps")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="data-loader processes")
    parser.add_argument("--compile", action="store_true",
                        help="train through torch.compile (inductor, needs a C++ compiler): a 1-2 min compile "
                        "at start, then Meso-4 steps 2.4x faster here (fused BatchNorm/ReLU/pooling)")
    parser.add_argument("--limit", type=int, help="train on the first N crops only (smoke tests)")
    parser.add_argument("--max-steps", type=int, help="stop (with a checkpoint) after this many steps in total")
    parser.add_argument("--max-minutes", type=float, help="stop (with a checkpoint) after this long")
    parser.add_argument("--init", type=Path, help="start from this checkpoint's weights (fresh optimiser and "
                        "schedule); default for a fine-tuning recipe: OUT/../<its init_from>/best.pt")
    args = parser.parse_args(argv)

    recipe = RECIPES[args.model]
    if args.lr:
        recipe = dataclasses.replace(recipe, lr=args.lr)
    epochs = args.epochs or recipe.epochs
    if recipe.init_from and not args.init:
        args.init = args.out.parent / recipe.init_from / "best.pt"
    resuming = (args.out / "checkpoint.pt").exists()  # the checkpoint holds the weights then
    if args.init and not resuming and not args.init.exists():
        parser.error(f"{args.init} does not exist: train {recipe.init_from or 'that model'} first "
                     f"(make train MODEL={recipe.init_from or '…'})")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    faces = load_split(args.cache, "train")
    if args.limit:
        faces = type(faces)(faces.images[:args.limit], faces.landmarks[:args.limit],
                            faces.identities[:args.limit], faces.sources[:args.limit])
    sampler = PseudoFakeSampler.from_faces(faces, args.seed, cross_fraction=args.cross_fraction,
                                           robustness=args.robustness)
    val_sets = validation_sets(args.cache, args.seed, args.val_pairs, args.robustness)
    pairs = args.pairs_per_batch or recipe.pairs_per_batch
    steps_per_epoch = len(faces) // pairs
    total = steps_per_epoch * epochs

    model = recipe.build().to(memory_format=torch.channels_last)
    if args.init and not resuming:
        model.load_state_dict(torch.load(args.init, map_location="cpu", weights_only=False)["model"])
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=1e-4)
    step, best, elapsed_before = 0, -1.0, 0.0
    checkpoint = args.out / "checkpoint.pt"
    if checkpoint.exists():
        saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
        model.load_state_dict(saved["model"])
        optimiser.load_state_dict(saved["optimiser"])
        torch.set_rng_state(saved["torch_rng"])
        step, best, elapsed_before = saved["step"], saved["best_auc"], saved["train_seconds"]
        print(f"resumed at step {step}/{total} (best val AUC {best:.4f})", flush=True)

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))

    def state(kind: str) -> dict:
        return {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step,
                "best_auc": best, "torch_rng": torch.get_rng_state(), "kind": kind,
                "train_seconds": elapsed_before + time.monotonic() - started,
                "architecture": recipe.architecture, "recipe": args.model, "epochs": epochs,
                "init": str(args.init) if args.init else None, "seed": args.seed,
                "steps_per_epoch": steps_per_epoch, "train_crops": len(faces), "val_pairs": args.val_pairs,
                "pairs_per_batch": pairs}

    def log(record: dict) -> None:
        with open(args.out / "log.jsonl", "a") as file:
            file.write(json.dumps(record) + "\n")
        print(json.dumps(record), flush=True)

    model.train()
    # Only the training step goes through the compiled module: checkpoints keep the plain
    # module's keys, and evaluation (eval mode, no gradients) stays eager.
    forward = torch.compile(model) if args.compile else model
    losses: list[float] = []
    while step < total and not stop["now"]:
        epoch, start = divmod(step, steps_per_epoch)
        loader = torch.utils.data.DataLoader(PairBatches(sampler, args.seed, epoch, pairs, start),
                                             batch_size=None, shuffle=False, num_workers=args.workers,
                                             prefetch_factor=4 if args.workers else None,
                                             worker_init_fn=ignore_stop_signals,
                                             # its own generator: making an iterator must not draw from the
                                             # global RNG (dropout's), or a resumed run would differ
                                             generator=torch.Generator().manual_seed(args.seed))
        for images, labels in start_workers(loader):
            for group in optimiser.param_groups:
                group["lr"] = learning_rate(recipe, step, total, args.warmup)
            loss = F.binary_cross_entropy_with_logits(forward(to_input(images, recipe)), labels)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
            step += 1
            finished = step == total
            if step % args.eval_every == 0 or finished:
                metrics = {}
                for prefix, (images_, labels_, kinds_) in val_sets.items():
                    metrics.update(evaluate(model, recipe, images_, labels_, kinds_, prefix))
                record = {"step": step, "epoch": round(step / steps_per_epoch, 3), "train_loss": float(np.mean(losses)),
                          "lr": learning_rate(recipe, step - 1, total, args.warmup), **metrics,
                          "train_seconds": round(elapsed_before + time.monotonic() - started)}
                losses.clear()
                log(record)
                if metrics["val_auc"] > best:
                    best = metrics["val_auc"]
                    save_atomically({**state("best"), "metrics": record}, args.out / "best.pt")
                save_atomically(state("checkpoint"), checkpoint)
            elif step % args.checkpoint_every == 0:
                save_atomically(state("checkpoint"), checkpoint)
                seconds = elapsed_before + time.monotonic() - started
                print(f"step {step}/{total} loss {np.mean(losses):.4f} {seconds:.0f} s", flush=True)
            out_of_time = args.max_minutes and time.monotonic() - started > args.max_minutes * 60
            if stop["now"] or out_of_time or (args.max_steps and step >= args.max_steps):
                stop["now"] = True
                break
    save_atomically(state("checkpoint"), checkpoint)
    print(f"{'stopped' if step < total else 'finished'} at step {step}/{total}; best val AUC {best:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
