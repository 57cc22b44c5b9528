"""The cache builder end to end, with a stand-in for `deepfake-scan faces` that writes
faces.jsonl and PNG crops the way the faces command does (synthetic data only)."""

import json
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from Training.data.build_cache import build, parse_args
from Training.data.cache import load_split
from Training.data.faces_output import photo_subject, read_faces, video_subject

# Stands in for `deepfake-scan faces INPUT… --out DIR`. Photos: the subject in the centre
# and a bystander in a corner. Videos: a main track of three frames (one given twice) and a
# passer-by track of one. Each crop's red level is its input's width (mod 256), so the test
# can see which input the command was given. Photo crops map exactly onto the whole input
# (frame landmarks = crop landmarks scaled by width / 256). Lines as the faces command
# (Sources/deepfake-scan/Faces.swift, FaceRecord) writes them.
FAKE_FACES = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from PIL import Image
    out_at = sys.argv.index("--out")
    out, inputs = Path(sys.argv[out_at + 1]), [Path(a) for a in sys.argv[1:out_at]]
    if any(p.suffix == ".mp4" for p in inputs) and "--frames" not in sys.argv:
        sys.exit(2)  # usage error: nothing written
    out.mkdir(parents=True, exist_ok=True)
    points = [[97, 120], [159, 120], [128, 156], [103, 192], [154, 192]]
    with open(out / "faces.jsonl", "w") as jsonl:
        for number, source in enumerate(inputs):
            if "Broken" in source.name:
                continue  # unreadable: no rows, and exit 1 at the end
            if source.suffix == ".mp4":
                assert len(inputs) == 1
                width, height = 7, 7
                faces = [(0, [0, 0, 50, 50], 0), (1, [0, 0, 50, 50], 0), (1, [0, 0, 50, 50], 0),
                         (2, [0, 0, 50, 50], 0), (1, [0, 0, 9, 9], 1)]
            else:
                width, height = Image.open(source).size
                faces = [(0, [width / 2 - 10, height / 2 - 10, 20, 20], 0), (0, [0, 0, 8, 8], 1)]
            shift = width / 2 if "Edge" in source.name else 0  # this face hangs half off the photo
            for n, (frame, box, track) in enumerate(faces):
                name = f"face_{number:04d}_{n:02d}.png"
                Image.new("RGB", (256, 256), (width % 256, track, n)).save(out / name)
                frame_points = [[x * width / 256 - shift, y * height / 256] for x, y in points]
                x, y, w, h = box
                row = {"box": {"h": h, "w": w, "x": x, "y": y}, "crop": name, "crop_landmarks": points,
                       "frame_index": frame, "landmarks": frame_points, "score": 0.9, "seconds": frame / 25,
                       "track": track, "video": str(source)}
                jsonl.write(json.dumps(row) + "\\n")
    sys.exit(1 if any("Broken" in p.name for p in inputs) else 0)
    """
)


@pytest.fixture
def shared(tmp_path):
    root = tmp_path / "shared"
    for person, count in {"Ann_A": 2, "Bob_B": 1, "Broken_B": 1, "Cid_C": 1, "Edge_E": 1}.items():
        folder = root / "data/faces/lfw-deepfunneled" / person
        folder.mkdir(parents=True)
        for n in range(count):
            Image.new("RGB", (250, 250), (n, 0, 0)).save(folder / f"{person}_{n:04d}.jpg")
    utk = root / "data/faces/utkface-adults"
    utk.mkdir(parents=True)
    for n in range(3):
        Image.new("RGB", (50, 50), (0, n, 0)).save(utk / f"3{n}_1_0_2017.jpg.chip.jpg")
    videos = root / "data/real-videos"
    videos.mkdir(parents=True)
    for name in ("clip_a", "hdtf_WDA_AOC_000", "vexpress_AOC_gt"):  # the last two: one person
        (videos / f"{name}.mp4").write_bytes(b"not decoded by the stand-in")
    return root


def run_builder(tmp_path, shared, *extra):
    script = tmp_path / "fake_faces.py"
    script.write_text(FAKE_FACES)
    argv = [
        "--shared", str(shared), "--out", str(tmp_path / "cache"), "--work", str(tmp_path / "work"),
        "--binary", sys.executable, "--command", f"{{binary}} {script} {{inputs}} --out {{out}}",
        "--photos-per-call", "2",
        "--val-fraction", "0.3", "--shard-size", "2", *extra,
    ]
    return build(parse_args(argv))


def test_builder_packs_the_subjects_and_holds_out_identities(tmp_path, shared):
    manifest = run_builder(tmp_path, shared)
    train, val = load_split(tmp_path / "cache", "train"), load_split(tmp_path / "cache", "val")
    every = np.concatenate([train.identities, val.identities])
    # One crop per photo (the bystander dropped; Edge_E's crop is half edge fill; Broken_B's
    # photo failed, the rest of its call kept), three per video (passer-by track and the
    # repeated frame dropped); the two clips of one person share an identity.
    assert sorted(every) == sorted(
        ["lfw:Ann_A"] * 2 + ["lfw:Bob_B", "lfw:Cid_C"]
        + [f"utkface:3{n}_1_0_2017" for n in range(3)] + ["video:clip_a"] * 3 + ["video:AOC"] * 6
    )
    assert not set(train.identities) & set(val.identities)
    assert {"lfw", "utkface", "video"} <= set(val.sources) | set(train.sources)
    images = np.concatenate([train.images, val.images])
    sources = np.concatenate([train.sources, val.sources])
    assert (images[:, 0, 0, 1] == 0).all()  # track/bystander 1 never packed
    # UTKFace photos (50 px) reached the faces command padded by 0.6 per side: 110 px.
    assert set(images[sources == "utkface"][:, 0, 0, 0]) == {110}
    assert set(images[sources == "lfw"][:, 0, 0, 0]) == {250}
    notes = manifest["notes"]
    assert notes["inputs"] == notes["inputs_done"] == 6 + 3 + 3 and notes["inputs_without_face"] == 1
    assert notes["faces_calls_failed"] == 0 and notes["faces_calls_partial"] == 1
    borders = manifest["notes"]["borders"]
    assert set(borders) == {"lfw", "utkface"}
    assert borders["lfw"]["dropped"] == 1 and borders["utkface"]["dropped"] == 0
    assert borders["lfw"]["outside_input_max"] < 0.02 and borders["lfw"]["outside_photo_mean"] < 0.02
    assert borders["utkface"]["outside_input_max"] < 0.02  # the padded input covers the crop
    assert borders["utkface"]["outside_photo_mean"] == pytest.approx(1 - (50 / 110) ** 2, abs=0.03)


def test_builder_resumes_without_rerunning_done_inputs(tmp_path, shared):
    run_builder(tmp_path, shared, "--sources", "lfw")
    marker = tmp_path / "work/lfw/batch-00000/faces.jsonl"
    marker.write_text(marker.read_text().splitlines()[0] + "\n")  # would change nothing if rerun
    stamp = marker.stat().st_mtime_ns
    run_builder(tmp_path, shared, "--sources", "lfw")
    assert marker.stat().st_mtime_ns == stamp


def test_failed_inputs_are_reported_not_packed(tmp_path, shared):
    manifest = run_builder(tmp_path, shared, "--sources", "video", "--video-args", "")  # stand-in asserts --frames
    assert manifest["notes"]["faces_calls_failed"] == 3
    with pytest.raises(FileNotFoundError):
        load_split(tmp_path / "cache", "train")


def test_usage_errors():
    with pytest.raises(SystemExit):
        parse_args(["--sources", "lfw,imagenet"])
    with pytest.raises(SystemExit):
        parse_args(["--utk-pad", "1.5"])


def test_faces_jsonl_spellings_and_errors(tmp_path):
    rows = [
        {"file": "a.png", "landmarks": list(range(10)), "confidence": 0.8, "bbox": {"x": 1, "y": 2, "width": 3, "height": 4}},
        {"crop": "b.png", "landmarks": [{"x": i, "y": i} for i in range(5)], "score": 0.7, "track_id": 3, "frame_index": 9},
    ]
    (tmp_path / "faces.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    a, b = read_faces(tmp_path)
    assert a.crop == tmp_path / "a.png" and a.box == (1.0, 2.0, 3.0, 4.0) and a.landmarks[4].tolist() == [8, 9]
    assert b.track == 3 and b.frame_index == 9 and b.box is None and b.score == pytest.approx(0.7)
    assert a.frame_landmarks is None and b.frame_landmarks is None  # one set given: the crop's
    both = {"crop": "d.png", "landmarks": [5] * 10, "crop_landmarks": [1] * 10}
    (tmp_path / "faces.jsonl").write_text(json.dumps(both) + "\n")
    (d,) = read_faces(tmp_path)
    assert (d.landmarks == 1).all() and (d.frame_landmarks == 5).all()
    (tmp_path / "faces.jsonl").write_text(json.dumps({"crop": "c.png", "landmarks": [1, 2]}) + "\n")
    with pytest.raises(ValueError, match="faces.jsonl:1"):
        read_faces(tmp_path)


def test_faces_jsonl_of_the_shared_schema_and_of_older_files_read_alike(tmp_path):
    """faces.jsonl now has scan --jsonl's keys (video, frame_index, box as an object); files
    written before (source, frame, box as a list) are still in caches on disk."""
    common = {"crop": "a.png", "crop_landmarks": [1] * 10, "landmarks": [5] * 10, "score": 0.9, "seconds": 0.4, "track": 2}
    current = common | {"video": "v.mp4", "frame_index": 10, "box": {"h": 4, "w": 3, "x": 1, "y": 2}}
    older = common | {"source": "v.mp4", "frame": 10, "box": [1, 2, 3, 4]}
    read = []
    for line in (current, older):
        (tmp_path / "faces.jsonl").write_text(json.dumps(line) + "\n")
        (row,) = read_faces(tmp_path)
        read.append(row)
    for row in read:
        assert (row.video, row.frame_index, row.track, row.box) == ("v.mp4", 10, 2, (1.0, 2.0, 3.0, 4.0))
        assert (row.landmarks == 1).all() and (row.frame_landmarks == 5).all()


def test_subject_choice_without_boxes_or_tracks(tmp_path):
    rows = [{"crop": f"{n}.png", "landmarks": [0] * 10, "score": s} for n, s in enumerate((0.6, 0.9))]
    (tmp_path / "faces.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    faces = read_faces(tmp_path)
    assert photo_subject(faces, (100, 100)).crop.name == "1.png"  # best score
    assert photo_subject([], (100, 100)) is None
    assert len(video_subject(faces)) == 2


def test_rows_are_matched_to_inputs_by_path_or_name(tmp_path):
    from Training.data.faces_runner import Batch, Job, rows_per_job

    jobs = tuple(Job("lfw", f"lfw:{n}", tmp_path / f"{n}.jpg", tmp_path / f"{n}.jpg") for n in ("a", "b"))
    batch = Batch(jobs, tmp_path / "out")
    batch.faces_dir.mkdir()
    lines = [{"video": str(tmp_path / "a.jpg"), "crop": "1.png", "landmarks": [0] * 10},
             {"source": "elsewhere/b.jpg", "crop": "2.png", "landmarks": [0] * 10}]  # an older file's key
    (batch.faces_dir / "faces.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    owned = rows_per_job(batch)
    assert [r.crop.name for r in owned[jobs[0]]] == ["1.png"] and [r.crop.name for r in owned[jobs[1]]] == ["2.png"]
    lines.append({"video": "c.jpg", "crop": "3.png", "landmarks": [0] * 10})
    (batch.faces_dir / "faces.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    with pytest.raises(ValueError, match="unknown input"):
        rows_per_job(batch)


def test_a_batch_with_other_inputs_is_run_again(tmp_path, shared):
    run_builder(tmp_path, shared, "--sources", "lfw")
    first = tmp_path / "work/lfw/batch-00000/faces.jsonl"
    stamp = first.stat().st_mtime_ns
    run_builder(tmp_path, shared, "--sources", "lfw", "--photos-per-call", "3")  # batch 0 now holds 3 photos
    assert first.stat().st_mtime_ns != stamp
    packed = [load_split(tmp_path / "cache", split).identities for split in ("train", "val")]
    assert sorted(set(np.concatenate(packed))) == ["lfw:Ann_A", "lfw:Bob_B", "lfw:Cid_C"]
