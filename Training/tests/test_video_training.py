"""Video-domain training (issue 17) on synthetic data: the cache's split keys and re-encode draws,
the method-balanced batches, a short fine-tuning run that exports a loadable card, and the
threshold fitted on real videos."""
import csv
import json
import subprocess

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.torch import load_file

from Training import calibrate, train_video
from Training.data import video_cache


def test_group_keys_keep_clips_of_one_person_together():
    assert video_cache.group_key("train-videos/styletalk/Obama_clip1.mp4", "") == "train-videos/styletalk/Obama"
    assert video_cache.group_key("train-videos/styletalk/Obama_clip3_2.mp4", "") == "train-videos/styletalk/Obama"
    assert video_cache.group_key("train-videos/dreamtalk/W009_front_sad_level3_001.mp4", "") == "train-videos/dreamtalk/W009"
    assert video_cache.group_key("train-videos/first-order-model/10-backward.mp4", "") == "train-videos/first-order-model/10"
    assert video_cache.group_key("train-videos/hyperlips/result_video1.mp4", "hyperlips-v1") == "hyperlips-v1"


def test_reencode_draws_are_stable_and_in_range():
    draws = {video_cache.reencode_settings(f"v{i}.mp4") for i in range(50)}
    assert video_cache.reencode_settings("v1.mp4") == video_cache.reencode_settings("v1.mp4")
    assert len(draws) > 40
    assert all(0.35 <= scale <= 0.75 and 28 <= crf <= 40 for scale, crf in draws)


def test_reencoded_copy_is_smaller_h264(tmp_path):
    source = tmp_path / "in.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=1",
                    "-pix_fmt", "yuv420p", str(source)], check=True)
    video = video_cache.LabelledVideo(0, source, "x/in.mp4", 0, "original", "x/in")
    out = video_cache.reencode(video, tmp_path / "out.mp4")
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name,width", "-of", "csv=p=0", str(out)], capture_output=True, text=True)
    codec, width = probe.stdout.strip().split(",")
    scale, _ = video_cache.reencode_settings("x/in.mp4")
    assert codec == "h264" and abs(int(width) - 320 * scale) <= 2


