"""Fine-tunes a detector on video crops: reals from real videos, their self-blended
pseudo-fakes, and optionally the labelled fakes of data/train-videos, all degraded alike.

    python -m Training.train_video --model video_efficientnet_lite0 --out out/train-video/RUN
    python -m Training.train_video --cache out/video-cache --out out/train-video/RUN \
        --init Sources/Detectors/Models/sbi-efficientnet-lite0.safetensors [--supervised] \
        [--steps 600] [--reals 24] [--lr 1e-4] [--seed 1] [--max-minutes M]
        [--pseudo-fakes self_blend,reconstruct --reconstructor out/recon-ae/reconstructor.pt]
        [--still-reals out/cache [--still-share 0.5] [--still-reencode]]

A batch: `--reals` real crops (a video drawn uniformly, then one of its frames), an SBI
pseudo-fake of each, and with --supervised half as many labelled fake crops (a method drawn
uniformly, then a video, then a frame, so the 19 DFDC clips do not drown the 14 talking heads;
--exclude-methods leaves methods out). With --still-reals, each real crop is with probability
--still-share a train photo of the still-photo cache (`make cache`: LFW, UTKFace) instead of a
video frame, and its pseudo-fake is made from that photo; --still-reencode makes it, with
probability 0.5, the photo's copy after a real H.264 round trip (data/photo_reencode.py), as the
video cache holds every video as published and re-encoded.
Every image is mirrored at random and degraded by `random_robustness`; the cache already holds
each video re-encoded at low resolution besides as published (Training/data/video_cache.py).

Every `--eval-every` steps it scores the cache's val videos (groups never trained on): video AUC
of reals against labelled fakes (mean p_fake over crops) and crop AUC of reals against fixed SBI
fakes of them, and appends to log.jsonl. The run ends on a fixed schedule (no selection on the
25 val videos, too few to choose by) and writes last.pt and model.safetensors with its card.
"""
import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from .data.cache import add_still_arguments, check_still_arguments, load_photos
from .data.photo_reencode import reencoded_photos
from .export import exported_tensors, write_safetensors
from .heldout import predict
from .metrics import roc_auc
from .pseudofakes.augment import random_robustness
from .pseudofakes.families import FAMILIES, make_family
from .pseudofakes.reconstruct import load_reconstructor, reconstruct
from .pseudofakes.sbi import self_blend
from .recipes import RECIPES, VIDEO_RECIPES, VideoRecipe, to_input

# Families train_video draws besides families.py's: `reconstruct` needs the autoencoder of
# pseudofakes/reconstruct.py (--reconstructor), so it is not one of AMTENnet's classes.
VIDEO_FAMILIES = (*FAMILIES, "reconstruct")


def load_video_cache(cache: Path) -> dict:
    """Every crop of the cache with its video's row: images, landmarks, video, variant (as published
    or re-encoded), label, method, split."""
    with open(cache / "videos.tsv", newline="") as handle:
        videos = {int(row["index"]): row for row in csv.DictReader(handle, delimiter="\t")}
    parts = {"images": [], "landmarks": [], "video": [], "variant": []}
    for shard in sorted((cache / "crops").glob("*.npz")):
        if ".part" in shard.name:
            continue
        index = int(shard.name.split("-")[0])
        with np.load(shard) as data:
            parts["images"].append(data["images"])
            parts["landmarks"].append(data["landmarks"])
            parts["video"].append(np.full(len(data["images"]), index))
            parts["variant"].append(np.full(len(data["images"]), shard.stem.split("-")[1]))
    out = {key: np.concatenate(value) for key, value in parts.items()}
    out["label"] = np.array([int(videos[v]["label"]) for v in out["video"]])
    out["method"] = np.array([videos[v]["method"] for v in out["video"]])
    out["split"] = np.array([videos[v]["split"] for v in out["video"]])
    return out


