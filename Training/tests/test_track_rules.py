"""Track rules from a faces JSONL: grouping in frame order, the worst track, each rule's value."""

import json

import pytest

from Training import track_rules


def write_faces(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def crop(video, track, frame, p):
    return {"video": video, "track": track, "frame_index": frame, "p_fake": p}


def test_rules_on_one_track_in_frame_order(tmp_path):
    faces = tmp_path / "faces.jsonl"
    # Written out of order: flicker must see 0.2 → 0.6 → 0.2 → 0.6, not the file order.
    write_faces(faces, [crop("a.mp4", 0, 8, 0.2), crop("a.mp4", 0, 0, 0.2), crop("a.mp4", 0, 12, 0.6),
                        crop("a.mp4", 0, 4, 0.6), {"video": "a.mp4", "track": 0, "frame_index": 16, "p_fake": None}])
    scores = track_rules.video_scores(faces, threshold=0.5)
    assert scores["mean"]["a.mp4"] == pytest.approx(0.4)
    assert scores["median"]["a.mp4"] == pytest.approx(0.4)
    assert scores["max"]["a.mp4"] == pytest.approx(0.6)
    assert scores["vote"]["a.mp4"] == pytest.approx(0.5)
    assert scores["spread"]["a.mp4"] == pytest.approx(0.4 + 0.2)
    assert scores["flicker"]["a.mp4"] == pytest.approx(0.4 + 0.4)


def test_a_video_is_its_worst_track_and_rules_stay_in_range(tmp_path):
    faces = tmp_path / "faces.jsonl"
    write_faces(faces, [crop("b.mp4", 0, f, 0.1) for f in range(4)]
                + [crop("b.mp4", 1, f, p) for f, p in enumerate([0.9, 0.1, 0.9, 0.1])])
    scores = track_rules.video_scores(faces, threshold=0.5)
    assert scores["mean"]["b.mp4"] == pytest.approx(0.5)
    assert scores["flicker"]["b.mp4"] == 1.0  # 0.5 + 0.8, clamped


def test_confident_follows_the_aggregator():
    assert track_rules.confident([0.9] * 12 + [0.5] * 8) == pytest.approx(0.9)  # 12 > 11 and > 20 // 2.5
    assert track_rules.confident([0.9] * 11 + [0.5] * 9) == pytest.approx((0.9 * 11 + 0.5 * 9) / 20)
    assert track_rules.confident([0.1] * 19 + [0.7]) == pytest.approx(0.1)


def test_main_prints_every_rule(tmp_path, capsys):
    faces, labels = tmp_path / "faces.jsonl", tmp_path / "labels.tsv"
    write_faces(faces, [crop("r.mp4", 0, 0, 0.2), crop("f.mp4", 0, 0, 0.8)])
    labels.write_text("path\tlabel\nr.mp4\treal\nf.mp4\tfake\n")
    assert track_rules.main([str(faces), str(labels)]) == 0
    out = capsys.readouterr().out
    for rule in ("mean", "median", "max", "confident", "vote", "spread", "flicker"):
        assert f"{rule} " in out and "AUC 1.000" in out