def synthetic_video_cache(root, videos=8, frames=4, size=64):
    """Videos alternately real and fake, fakes of two methods, the last two groups in val."""
    rng = np.random.default_rng(0)
    (root / "crops").mkdir(parents=True)
    landmarks = np.array([[22, 26], [42, 26], [32, 36], [24, 46], [40, 46]], dtype=np.float32)
    rows = []
    for index in range(videos):
        label = index % 2
        brightness = 90 + 60 * label  # a learnable difference
        images = np.clip(rng.normal(brightness, 20, (frames, size, size, 3)), 0, 255).astype(np.uint8)
        for variant in video_cache.VARIANTS:
            np.savez(root / "crops" / f"{index:04d}-{variant}.npz", images=images, landmarks=np.stack([landmarks] * frames))
        method = "original" if label == 0 else ("dfdc" if index % 4 == 1 else "talkinghead")
        rows.append([index, f"v{index}.mp4", label, method, f"g{index // 2}", "val" if index >= videos - 2 else "train"])
    with open(root / "videos.tsv", "w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "path", "label", "method", "group_key", "split"])
        writer.writerows(rows)
    return root


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return synthetic_video_cache(tmp_path_factory.mktemp("video-cache"))


def test_batches_pair_each_real_with_a_pseudo_fake_and_balance_methods(cache):
    data = train_video.load_video_cache(cache)
    assert len(data["images"]) == 8 * 2 * 4 and set(data["split"]) == {"train", "val"}
    batches = train_video.VideoBatches(data, seed=3, reals=6, supervised=True, robustness=0.0)
    images, labels = batches(5)
    assert images.shape == (6 * 2 + 3, 64, 64, 3)
    assert labels.tolist() == [0, 1] * 6 + [1] * 3
    again, _ = batches(5)
    assert np.array_equal(images, again)
    assert sorted(batches.fake_methods) == ["dfdc", "talkinghead"]
    unsupervised, labels = train_video.VideoBatches(data, 3, 6, False, 0.0)(5)
    assert len(unsupervised) == 12 and labels.sum() == 6
    more, labels = train_video.VideoBatches(data, 3, 6, True, 0.0, labelled_fakes=6)(5)
    assert labels.tolist() == [0, 1] * 6 + [1] * 6
    # the same reals and pseudo-fakes (each maybe mirrored: the flips are drawn after the labelled fakes)
    assert all(np.array_equal(a, b) or np.array_equal(a, b[:, ::-1]) for a, b in zip(more[:12], images[:12]))


def test_excluded_methods_are_never_drawn_as_labelled_fakes(cache):
    data = train_video.load_video_cache(cache)
    batches = train_video.VideoBatches(data, 3, 6, True, 0.0, exclude_methods=("dfdc",))
    assert sorted(batches.fake_methods) == ["talkinghead"]
    drawn = set()
    for step in range(20):
        images, labels = batches(step)
        for image in images[12:]:  # a labelled fake, maybe mirrored
            same = (data["images"] == image).all(axis=(1, 2, 3)) | (data["images"] == image[:, ::-1]).all(axis=(1, 2, 3))
            drawn |= set(data["method"][same])
    assert drawn == {"talkinghead"}
    for bad in (("faceswap",), ("dfdc", "talkinghead")):
        with pytest.raises(ValueError, match="methods to leave out"):
            train_video.VideoBatches(data, 3, 6, True, 0.0, exclude_methods=bad)


def test_still_photos_join_the_reals_at_their_share(cache, tmp_path):
    from Training.data.cache import Crop, load_photos, write_cache
    from Training.data.photo_reencode import reencoded_photos
    data = train_video.load_video_cache(cache)
    rng = np.random.default_rng(5)
    landmarks = data["landmarks"][0]
    people = {"lfw:a": "lfw", "utk:b": "utkface", "video:c": "video", "lfw:v": "lfw"}
    crops = [Crop(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), landmarks, person, source)
             for person, source in list(people.items()) * 3]
    write_cache(crops, tmp_path, {p: "val" if p == "lfw:v" else "train" for p in people})
    photos = load_photos(tmp_path)
    assert len(photos) == 6 and set(photos.sources) == {"lfw", "utkface"}  # no video frames, no val photos
    plain, plain_labels = train_video.VideoBatches(data, 3, 6, True, 0.0)(5)
    batches = train_video.VideoBatches(data, 3, 40, True, 0.0, stills=(photos.images, photos.landmarks), still_share=0.25)
    images, labels = batches(5)
    assert labels.tolist() == [0, 1] * 40 + [1] * 20
    reals = images[0:80:2]
    from_stills = [any(np.array_equal(r, p) or np.array_equal(r, p[:, ::-1]) for p in photos.images) for r in reals]
    assert 3 <= sum(from_stills) <= 18, sum(from_stills)  # 0.25 of 40 asked
    again, _ = train_video.VideoBatches(data, 3, 6, True, 0.0)(5)
    assert np.array_equal(plain, again)  # the same seed, the same batches
    with pytest.raises(ValueError, match="still-share"):
        train_video.VideoBatches(data, 3, 6, True, 0.0, stills=(photos.images, photos.landmarks), still_share=1.0)
    out = tmp_path / "run"
    assert train_video.main(["--cache", str(cache), "--out", str(out), "--recipe", "meso4", "--steps", "1", "--reals", "2",
                             "--eval-every", "1", "--threads", "1", "--still-reals", str(tmp_path), "--still-share", "0.5"]) == 0
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        assert "0.5 of the real crops from the still-photo cache" in handle.metadata()["provenance"]
    reencoded = reencoded_photos(photos.images, 1, chunk=4)
    assert reencoded.shape == photos.images.shape and not np.array_equal(reencoded, photos.images)
    assert np.abs(reencoded.astype(int) - photos.images).mean() > 1  # codec loss on noise photos
    mixed = train_video.VideoBatches(data, 3, 40, True, 0.0, stills=(photos.images, photos.landmarks), still_share=0.5,
                                     reencoded_stills=reencoded)
    reals = mixed(5)[0][0:80:2]

    def drawn_from(pool):
        return sum(any(np.array_equal(r, p) or np.array_equal(r, p[:, ::-1]) for p in pool) for r in reals)
    assert drawn_from(reencoded) >= 3 and drawn_from(photos.images) >= 3  # about 10 each of 40
    out = tmp_path / "run2"
    assert train_video.main(["--cache", str(cache), "--out", str(out), "--recipe", "meso4", "--steps", "1", "--reals", "2",
                             "--eval-every", "1", "--threads", "1", "--still-reals", str(tmp_path), "--still-reencode"]) == 0
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        assert "H.264 round trip" in handle.metadata()["provenance"]
    for without_stills in (["--still-reencode"], ["--still-share", "0.3"]):  # would do nothing: a usage error
        with pytest.raises(SystemExit):
            train_video.main(["--cache", str(cache), "--out", str(out), "--recipe", "meso4", *without_stills])


def test_other_pseudo_fake_families_are_drawn_and_sbi_alone_keeps_its_batches(cache):
    data = train_video.load_video_cache(cache)
    sbi, _ = train_video.VideoBatches(data, 3, 6, False, 0.0)(5)
    named, _ = train_video.VideoBatches(data, 3, 6, False, 0.0, families=("self_blend",))(5)
    assert np.array_equal(sbi, named)
    mixed = train_video.VideoBatches(data, 3, 6, False, 0.0, families=("self_blend", "cross_blend", "local_warp"))
    images, labels = mixed(5)
    assert images.shape == sbi.shape and labels.tolist() == [0, 1] * 6
    assert np.array_equal(images[0], sbi[0])  # the same first real; the draws differ after it
    assert not np.array_equal(images[1::2], sbi[1::2])
    assert np.array_equal(images, mixed(5)[0])
    with pytest.raises(ValueError, match="pseudo-fake families"):
        train_video.VideoBatches(data, 3, 6, False, 0.0, families=("face_swap",))


