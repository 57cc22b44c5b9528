#!/usr/bin/env bash
# Regenerates the sample videos in Samples/ from public-domain / CC0 still images shipped
# in the scikit-image wheel. Needs: python3 with pip and numpy, unzip, ffmpeg (libx264).
# Usage: Samples/make_samples.sh [OUT_DIR]   (default: the directory of this script)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$HERE}"
SKIMAGE_VERSION="0.26.0"
WHEELS="${WHEELS:-$HERE/../.deps/wheels}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT" "$WHEELS"

# 1. The source stills, straight from the wheel (no network once the wheel is cached).
wheel=$(ls "$WHEELS"/scikit_image-"$SKIMAGE_VERSION"-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
	python3 -m pip download --quiet --no-deps --only-binary=:all: \
		--python-version 3.11 --implementation cp --platform manylinux_2_28_x86_64 \
		-d "$WHEELS" "scikit-image==$SKIMAGE_VERSION"
	wheel=$(ls "$WHEELS"/scikit_image-"$SKIMAGE_VERSION"-*.whl | head -n 1)
fi
unzip -q -j -o "$wheel" skimage/data/astronaut.png skimage/data/coffee.png -d "$WORK"

# Deterministic H.264: one thread, fixed quality, no encoder tag or creation time in the file.
X264=(-c:v libx264 -preset medium -crf 26 -pix_fmt yuv420p -threads 1 -bitexact
	-map_metadata -1 -fflags +bitexact -flags:v +bitexact)

# A slow zoom towards a point over N frames at 25 fps. The still is first enlarged 4× so that
# zoompan's integer crop positions do not make the picture jitter.
animate() { # in.png out.mp4 size frames centre_x centre_y (centre in source pixels)
	local input=$1 output=$2 size=$3 frames=$4 fx=$5 fy=$6
	ffmpeg -v error -y -i "$input" -vf "scale=iw*4:ih*4:flags=bicubic,\
zoompan=z='1+0.3*on/$frames':x='$fx*4-iw/zoom/2':y='$fy*4-ih/zoom/2':d=$frames:s=$size:fps=25,\
format=yuv420p" -frames:v "$frames" "${X264[@]}" "$output"
}

# 2. The manipulated still: the astronaut's face self-blended with an altered copy of itself.
# Face ellipse, measured once by eye on the 512×512 astronaut.png: centre (222, 122),
# half-axes 42 × 58 px (forehead under the fringe to the chin, ear to ear).
FACE="222 122 42 58"
ffmpeg -v error -y -i "$WORK/astronaut.png" -f rawvideo -pix_fmt rgb24 "$WORK/astronaut.rgb"
python3 "$HERE/self_blend.py" "$WORK/astronaut.rgb" "$WORK/blended.rgb" 512 512 $FACE
ffmpeg -v error -y -f rawvideo -pix_fmt rgb24 -s 512x512 -i "$WORK/blended.rgb" "$WORK/blended.png"

# 3. The videos. The zoom aims between the face and the picture centre so the face stays in view.
animate "$WORK/astronaut.png" "$OUT/astronaut_real.mp4" 480x480 100 232 180
animate "$WORK/blended.png" "$OUT/astronaut_blended.mp4" 480x480 100 232 180
animate "$WORK/coffee.png" "$OUT/coffee_no_face.mp4" 600x400 75 300 200

# Two people: the real portrait beside the blended one, so one fake face among real ones.
ffmpeg -v error -y -i "$WORK/astronaut.png" -i "$WORK/blended.png" -filter_complex hstack "$WORK/pair.png"
animate "$WORK/pair.png" "$OUT/astronaut_pair_one_blended.mp4" 640x320 75 512 200

# 4. A broken file: the real clip cut in half. The encoder writes the index (moov) at the
# end, so what remains has frames but no index and cannot be opened as a video.
size=$(stat -c %s "$OUT/astronaut_real.mp4")
head -c $((size / 2)) "$OUT/astronaut_real.mp4" > "$OUT/truncated.mp4"

ls -l "$OUT"/*.mp4