class VideoBatches:
    """Batch `step` of a run, the same for a seed whatever came before."""

    def __init__(self, data: dict, seed: int, reals: int, supervised: bool, robustness: float,
                 families: tuple[str, ...] = ("self_blend",), reconstructor=None, labelled_fakes: int | None = None,
                 exclude_methods: tuple[str, ...] = (), stills: tuple[np.ndarray, np.ndarray] | None = None,
                 still_share: float = 0.0, reencoded_stills: np.ndarray | None = None):
        train = data["split"] == "train"
        self.data, self.seed, self.reals, self.supervised, self.robustness = data, seed, reals, supervised, robustness
        self.labelled_fakes = reals // 2 if labelled_fakes is None else labelled_fakes
        unknown = set(families) - set(VIDEO_FAMILIES)
        if not families or unknown:
            raise ValueError(f"pseudo-fake families must be some of {', '.join(VIDEO_FAMILIES)}, not {sorted(unknown) or 'none'}")
        if "reconstruct" in families and reconstructor is None:
            raise ValueError("the reconstruct family needs a reconstructor (--reconstructor PATH; make train-reconstructor)")
        self.families, self.reconstructor = tuple(families), reconstructor
        self.real_videos = self._crops_by(train & (data["label"] == 0), data["video"])
        fakes = train & (data["label"] == 1)
        methods = set(data["method"][fakes])
        if set(exclude_methods) - methods or (supervised and not methods - set(exclude_methods)):
            raise ValueError(f"labelled fake methods to leave out must be some of {', '.join(sorted(methods))}, "
                             f"and leave at least one: not {', '.join(exclude_methods)}")
        self.fake_methods = {m: self._crops_by(fakes & (data["method"] == m), data["video"])
                             for m in sorted(methods - set(exclude_methods))}
        if stills is not None and not 0 < still_share < 1:
            raise ValueError(f"--still-share must be in (0, 1), not {still_share}")
        self.stills, self.still_share, self.reencoded_stills = stills, still_share, reencoded_stills

    @staticmethod
    def _crops_by(keep: np.ndarray, key: np.ndarray) -> list[np.ndarray]:
        return [np.flatnonzero(keep & (key == k)) for k in sorted(set(key[keep]))]

    def _pseudo_fake(self, image: np.ndarray, landmarks: np.ndarray, video: int, rng: np.random.Generator) -> np.ndarray:
        """A pseudo-fake of the real crop, its family drawn uniformly (SBI alone draws nothing, so
        the default batches are those of the SBI-only recipe). A cross-identity donor is a crop of
        another real video."""
        if self.families == ("self_blend",):
            return self_blend(image, landmarks, rng).image
        family = self.families[rng.integers(len(self.families))]
        if family == "reconstruct":
            return reconstruct(image, landmarks, rng, self.reconstructor).image
        donor = None
        if family == "cross_blend":
            other = (video + 1 + rng.integers(len(self.real_videos) - 1)) % len(self.real_videos)
            donor_index = rng.choice(self.real_videos[other])
            donor = (self.data["images"][donor_index], self.data["landmarks"][donor_index])
        return make_family(family, image, landmarks, rng, donor).image

    def __call__(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, step])
        images, labels = [], []
        for _ in range(self.reals):
            # Only with stills is there a draw for them, so the batches without are the earlier recipes'.
            if self.stills is not None and rng.random() < self.still_share:
                pick = rng.integers(len(self.stills[0]))
                image, landmarks, video = self.stills[0][pick], self.stills[1][pick], -1
                if self.reencoded_stills is not None and rng.random() < 0.5:
                    image = self.reencoded_stills[pick]
                images += [image, self._pseudo_fake(image, landmarks, video, rng)]
                labels += [0, 1]
                continue
            video = rng.integers(len(self.real_videos))
            index = rng.choice(self.real_videos[video])
            image, landmarks = self.data["images"][index], self.data["landmarks"][index]
            images += [image, self._pseudo_fake(image, landmarks, video, rng)]
            labels += [0, 1]
        if self.supervised:
            methods = list(self.fake_methods.values())
            for _ in range(self.labelled_fakes):
                videos = methods[rng.integers(len(methods))]
                images.append(self.data["images"][rng.choice(videos[rng.integers(len(videos))])])
                labels.append(1)
        out = []
        for image in images:
            image = image[:, ::-1] if rng.random() < 0.5 else image
            out.append(random_robustness(np.ascontiguousarray(image), rng, self.robustness))
        return np.stack(out), np.array(labels, dtype=np.float32)