def test_a_short_run_learns_and_exports_a_card(cache, tmp_path):
    out = tmp_path / "run"
    assert train_video.main(["--cache", str(cache), "--out", str(out), "--recipe", "meso4", "--supervised",
                             "--steps", "4", "--reals", "4", "--eval-every", "2", "--threads", "1", "--lr", "1e-3"]) == 0
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [entry["step"] for entry in log] == [0, 2, 4]
    assert all(0 <= entry["val_sbi_auc"] <= 1 for entry in log)
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        card = handle.metadata()
    assert card["architecture"] == "meso4" and card["score_semantics"] == "p_fake, 1 = fake"
    assert "train_video.py" in card["provenance"] and "labelled fakes" in card["provenance"]
    assert "val_video_auc" in json.loads(card["metrics"])
    assert not any(key.endswith("num_batches_tracked") for key in load_file(str(out / "model.safetensors")))


def test_flags_given_with_a_recipe_win_over_its_values(cache, tmp_path, monkeypatch):
    """`--model R --steps N` trains N steps (R's reals and lr where not given); it used to take R's 600."""
    from Training.recipes import VideoRecipe
    monkeypatch.setitem(train_video.VIDEO_RECIPES, "tiny", VideoRecipe("meso4", None, True, steps=600, reals=3, lr=1e-3))
    out = tmp_path / "run"
    assert train_video.main(["--cache", str(cache), "--out", str(out), "--model", "tiny", "--steps", "2",
                             "--eval-every", "1", "--threads", "1"]) == 0
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [entry["step"] for entry in log] == [0, 1, 2]
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        provenance = handle.metadata()["provenance"]
    assert "2 steps of 3 real video crops" in provenance and "lr 0.001" in provenance


def test_threshold_flags_at_most_the_allowed_share_of_reals():
    scores = [i / 20 for i in range(20)]  # 20 reals: one may be flagged
    threshold = calibrate.threshold_for(scores, 0.05)
    assert sum(s >= threshold for s in scores) == 1 and 0.95 > threshold > 0.9
    tied = [0.5] * 18 + [0.9, 0.9]  # two reals tie at the top: flagging one means flagging both
    assert sum(s >= calibrate.threshold_for(tied, 0.05) for s in tied) == 0
    assert sum(s >= calibrate.threshold_for(scores, 0.0) for s in scores) == 0
    assert calibrate.threshold_for([0.2], 1.0) == 0.0
    assert calibrate.threshold_for([0.7, 0.620475] + [0.1] * 18, 0.05) == 0.6205  # 4 decimals, no float tail


def test_threshold_goes_on_the_card(cache, tmp_path):
    out = tmp_path / "run"
    train_video.main(["--cache", str(cache), "--out", str(out), "--recipe", "meso4", "--steps", "1", "--reals", "2",
                      "--threads", "1"])
    scores = tmp_path / "scan.csv"
    scores.write_text("path,status,p_fake\n" + "".join(f"r{i}.mp4,ok,{i / 20:.6f}\n" for i in range(20))
                      + "bad.mp4,error,\n")
    before = {k: v.clone() for k, v in load_file(str(out / "model.safetensors")).items()}
    threshold = calibrate.set_threshold(scores, out / "model.safetensors", 0.05)
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        card = handle.metadata()
    assert float(card["threshold"]) == threshold and 0.9 < threshold <= 0.95
    assert json.loads(card["metrics"])["calibration_real_videos"] == 20
    after = load_file(str(out / "model.safetensors"))
    assert all(np.array_equal(before[k].numpy(), after[k].numpy()) for k in before)


def test_the_ensemble_file_pins_its_finished_members(cache, tmp_path):
    import hashlib
    from Training import video_ensemble
    runs = tmp_path / "runs"
    for seed, folder in ((1, "video_efficientnet_lite0"), (2, "video_efficientnet_lite0_seed2")):
        train_video.main(["--cache", str(cache), "--out", str(runs / folder), "--recipe", "meso4", "--steps", "1",
                          "--reals", "2", "--threads", "1", "--seed", str(seed)])
    assert video_ensemble.main(["--model", "video_efficientnet_lite0_x2", "--cache", str(cache), "--runs", str(runs)]) == 0
    out = runs / "video_efficientnet_lite0_x2"
    with safe_open(str(out / "video-efficientnet-lite0-x2.safetensors"), "pt") as handle:
        card, keys = handle.metadata(), list(handle.keys())
    members = json.loads(card["ensemble_members"])
    assert keys == [] and [m["file"] for m in members] == ["video-efficientnet-lite0.safetensors",
                                                            "video-efficientnet-lite0-seed2.safetensors"]
    assert all(m["sha256"] == hashlib.sha256((out / m["file"]).read_bytes()).hexdigest() for m in members)
    assert card["architecture"] == "meso4" and "member1_val_sbi_auc" in json.loads(card["metrics"])
