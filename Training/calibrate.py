"""The calibration reals and the card's threshold from them.

    python -m Training.calibrate labels --shared ../shared --cache out/video-cache --out out/calibration
        writes calibration.tsv: real videos no recipe trained on — the video cache's val-group
        reals and the dev-videos reals — absolute paths, columns path label method group set
    deepfake-scan eval out/calibration/calibration.tsv --weights F --csv out/calibration/F.csv
    python -m Training.calibrate threshold --scores out/calibration/F.csv --weights F [--max-fpr 0.05]
        puts on F's card the lowest threshold that flags at most --max-fpr of those real videos
        (score ≥ threshold is fake), with the count it was fitted on; --metric KEY=VALUE adds
        measured numbers (the selection set's AUC, its interval; Makefile `selection-labels`).
"""
import argparse
import csv
import json
import math
from pathlib import Path

from safetensors import safe_open

from .export import write_safetensors

COLUMNS = ["path", "label", "method", "group", "set"]


def read_tsv(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def write_tsv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def labels(shared: Path, cache: Path, out: Path) -> None:
    data = (shared / "data").resolve()
    dev_video_reals = [{"path": str(data / "dev-videos" / r["path"]), "label": r["label"], "method": r["method"],
                        "group": "", "set": "dev-videos"} for r in read_tsv(data / "dev-videos" / "labels.tsv")
                       if r["label"] == "real"]
    held_out_reals = [{"path": str(data / r["path"]), "label": "real", "method": "original", "group": r["group_key"],
                       "set": "video-cache-val"} for r in read_tsv(cache / "videos.tsv")
                      if r["split"] == "val" and r["label"] == "0"]
    out.mkdir(parents=True, exist_ok=True)
    write_tsv(out / "calibration.tsv", held_out_reals + dev_video_reals)
    print(f"{out}/calibration.tsv: {len(held_out_reals)} + {len(dev_video_reals)} real videos")


def threshold_for(real_scores: list[float], max_fpr: float) -> float:
    """The lowest threshold (to 4 decimals, rounded up) with at most floor(max_fpr·n) reals at or
    above it: just above the (k+1)-th highest real score."""
    ranked = sorted(real_scores, reverse=True)
    allowed = math.floor(max_fpr * len(ranked))
    if allowed >= len(ranked):
        return 0.0
    return min(1.0, round(math.floor(ranked[allowed] * 10_000) / 10_000 + 0.0001, 4))  # 0.6205, not 0.62049…


def set_threshold(scores: Path, weights: Path, max_fpr: float, extra: dict[str, float] | None = None) -> float:
    rows = read_tsv_or_csv(scores)
    reals = [float(r["p_fake"]) for r in rows if r["status"] == "ok" and r["p_fake"]]
    skipped = len(rows) - len(reals)
    threshold = threshold_for(reals, max_fpr)
    with safe_open(str(weights), "pt") as handle:
        metadata = dict(handle.metadata())
        tensors = {key: handle.get_tensor(key).clone() for key in handle.keys()}  # own memory, not the file's
    metrics = json.loads(metadata.get("metrics", "{}"))
    metrics.update({"calibration_real_videos": len(reals), "calibration_max_fpr": max_fpr,
                    "calibration_fpr": sum(s >= threshold for s in reals) / len(reals)} | (extra or {}))
    metadata["metrics"] = json.dumps(metrics, sort_keys=True)
    metadata["threshold"] = repr(threshold)
    partial = weights.with_suffix(".part")
    write_safetensors(partial, tensors, metadata)
    partial.replace(weights)  # never a half-written weight file
    print(f"{weights}: threshold {threshold} flags {sum(s >= threshold for s in reals)} of {len(reals)} real videos"
          + (f" ({skipped} rows without a score left out)" if skipped else ""))
    return threshold


def read_tsv_or_csv(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("labels")
    make.add_argument("--shared", type=Path, default=Path("../shared"))
    make.add_argument("--cache", type=Path, default=Path("out/video-cache"))
    make.add_argument("--out", type=Path, default=Path("out/calibration"))
    fit = commands.add_parser("threshold")
    fit.add_argument("--scores", type=Path, required=True, help="scan CSV of the calibration reals")
    fit.add_argument("--weights", type=Path, required=True, help="safetensors whose card gets the threshold")
    fit.add_argument("--max-fpr", type=float, default=0.05)
    fit.add_argument("--metric", action="append", default=[], metavar="KEY=VALUE",
                     help="a further measured metric for the card, e.g. selection_video_auc=0.65")
    args = parser.parse_args(argv)
    if args.command == "labels":
        labels(args.shared, args.cache, args.out)
    else:
        extra = {key: float(value) for key, _, value in (item.partition("=") for item in args.metric)}
        set_threshold(args.scores, args.weights, args.max_fpr, extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
