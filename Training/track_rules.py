"""Track scores by other rules than the mean, from a scan's faces JSONL, and their video AUC.

    python -m Training.track_rules FACES.jsonl LABELS.tsv --threshold T

Reads every crop's p_fake, groups them by (video, track) in frame order, turns each track into
one score by each rule and the video into its worst track (as `scan` does), and prints each
rule's video AUC against LABELS (path, label real/fake). The median, max, confident and vote
rules are `--aggregator`'s; spread and flicker are temporal candidates that add the track's
score spread or frame-to-frame change to the mean (docs/models.md, "Track-level evidence").
"""
import argparse
import csv
import json
import statistics
from collections import defaultdict
from pathlib import Path

from Training.metrics import roc_auc


def confident(scores: list[float]) -> float:
    """`--aggregator confident`: strongly fake frames win when many, clearly real ones else."""
    high = [s for s in scores if s > 0.8]
    if len(high) > 11 and len(high) > len(scores) // 2.5:
        return statistics.mean(high)
    low = [s for s in scores if s < 0.2]
    if len(low) > 0.9 * len(scores):
        return statistics.mean(low)
    return statistics.mean(scores)


def spread(scores: list[float]) -> float:
    return min(1.0, statistics.mean(scores) + statistics.pstdev(scores))


def flicker(scores: list[float]) -> float:
    steps = [abs(a - b) for a, b in zip(scores, scores[1:])]
    return min(1.0, statistics.mean(scores) + (statistics.mean(steps) if steps else 0.0))


def rules(threshold: float) -> dict:
    return {
        "mean": statistics.mean, "median": statistics.median, "max": max, "confident": confident,
        "vote": lambda scores: sum(s >= threshold for s in scores) / len(scores),
        "spread": spread, "flicker": flicker,
    }


def tracks(faces: Path) -> dict[tuple[str, int], list[float]]:
    """Each (video, track)'s crop scores in frame order; crops without a score are left out."""
    frames = defaultdict(list)
    with faces.open() as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("p_fake") is not None:
                frames[(row["video"], row["track"])].append((row["frame_index"], row["p_fake"]))
    return {key: [p for _, p in sorted(values)] for key, values in frames.items()}


def video_scores(faces: Path, threshold: float) -> dict[str, dict[str, float]]:
    """rule → video → the worst track's score under that rule."""
    scores = defaultdict(dict)
    for name, rule in rules(threshold).items():
        for (video, _), track in tracks(faces).items():
            scores[name][video] = max(scores[name].get(video, 0.0), rule(track))
    return scores


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faces", type=Path)
    parser.add_argument("labels", type=Path)
    parser.add_argument("--threshold", type=float, default=0.5, help="for the vote rule")
    args = parser.parse_args(argv)
    with args.labels.open() as handle:
        labels = {row["path"]: row["label"] == "fake" for row in csv.DictReader(handle, delimiter="\t")}
    for name, by_video in video_scores(args.faces, args.threshold).items():
        videos = [video for video in by_video if video in labels]
        auc = roc_auc([labels[v] for v in videos], [by_video[v] for v in videos])
        print(f"{name:10s} {len(videos):4d} videos  AUC {auc:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