def video_auc(data: dict, scores: np.ndarray, keep: np.ndarray) -> float:
    """AUC of per-video mean p_fake over the crops in `keep`."""
    videos = sorted(set(data["video"][keep]))
    means = [scores[keep & (data["video"] == v)].mean() for v in videos]
    labels = [data["label"][keep & (data["video"] == v)][0] for v in videos]
    return roc_auc(np.array(labels), np.array(means)) if 0 < sum(labels) < len(labels) else float("nan")


def evaluate(model, recipe, data: dict, sbi_fakes: np.ndarray) -> dict:
    val = data["split"] == "val"
    scores = np.zeros(len(data["images"]), dtype=np.float32)
    scores[val] = predict(model, recipe, data["images"][val])
    result = {"val_video_auc": video_auc(data, scores, val)}
    for variant in ("asis", "reencoded"):
        result[f"val_video_auc_{variant}"] = video_auc(data, scores, val & (data["variant"] == variant))
    reals = val & (data["label"] == 0)
    sbi_scores = predict(model, recipe, sbi_fakes)
    result["val_sbi_auc"] = roc_auc(np.r_[np.zeros(reals.sum()), np.ones(len(sbi_scores))],
                                    np.r_[scores[reals], sbi_scores])
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", choices=sorted(VIDEO_RECIPES),
                        help="a video recipe: its recipe, --init, --supervised, and --steps, --reals and --lr unless given")
    parser.add_argument("--recipe", default="efficientnet_lite0", choices=sorted(RECIPES))
    parser.add_argument("--init", type=Path, help="safetensors to start from (default: the recipe's own start)")
    parser.add_argument("--supervised", action="store_true", help="add train-videos' labelled fakes")
    parser.add_argument("--pseudo-fakes", default="self_blend",
                        help=f"comma-separated pseudo-fake families, drawn uniformly per real crop: {', '.join(VIDEO_FAMILIES)}")
    parser.add_argument("--reconstructor", type=Path,
                        help="the autoencoder the reconstruct family runs (make train-reconstructor: out/recon-ae/reconstructor.pt)")
    parser.add_argument("--labelled-fakes", type=int,
                        help="labelled train-videos fakes a batch, with --supervised (default: half of --reals)")
    parser.add_argument("--exclude-methods", help="comma-separated labelled fake methods to leave out (default: the --model recipe's, else none)")
    parser.add_argument("--steps", type=int, help="default: the --model recipe's, else 600")
    parser.add_argument("--reals", type=int, help="real crops a batch, each with its pseudo-fake (default: the recipe's, else 24)")
    parser.add_argument("--lr", type=float, help="default: the --model recipe's, else 1e-4")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--robustness", type=float, default=0.3)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    add_still_arguments(parser)
    parser.add_argument("--name", help="model card name (default: the out folder's name)")
    args = parser.parse_args(argv)
    families = tuple(args.pseudo_fakes.split(","))
    check_still_arguments(parser, args)
    if "reconstruct" in families and args.reconstructor is None:
        parser.error("--pseudo-fakes reconstruct needs --reconstructor PATH (make train-reconstructor writes out/recon-ae/reconstructor.pt)")
    if args.model:
        video = VIDEO_RECIPES[args.model]
        args.recipe, args.init, args.supervised = video.recipe, video.init and Path(video.init), video.supervised
    # Given on the command line, these win over the recipe's (a recipe trained longer is `--model R --steps N`).
    fallback = VIDEO_RECIPES[args.model] if args.model else VideoRecipe("", None, False)
    args.steps = fallback.steps if args.steps is None else args.steps
    args.reals = fallback.reals if args.reals is None else args.reals
    args.lr = fallback.lr if args.lr is None else args.lr
    excluded = fallback.exclude_methods if args.exclude_methods is None else tuple(filter(None, args.exclude_methods.split(",")))
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    recipe = RECIPES[args.recipe]
    data = load_video_cache(args.cache)
    reconstructor = load_reconstructor(args.reconstructor) if "reconstruct" in families else None
    photos = load_photos(args.still_reals) if args.still_reals else None
    stills = (photos.images, photos.landmarks) if photos is not None else None
    reencoded = reencoded_photos(photos.images, args.seed) if photos is not None and args.still_reencode else None
    batches = VideoBatches(data, args.seed, args.reals, args.supervised, args.robustness, families, reconstructor,
                           args.labelled_fakes, excluded, stills, args.still_share, reencoded)
    val_reals = np.flatnonzero((data["split"] == "val") & (data["label"] == 0))
    fixed = np.random.default_rng([args.seed, 10**9])
    sbi_fakes = np.stack([self_blend(data["images"][i], data["landmarks"][i], fixed).image for i in val_reals])

    model = recipe.build().to(memory_format=torch.channels_last)
    if args.init:
        model.load_state_dict(load_file(str(args.init)), strict=False)  # no num_batches_tracked in the file
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    loss_function = torch.nn.BCEWithLogitsLoss()
    log = open(args.out / "log.jsonl", "a")
    started = time.monotonic()
    for step in range(args.steps + 1):
        if step % args.eval_every == 0 or step == args.steps:
            entry = {"step": step, "seconds": round(time.monotonic() - started)} | evaluate(model, recipe, data, sbi_fakes)
            print(json.dumps(entry), flush=True)
            log.write(json.dumps(entry) + "\n")
            log.flush()
        if step == args.steps:
            break
        factor = min(1.0, (step + 1) / args.warmup) * 0.5 * (1 + np.cos(np.pi * step / args.steps))
        for group in optimiser.param_groups:
            group["lr"] = args.lr * factor
        images, labels = batches(step)
        model.train()
        loss = loss_function(model(to_input(images, recipe)), torch.from_numpy(labels))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    seconds = time.monotonic() - started
    torch.save({"model": model.state_dict(), "args": vars(args) | {"seconds": seconds}, "metrics": entry}, args.out / "last.pt")
    name = args.name or args.out.name
    how = f" (make train MODEL={args.model}" + (f", seed {args.seed}" if args.seed != 1 else "") + ")" if args.model else ""
    provenance = (f"trained by deepfake-scan Training/train_video.py{how}: start {args.init or recipe.pretrained}; "
                  f"{args.steps} steps of {args.reals} real video crops + "
                  + ("their SBI fakes" if families == ("self_blend",) else f"a pseudo-fake of each ({', '.join(families)}, drawn uniformly)")
                  + (f" (reconstruct: autoencoder {args.reconstructor.name})" if reconstructor is not None else "")
                  + (f" + {batches.labelled_fakes} labelled fakes of data/train-videos (method-balanced"
                     + (f", without {', '.join(excluded)}" if excluded else "") + ")" if args.supervised else "")
                  + f"; data: train split of data/train-videos and data/real-videos by group ({int((data['split'] == 'train').sum())} crops, "
                  f"each video as published and H.264 re-encoded at scale 0.35-0.75, CRF 28-40)"
                  + (f"; a share of {args.still_share:g} of the real crops from the still-photo cache's train photos "
                     f"(LFW, UTKFace; {len(stills[0])} crops"
                     + (", half of the draws after an H.264 round trip at 64-192 px, CRF 28-40" if reencoded is not None else "")
                     + ")" if stills is not None else "")
                  + ", mirrored, "
                  f"robustness p={args.robustness}; AdamW lr {args.lr} cosine, {recipe.input_size}² input; seed {args.seed}; "
                  f"{seconds / 60:.0f} min on CPU; val_* metrics: the cache's val groups")
    metadata = {"name": name, "architecture": recipe.architecture, "version": "1", "input_size": str(recipe.input_size),
                "colour_order": "RGB", "scaling": recipe.scaling, "score_semantics": "p_fake, 1 = fake",
                "provenance": provenance, "metrics": json.dumps({k: v for k, v in entry.items() if k.startswith("val_")}, sort_keys=True)}
    write_safetensors(args.out / "model.safetensors", exported_tensors(model.state_dict()), metadata)
    print(f"{args.out / 'model.safetensors'}: {seconds / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
