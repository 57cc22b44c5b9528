#!/usr/bin/env bash
# The release binary on emulated CPUs (qemu-user), whatever CPU this machine has:
#  1. an AVX2 CPU without AVX-512 (Haswell) scans two samples and scores them as this machine
#     does with the AVX-512 kernels off: nothing outside those kernels uses AVX-512;
#  2. where this machine has AVX-512, the same emulated CPU with the kernels on dies of SIGILL:
#     the emulation is real, so (1) means something;
#  3. a CPU without AVX2 (Nehalem) gets the one-line refusal and exit 2, not a crash;
#  4. with a PORTABLE=1 binary as third argument: on that CPU it probes a video, and a scan stops
#     with the face detector's one-line refusal (the detector library needs AVX and FMA).
# Under qemu-user /proc/cpuinfo is this machine's. Where a mount namespace is allowed (root), a
# copy without the emulated CPU's missing flags is bound over it, as a real machine would show;
# elsewhere (1) switches the kernels off with DEEPFAKE_SCAN_AVX512=0 and (3) and (4) are skipped.
# usage: Tests/EmulatedCPU/run.sh BINARY OUT_DIR [PORTABLE_BINARY]
set -uo pipefail
binary=$1 out=$2 portable=${3:-}
mkdir -p "$out"
fail() { echo "emulated CPU: $*"; exit 1; }
command -v qemu-x86_64 >/dev/null || fail "qemu-x86_64 not found: \`make setup\` installs it (apt package qemu-user)"
samples=(Samples/astronaut_real.mp4 Samples/astronaut_blended.mp4)
scan=(scan "${samples[@]}" --frames 8 --jobs 1 --rescan)
export OPENBLAS_CORETYPE=Haswell  # also keeps the binary from re-executing itself natively
namespaces=$(unshare -m sh -c 'mount --bind /proc/cpuinfo /proc/cpuinfo' 2>/dev/null && echo yes)
no_avx='avx[a-z0-9_]*|fma|f16c|bmi[12]'

# emulate CPU FLAGS_TO_DROP NAME COMMAND...: runs COMMAND on the emulated CPU, output in
# $out/NAME.log; prints its exit code.
emulate() {
    local cpu=$1 drop=$2 name=$3; shift 3
    local command=(qemu-x86_64 -cpu "$cpu" "$@")
    if [ -n "$namespaces" ] && [ -n "$drop" ]; then
        sed -E "/^flags/ s/ ($drop)\b//g" /proc/cpuinfo > "$out/cpuinfo-$name"
        unshare -m bash -c 'mount --bind "$0" /proc/cpuinfo && exec "$@"' "$out/cpuinfo-$name" "${command[@]}" \
            > "$out/$name.log" 2>&1
    else
        "${command[@]}" > "$out/$name.log" 2>&1
    fi
    echo $?
}

if [ -n "$namespaces" ]; then rc=$(emulate Haswell-v4 'avx512[a-z0-9_]*' haswell "$binary" "${scan[@]}" --csv "$out/haswell.csv")
else rc=$(DEEPFAKE_SCAN_AVX512=0 emulate Haswell-v4 '' haswell "$binary" "${scan[@]}" --csv "$out/haswell.csv"); fi
[ "$rc" = 0 ] || fail "the scan failed on an AVX2 CPU without AVX-512 (exit $rc; $out/haswell.log)"
DEEPFAKE_SCAN_AVX512=0 "$binary" "${scan[@]}" --csv "$out/native.csv" > "$out/native.log" 2>&1
awk -F, 'FNR == 1 { next } FNR == NR { p[$1] = $3; v[$1] = $4; next }
    !($1 in p) || $4 != v[$1] || ($3 - p[$1])^2 > 1e-8 { print "differs: " $0; bad = 1 }
    END { exit bad }' "$out/native.csv" "$out/haswell.csv" || fail "the AVX2 CPU scored the samples otherwise"
echo "emulated CPU: Haswell (AVX2, no AVX-512) scans the samples and scores them as this machine does"

# The flags Tensor.WideKernels asks for before it uses its AVX-512 kernels.
flags=$(grep -m1 '^flags' /proc/cpuinfo)
if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512cd "* && " $flags " == *" avx512bw "* &&
      " $flags " == *" avx512dq "* && " $flags " == *" avx512vl "* ]]; then
    rc=$(DEEPFAKE_SCAN_AVX512=1 emulate Haswell-v4 '' control "$binary" "${scan[@]}" --csv "$out/control.csv")
    [ "$rc" = 132 ] || fail "with the AVX-512 kernels on, the emulated Haswell should die of SIGILL (exit $rc)"
    echo "emulated CPU: control passed (the AVX-512 kernels on an emulated Haswell: SIGILL)"
fi

if [ -z "$namespaces" ]; then
    echo "emulated CPU: Nehalem skipped (no mount namespace here to show it its own /proc/cpuinfo)"
    exit 0
fi
rc=$(emulate Nehalem "$no_avx" nehalem "$binary" "${scan[@]}" --csv "$out/nehalem.csv")
[ "$rc" = 2 ] && grep -q 'needs a CPU with AVX2 and FMA' "$out/nehalem.log" \
    || fail "a CPU without AVX2 should get the one-line refusal and exit 2 (exit $rc; $out/nehalem.log)"
echo "emulated CPU: Nehalem (no AVX) gets the one-line refusal, exit 2"

[ -n "$portable" ] || exit 0
export OPENBLAS_CORETYPE=Prescott  # OpenBLAS' SSE3 kernels: Haswell's need AVX2
rc=$(emulate Nehalem "$no_avx" portable-probe "$portable" probe "${samples[0]}")
[ "$rc" = 0 ] || fail "the portable build could not probe a video on a CPU without AVX (exit $rc; $out/portable-probe.log)"
rc=$(emulate Nehalem "$no_avx" portable-scan "$portable" "${scan[@]}" --csv "$out/portable-scan.csv")
[ "$rc" = 2 ] && [ "$(wc -l < "$out/portable-scan.log")" = 1 ] && grep -q 'face detector .* AVX and FMA' "$out/portable-scan.log" \
    || fail "the portable build should refuse to scan without AVX in one line, exit 2 (exit $rc; $out/portable-scan.log)"
echo "emulated CPU: the portable build probes on a Nehalem and refuses to scan there in one line (the face detector needs AVX and FMA)"
