#!/usr/bin/env python3
"""A synthetic scan's CSV and JSONL for measuring the HTML report at scale.

  synthetic_scan.py N OUT_DIR [--video FILE]

N rows in the CSV contract (DESIGN.md): about 45 % fake, 45 % real, 5 % no_face, 5 % error,
paths with spaces, '<', '&', quotes and non-ASCII now and then. Every ok row gets 32 frames
of one or two face tracks in the JSONL (the default --frames 32). With --video, each row's
path is a symbolic link to FILE in OUT_DIR/videos, so that the report finds real frames to
make its face pictures from (the boxes are then FILE's face, found by a scan of it first:
pass its JSONL with --faces-of). Deterministic (seeded).
"""
import argparse
import csv
import json
import os
import random

HEADER = ["path", "status", "p_fake", "verdict", "threshold", "model", "aggregator", "frames_sampled",
          "frames_with_face", "face_tracks", "duration_s", "width", "height", "codec", "elapsed_s", "error"]
ODD = ["", " take 2", " <b>", " & co", ' "quoted"', " café", " 日本"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("out")
    parser.add_argument("--video", help="link every path to this file")
    parser.add_argument("--faces-of", help="JSONL of a scan of --video: its boxes and frame indices are reused")
    options = parser.parse_args()
    random.seed(22)
    os.makedirs(options.out, exist_ok=True)
    template = []
    if options.faces_of:
        with open(options.faces_of) as file:
            template = [json.loads(line) for line in file if line.strip()]
    videos = os.path.join(os.path.abspath(options.out), "videos")
    if options.video:
        os.makedirs(videos, exist_ok=True)
    threshold = 0.6205
    with open(os.path.join(options.out, "scan.csv"), "w", newline="") as table, \
            open(os.path.join(options.out, "scan.jsonl"), "w") as faces:
        writer = csv.writer(table, lineterminator="\r\n")
        writer.writerow(HEADER)
        for n in range(options.count):
            name = f"clip_{n:05d}{ODD[n % len(ODD)]}.mp4"
            if options.video:
                path = os.path.join(videos, name)
                if not os.path.lexists(path):
                    os.symlink(os.path.abspath(options.video), path)
            else:
                path = f"/data/collection/{n % 97:02d}/{name}"
            roll = random.random()
            status = "ok" if roll < 0.9 else ("no_face" if roll < 0.95 else "error")
            duration = round(random.uniform(3, 60), 3)
            if status == "error":
                writer.writerow([path, "error", "", "unknown", threshold, "video-efficientnet-lite0-x2", "mean", 0, 0, 0,
                                 "", "", "", "", "0.120", "damaged or incomplete mov file: moov atom not found"])
                continue
            if status == "no_face":
                writer.writerow([path, "no_face", "", "unknown", threshold, "video-efficientnet-lite0-x2", "mean", 32, 0, 0,
                                 duration, 1920, 1080, "h264", "2.400", ""])
                continue
            tracks = 1 if random.random() < 0.8 else 2
            level = random.random()
            worst = 0
            for track in range(tracks):
                scores = [min(1, max(0, random.gauss(level if track == 0 else level / 2, 0.15))) for _ in range(32)]
                worst = max(worst, sum(scores) / len(scores))
                for frame in range(32):
                    row = template[frame % len(template)] if template else None
                    index = row["frame_index"] if row else round(frame * 30 * duration / 31) if frame else 0
                    seconds = row["seconds"] if row else round(index / 30, 3)
                    box = row["box"] if row else {"x": 800 + 300 * track, "y": 300, "w": 220, "h": 280}
                    faces.write(json.dumps({"box": box, "frame_index": index, "p_fake": round(scores[frame], 6),
                                            "seconds": seconds, "track": track, "video": path}, sort_keys=True) + "\n")
            verdict = "fake" if worst >= threshold else "real"
            writer.writerow([path, "ok", f"{worst:.6f}", verdict, threshold, "video-efficientnet-lite0-x2", "mean", 32, 32,
                             tracks, duration, 1920, 1080, "h264", "3.100", ""])


if __name__ == "__main__":
    main()
