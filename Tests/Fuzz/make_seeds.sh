#!/usr/bin/env bash
# Seed corpora for `make fuzz` (docs/fuzzing.md), generated here, never committed:
#   $1/safetensors: small valid safetensors files (and near misses) shaped like the project's.
#   $1/decode: tiny ffmpeg lavfi clips in the containers and codecs `scan` meets.
set -euo pipefail
out=${1:?usage: make_seeds.sh OUT_DIR}
mkdir -p "$out/safetensors" "$out/decode"

python3 - "$out/safetensors" <<'PY'
import json, struct, sys, pathlib
out = pathlib.Path(sys.argv[1])
card = {"name": "seed", "architecture": "meso4", "version": "1", "input_size": "256", "colour_order": "RGB",
        "scaling": "x/255", "score_semantics": "p_fake, 1 = fake", "provenance": "fuzz seed", "threshold": "0.5",
        "metrics": json.dumps({"auc": 0.5}),
        "ensemble_members": json.dumps([{"file": "a.safetensors", "sha256": "0" * 64},
                                        {"file": "b.safetensors", "sha256": "f" * 64}])}
def write(name, tensors, metadata=None, pad=True):
    header, body = {}, b""
    if metadata is not None: header["__metadata__"] = metadata
    for key, (dtype, shape, data) in tensors.items():
        header[key] = {"dtype": dtype, "shape": shape, "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    text = json.dumps(header).encode()
    while pad and len(text) % 8: text += b" "
    (out / name).write_bytes(struct.pack("<Q", len(text)) + text + body)
f32 = lambda *v: struct.pack(f"<{len(v)}f", *v)
write("empty.safetensors", {})
write("card-only.safetensors", {}, card)
write("one-f32.safetensors", {"w": ("F32", [2, 2], f32(1, 2, 3, 4))}, {"k": "v"})
write("mixed.safetensors", {"conv.weight": ("F32", [1, 1, 1, 2], f32(0.5, -0.5)), "conv.bias": ("F32", [1], f32(0)),
                            "mask": ("U8", [3], b"\x00\x01\x02"), "steps": ("I64", [1], struct.pack("<q", 7)),
                            "half": ("F16", [2], b"\x00\x3c\x00\x40"), "empty": ("F32", [0, 3], b"")}, card)
write("unpadded.safetensors", {"x": ("BF16", [1], b"\x80\x3f")}, {}, pad=False)
PY

# -y: overwrite; tiny (64×48, 6 frames) so each fuzz run is quick.
clip() { ffmpeg -loglevel error -y -f lavfi -i "testsrc=size=64x48:rate=5:duration=1.2" "$@"; }
clip -c:v libx264 -g 3 -pix_fmt yuv420p "$out/decode/h264.mp4"
clip -c:v libx264 -g 3 -pix_fmt yuv420p -movflags +faststart -metadata:s:v rotate=90 "$out/decode/rotated.mov"
clip -c:v mpeg4 -g 3 "$out/decode/mpeg4.avi"
clip -c:v libvpx -g 3 -b:v 50k "$out/decode/vp8.webm"
clip -c:v mjpeg "$out/decode/mjpeg.mkv"
clip -c:v mpeg2video -g 3 -f mpegts "$out/decode/mpeg2.ts"
clip -c:v libx264 -g 3 -f matroska "$out/decode/h264.mkv"
ffmpeg -loglevel error -y -f lavfi -i "testsrc=size=64x48:rate=5:duration=1.2" -f lavfi -i "sine=duration=1.2" \
    -c:v libx264 -g 3 -c:a aac -shortest "$out/decode/with-audio.mp4"
ffmpeg -loglevel error -y -f lavfi -i "testsrc=size=32x32:rate=1:duration=1" -frames:v 1 "$out/decode/still.png"
ls "$out/safetensors" "$out/decode" | wc -l
