"""ClassNSeg in PyTorch (Training/models/classnseg.py), its importer and the golden fixture the
Swift parity test reads (Tests/Fixtures/classnseg_golden.json)."""
import json
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from Training.importers import classnseg_torch  # noqa: E402  (needs torch)
from Training.models.classnseg import ClassNSeg  # noqa: E402
from Training.reference import classnseg_golden as golden  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "Tests/Fixtures/classnseg_golden.json"
SHARED = ROOT.parent / "shared/weights/classnseg"


def test_outputs_shapes_and_score_semantics():
    torch.manual_seed(0)
    model = ClassNSeg().eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 256, 256))
    assert out["mask"].shape == (2, 2, 256, 256) and out["reconstruction"].shape == (2, 3, 256, 256)
    a = out["activations"]
    # Class 1 is original: p_fake is the probability of class 0.
    assert torch.allclose(out["p_fake"], torch.softmax(a, dim=1)[:, 0])
    assert torch.allclose(out["mask"].sum(dim=1), torch.ones(2, 256, 256))


def test_fixture_keys_and_formula_outputs_are_current():
    committed = json.loads(FIXTURE.read_text())
    assert committed["keys"] == [[k, s] for k, s in golden.key_shapes()]
    assert len(committed["keys"]) == 130
    images = np.stack([golden.crop(spec) for spec in committed["crops"]])
    state = {k: golden.formula_tensor(k, s) for k, s in golden.key_shapes()}
    fresh = golden.outputs(golden.model_from(state), images)
    assert np.allclose(fresh["activations"], committed["formula"]["activations"], rtol=0, atol=1e-9)
    assert np.allclose(fresh["mask_samples"], committed["formula"]["mask_samples"], rtol=0, atol=1e-9)


def test_importer_refuses_a_decoder_given_as_encoder(tmp_path):
    model = ClassNSeg()
    encoder, decoder = tmp_path / "encoder.pt", tmp_path / "decoder.pt"
    torch.save(model.encoder.state_dict(), encoder)
    torch.save(model.decoder.state_dict(), decoder)
    with pytest.raises(ValueError, match="not a ClassNSeg encoder"):
        classnseg_torch.convert(str(decoder), str(encoder))


def test_importer_round_trips_a_state_dict(tmp_path):
    model = ClassNSeg()
    encoder, decoder = tmp_path / "x_encoder_1.pt", tmp_path / "x_decoder_1.pt"
    torch.save(model.encoder.state_dict(), encoder)
    torch.save(model.decoder.state_dict(), decoder)
    state, metadata = classnseg_torch.convert(str(encoder), str(decoder))
    assert metadata["architecture"] == "classnseg" and metadata["name"] == "classnseg-x"
    assert not any(k.endswith("num_batches_tracked") for k in state)
    assert set(state) == {k for k, _ in golden.key_shapes()}


@pytest.mark.skipif(not (SHARED / "full_encoder_46.pt").exists(), reason="../shared/weights/classnseg absent")
def test_authors_weights_import_with_both_hashes():
    state, metadata = classnseg_torch.convert(str(SHARED / "full_encoder_46.pt"), str(SHARED / "full_decoder_46.pt"))
    assert len(state) == 130 and metadata["trained_on"] == "Face2Face"
    assert [len(h) for h in metadata["source_sha256"].split(",")] == [64, 64]


def test_a_short_training_run_exports_what_the_engine_loads(tmp_path):
    from safetensors import safe_open
    from Training import train_classnseg
    from Training.tests.test_video_training import synthetic_video_cache
    cache = synthetic_video_cache(tmp_path / "cache", size=64)
    out = tmp_path / "run"
    threads = torch.get_num_threads()
    try:  # main() sets torch's thread count for the process; later tests must not inherit it
        assert train_classnseg.main(["--cache", str(cache), "--out", str(out), "--steps", "2", "--reals", "2",
                                     "--threads", "1", "--supervised"]) == 0
    finally:
        torch.set_num_threads(threads)
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        card, keys = handle.metadata(), set(handle.keys())
    assert card["architecture"] == "classnseg" and card["scaling"] == "imagenet"
    assert keys == {k for k, _ in golden.key_shapes()}
    metrics = json.loads(card["metrics"])
    assert "val_sbi_auc" in metrics and 0 <= metrics["val_video_auc"] <= 1
    assert "labelled fakes" in card["provenance"]


def test_labelled_fakes_join_the_batch_without_a_mask_target(tmp_path):
    from Training import train_classnseg
    from Training.tests.test_video_training import synthetic_video_cache
    from Training.train_video import load_video_cache
    data = load_video_cache(synthetic_video_cache(tmp_path / "cache", size=64))
    reals = np.flatnonzero((data["split"] == "train") & (data["label"] == 0))
    fakes = train_classnseg.labelled_fakes(data, "train")
    assert [len(videos) for videos in fakes] == [2, 1]  # dfdc: videos 1 and 5; talkinghead: video 3
    images, original, masks = train_classnseg.batch(data, reals, 4, np.random.default_rng(0), 0.0, fakes)
    assert images.shape == (10, 64, 64, 3) and original.tolist() == [1.0, 0.0] * 4 + [0.0] * 2
    assert (masks[0] == 0).all() and (masks[8:] == train_classnseg.IGNORE).all()
    assert set(masks[1].unique().tolist()) <= {0, 1}
    model = train_classnseg.ClassNSeg()
    parts = train_classnseg.losses(model, train_classnseg.to_input(torch.from_numpy(images)), original, masks)
    assert all(torch.isfinite(v) for v in parts.values())
