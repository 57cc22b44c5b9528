"""AMTENnet's multi-class accuracy on held-out crops of every class: real crops of the video
cache's val groups (identities never trained on), the four pseudo-manipulation families made
from them, and the val groups' labelled fakes by method family.

    python -m Training.amtennet_heldout --weights out/train-amtennet/amtennet/model.safetensors \
        --out out/train-amtennet/amtennet/heldout [--cache out/video-cache] [--per-class 100] [--seed 1]

The set is the trainer's val set (Training/amtennet_data.py `sample_set` on the val split with
seed + 1000, crops as they are): the same seed gives the same crops. Writes, under --out,
`crops/<class>/NNNN.png` (at the model's input size), `labels.tsv` (path, label real/fake,
method = the class, video = the cache's source video) and `results.json`; prints the crop-level
confusion matrix (true class × argmax class), the multi-class accuracy, and for the labelled
fakes the video-level accuracy (a video's crops' mean class probabilities).
"""
import argparse
import csv
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file

from .amtennet_data import identities, sample_set
from .models.amtennet import AMTENnet
from .pseudofakes.families import FAMILIES
from .train_amtennet import confusion, predict
from .train_video import load_video_cache


def load(weights: Path) -> tuple[AMTENnet, list[str], int]:
    with safe_open(str(weights), "pt") as handle:
        card = handle.metadata()
    classes, size = json.loads(card["manipulation_classes"]), int(card["input_size"])
    model = AMTENnet(len(classes), size)
    result = model.load_state_dict(load_file(str(weights)), strict=False)  # the file has no num_batches_tracked
    if result.unexpected_keys or any(not k.endswith("num_batches_tracked") for k in result.missing_keys):
        raise ValueError(f"{weights} is not an AMTENnet: {result}")
    return model.eval(), classes, size


def table(matrix: np.ndarray, classes: list[str]) -> str:
    width = max(13, max(map(len, classes)) + 2)
    lines = ["true \\ called".ljust(width) + "".join(c[:width - 1].ljust(width) for c in classes)]
    lines += [name.ljust(width) + "".join(str(v).ljust(width) for v in row) for name, row in zip(classes, matrix)]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    parser.add_argument("--weights", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1, help="the trainer's --seed (the val set uses seed + 1000)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    model, classes, size = load(args.weights)
    data = load_video_cache(args.cache)
    images, labels, sources = sample_set(data, identities(args.cache, data), classes, "val", args.per_class,
                                         args.seed + 1000, size, 0.0, args.workers)
    rows = []
    for index, (image, label, source) in enumerate(zip(images, labels, sources)):
        relative = Path("crops") / classes[label] / f"{index:04d}.png"
        (args.out / relative).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(args.out / relative)
        rows.append({"path": str(relative), "label": "real" if label == 0 else "fake", "method": classes[label],
                     "video": int(data["video"][source])})
    with open(args.out / "labels.tsv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["path", "label", "method", "video"], delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        probabilities = predict(model, images)
    finally:
        torch.set_num_threads(threads)
    called = probabilities.argmax(1)
    matrix = confusion(labels, called, len(classes))
    per_class = {c: float(matrix[i, i] / matrix[i].sum()) for i, c in enumerate(classes) if matrix[i].sum()}
    # Labelled fakes (classes no pseudo family makes): per source video, the mean class probabilities.
    video_calls = {}
    for label in sorted(set(labels.tolist())):
        if classes[label] == "real" or classes[label] in FAMILIES:
            continue
        for video in sorted(set(data["video"][sources[labels == label]].tolist())):
            own = (labels == label) & (data["video"][sources] == video)
            video_calls[f"{classes[label]}/{video}"] = classes[int(probabilities[own].mean(0).argmax())]
    video_correct = sum(key.split("/")[0] == value for key, value in video_calls.items())
    results = {"classes": classes, "crops": int(len(labels)), "accuracy": float((called == labels).mean()),
               "balanced_accuracy": float(np.mean(list(per_class.values()))), "per_class_accuracy": per_class,
               "confusion": matrix.tolist(), "labelled_fake_videos": video_calls,
               "labelled_fake_video_accuracy": video_correct / len(video_calls) if video_calls else None}
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(table(matrix, classes))
    print(f"multi-class accuracy {results['accuracy']:.4f} on {len(labels)} held-out crops "
          f"(balanced {results['balanced_accuracy']:.4f}); per class "
          + ", ".join(f"{c} {v:.2f}" for c, v in per_class.items()))
    if video_calls:
        print(f"labelled val fakes, video level: {video_correct} of {len(video_calls)} called by their family: "
              + ", ".join(f"{k} → {v}" for k, v in video_calls.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
