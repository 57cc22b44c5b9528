"""Training smoke test: a few steps on a handful of synthetic crops; the loss goes down, a run
stopped and resumed gives the same weights as one run, and the export loads strictly with the
same outputs as the checkpoint."""
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from safetensors import safe_open

from Training import ensemble, export, heldout, recipes, train
from Training.models.meso import load as load_meso
from Training.recipes import RECIPES, to_input
from Training.reference.export_smoke import synthetic_cache


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return synthetic_cache(tmp_path_factory.mktemp("cache"))


def run(cache, out, *extra):
    arguments = ["--model", "meso4", "--cache", str(cache), "--out", str(out), "--pairs-per-batch", "8",
                 "--epochs", "12", "--val-pairs", "4", "--eval-every", "6", "--warmup", "0", "--lr", "3e-3", "--cross-fraction", "0", "--robustness", "0",
                 "--workers", "0", "--threads", "1", *extra]
    assert train.main(arguments) == 0


def test_loss_goes_down_and_resume_gives_the_same_weights(cache, tmp_path):
    run(cache, tmp_path / "whole")
    log = [json.loads(line) for line in (tmp_path / "whole" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [6, 12, 18, 24]
    assert log[-1]["train_loss"] < log[0]["train_loss"] - 0.1, log
    assert all(0 <= r["val_auc"] <= 1 and 0 <= r["val_clean_auc"] <= 1 for r in log)

    run(cache, tmp_path / "halves", "--max-steps", "9")
    assert torch.load(tmp_path / "halves" / "checkpoint.pt", weights_only=False)["step"] == 9
    run(cache, tmp_path / "halves")
    whole = torch.load(tmp_path / "whole" / "checkpoint.pt", weights_only=False)["model"]
    halves = torch.load(tmp_path / "halves" / "checkpoint.pt", weights_only=False)["model"]
    for key in whole:
        assert torch.equal(whole[key], halves[key]), key


def test_export_loads_strictly_with_the_checkpoints_outputs(cache, tmp_path):
    run(cache, tmp_path / "run", "--max-steps", "6")
    out = tmp_path / "meso4.safetensors"
    assert export.main(["--checkpoint", str(tmp_path / "run" / "best.pt"), "--out", str(out),
                        "--name", "smoke", "--threshold", "0.4", "--metric", "dev_video_auc=0.5",
                        "--test-time-augmentation", "hflip"]) == 0
    with safe_open(str(out), "pt") as file:
        card = file.metadata()
    assert card["architecture"] == "meso4" and card["input_size"] == "256" and card["threshold"] == "0.4"
    assert card["test_time_augmentation"] == "hflip"
    assert json.loads(card["metrics"])["dev_video_auc"] == 0.5 and "val_auc" in json.loads(card["metrics"])
    tensors = load_file(str(out))
    assert not any(k.endswith("num_batches_tracked") for k in tensors)
    again = tmp_path / "again.safetensors"  # same checkpoint, same bytes (ensemble pins rely on it)
    assert export.main(["--checkpoint", str(tmp_path / "run" / "best.pt"), "--out", str(again), "--name", "smoke",
                        "--threshold", "0.4", "--metric", "dev_video_auc=0.5", "--test-time-augmentation", "hflip"]) == 0
    assert again.read_bytes() == out.read_bytes()
    exported = load_meso("meso4", {k: v.numpy() for k, v in tensors.items()})
    trained = RECIPES["meso4"].build()
    trained.load_state_dict(torch.load(tmp_path / "run" / "best.pt", weights_only=False)["model"])
    trained.eval()
    crops = np.random.default_rng(0).integers(0, 255, (3, 256, 256, 3), dtype=np.uint8)
    with torch.no_grad():
        assert torch.equal(exported(to_input(crops, RECIPES["meso4"])), trained(to_input(crops, RECIPES["meso4"])))


def test_init_starts_from_a_checkpoints_weights(cache, tmp_path):
    run(cache, tmp_path / "first", "--max-steps", "6")
    first = torch.load(tmp_path / "first" / "best.pt", weights_only=False)
    run(cache, tmp_path / "tuned", "--init", str(tmp_path / "first" / "best.pt"), "--lr", "1e-9", "--max-steps", "1")
    tuned = torch.load(tmp_path / "tuned" / "checkpoint.pt", weights_only=False)
    fresh = RECIPES["meso4"].build().state_dict()
    key = "conv1.weight"
    assert torch.allclose(tuned["model"][key], first["model"][key], atol=1e-6)
    assert not torch.allclose(tuned["model"][key], fresh[key], atol=1e-3)
    assert tuned["init"] == str(tmp_path / "first" / "best.pt") and tuned["step"] == 1
    assert "this run started from --init first/best.pt" in export.card(tuned, "x", None, {})["provenance"]
    (tmp_path / "first" / "best.pt").unlink()  # resuming needs only the run's own checkpoint
    run(cache, tmp_path / "tuned", "--init", str(tmp_path / "first" / "best.pt"), "--lr", "1e-9", "--max-steps", "2")
    assert torch.load(tmp_path / "tuned" / "checkpoint.pt", weights_only=False)["step"] == 2


@pytest.mark.skipif(shutil.which(os.environ.get("CXX", "g++")) is None,
                    reason="torch.compile needs a C++ compiler: make setup-system installs g++ and python3-dev")
def test_a_compiled_run_trains_and_checkpoints_the_plain_modules_keys(cache, tmp_path):
    """--compile (torch.compile) changes only how the steps run: the loss still falls, and the
    checkpoint keeps the plain module's keys, so resuming without --compile and export work."""
    run(cache, tmp_path / "run", "--compile", "--max-steps", "12")
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [6, 12] and log[-1]["train_loss"] < log[0]["train_loss"], log
    saved = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    fresh = RECIPES["meso4"].build().state_dict()
    assert saved["model"].keys() == fresh.keys()
    assert not torch.allclose(saved["model"]["conv1.weight"], fresh["conv1.weight"])
    run(cache, tmp_path / "run", "--max-steps", "13")
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)["step"] == 13


def test_a_fine_tuning_recipe_needs_its_first_stage(tmp_path):
    with pytest.raises(SystemExit) as exit_:
        train.main(["--model", "efficientnet_lite0_160", "--cache", str(tmp_path), "--out", str(tmp_path / "x")])
    assert exit_.value.code == 2


def test_terminating_the_whole_process_group_still_checkpoints(cache, tmp_path):
    """Ctrl-C and `kill -- -PGID` reach the data-loader worker too; the run must still stop
    cleanly with a checkpoint of the step it finished, not die with the worker."""
    import os, signal, subprocess, sys, time
    out = tmp_path / "run"
    command = [sys.executable, "-m", "Training.train", "--model", "meso4", "--cache", str(cache), "--out", str(out),
               "--pairs-per-batch", "2", "--epochs", "1000", "--val-pairs", "4", "--eval-every", "1000",
               "--checkpoint-every", "2", "--workers", "1", "--threads", "1", "--robustness", "0"]
    child = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[2], start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.pt").exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.2)
    os.killpg(child.pid, signal.SIGTERM)
    output, _ = child.communicate(timeout=120)
    assert child.returncode == 0, output
    assert "stopped at step" in output, output
    assert torch.load(out / "checkpoint.pt", weights_only=False)["step"] >= 2


def test_an_ensemble_export_names_its_member_files_and_its_measured_held_out_metrics(cache, tmp_path, capsys):
    run(cache, tmp_path / "a", "--max-steps", "6")
    run(cache, tmp_path / "b", "--max-steps", "6", "--seed", "2")
    a, b = tmp_path / "a" / "best.pt", tmp_path / "b" / "best.pt"
    files = [tmp_path / "a.safetensors", tmp_path / "b.safetensors"]
    for checkpoint, file in zip((a, b), files):
        assert export.main(["--checkpoint", str(checkpoint), "--out", str(file), "--name", file.stem]) == 0
    out = tmp_path / "pair.safetensors"
    pair = ["--checkpoint", str(a), "--member", str(files[0]), "--checkpoint", str(b), "--member", str(files[1]),
            "--out", str(out), "--name", "pair"]
    assert export.main([*pair, "--heldout-cache", str(cache), "--test-time-augmentation", "hflip"]) == 0
    with safe_open(str(out), "pt") as file:
        card = file.metadata()
    assert json.loads(card["ensemble_members"]) == [
        {"file": f.name, "sha256": hashlib.sha256(f.read_bytes()).hexdigest()} for f in files]
    assert card["test_time_augmentation"] == "hflip"
    assert "member1: trained by" in card["provenance"] and "seed 2" in card["provenance"]
    measured = heldout.measure([a, b], cache, "hflip", pairs=1000)
    assert json.loads(card["metrics"]) == pytest.approx(measured)
    assert load_file(str(out)) == {}  # the weights stay in the member files

    swapped = [*pair[:2], "--member", str(files[1]), *pair[4:6], "--member", str(files[0]), *pair[8:]]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # members must be their checkpoints' weights, beside the ensemble file, one per checkpoint
    for wrong, reason in ((swapped, "does not hold the weights of its --checkpoint"),
                          ([*pair[:-4], "--out", str(elsewhere / "pair.safetensors"), "--name", "pair"], "not in the folder"),
                          ([*pair[:4], *pair[-4:]], "--member is for an ensemble"),
                          ([*pair[:6], "--member", str(out), *pair[8:]], "is the ensemble file itself"),
                          ([*pair[:6], "--member", str(tmp_path / "gone.safetensors"), *pair[8:]], "does not exist"),
                          ([*pair[:6], *pair[8:]], "one --member file per --checkpoint")):
        with pytest.raises(SystemExit):
            export.main(wrong)
        assert reason in capsys.readouterr().err


def test_held_out_metrics_of_an_ensemble_average_its_members_scores(cache, tmp_path):
    run(cache, tmp_path / "a", "--max-steps", "6")
    a = tmp_path / "a" / "best.pt"
    one, twice = heldout.measure([a], cache), heldout.measure([a, a], cache)
    assert one == pytest.approx(twice)  # the mean of two equal members is that member
    model, recipe = heldout.load_checkpoint(a)
    images = heldout.validation_sets(cache, 1, 4, 0.3)["val_clean"][0]
    assert not np.allclose(heldout.predict(model, recipe, images), heldout.predict(model, recipe, images, mirrored=True))
    labels, kinds = np.array([0, 1, 0, 1.0]), np.array(["real", "sbi", "real", "cross"])
    result = heldout.held_out_metrics(labels, np.array([0.1, 0.9, 0.6, 0.4]), kinds, "val")
    assert result["val_auc"] == 0.75 and result["val_acc"] == 0.5  # fake > real in 3 of 4 pairs (not 0.4 < 0.6)
    assert result["val_auc_sbi"] == 1.0 and result["val_auc_cross"] == 0.5


def test_an_ensemble_recipe_trains_each_seed_once_and_exports_them_together(cache, tmp_path, monkeypatch):
    monkeypatch.setitem(recipes.ENSEMBLES, "meso4_x2", recipes.EnsembleRecipe("meso4", (1, 2)))
    options = ["--model", "meso4_x2", "--cache", str(cache), "--runs", str(tmp_path), "--pairs-per-batch", "8",
               "--epochs", "2", "--val-pairs", "4", "--eval-every", "2", "--warmup", "0", "--cross-fraction", "0",
               "--robustness", "0", "--workers", "0", "--threads", "1"]
    assert ensemble.main([*options, "--max-steps", "2"]) == 0  # stops inside the first member: no export yet
    out = tmp_path / "meso4_x2" / "sbi-meso4-x2.safetensors"
    assert not out.exists() and not (tmp_path / "meso4_seed2").exists()
    assert ensemble.main(options) == 0
    with safe_open(str(out), "pt") as file:
        card = file.metadata()
    assert [m["file"] for m in json.loads(card["ensemble_members"])] == ["sbi-meso4.safetensors", "sbi-meso4-seed2.safetensors"]
    assert (out.parent / "sbi-meso4.safetensors").exists() and (out.parent / "sbi-meso4-seed2.safetensors").exists()
    assert "seed 1" in card["provenance"] and "seed 2" in card["provenance"]
    assert "val_clean_auc" in json.loads(card["metrics"])
    logs = {seed: (tmp_path / name / "log.jsonl").read_text() for seed, name in ((1, "meso4"), (2, "meso4_seed2"))}
    assert ensemble.main(options) == 0  # both finished: exported again, nothing retrained
    assert logs == {seed: (tmp_path / name / "log.jsonl").read_text() for seed, name in ((1, "meso4"), (2, "meso4_seed2"))}
    swapped = tmp_path / "swapped"
    swapped.mkdir()
    (tmp_path / "meso4_seed2").rename(swapped / "meso4")  # seed 2's run where seed 1's belongs: not reused
    with pytest.raises(SystemExit):
        ensemble.main([*options[:5], str(swapped), *options[6:]])
