#!/usr/bin/env bash
# The release binary on emulated CPUs (qemu-user), whatever CPU this machine has:
#  1. an AVX2 CPU without AVX-512 (Haswell) scans two samples and scores them as this machine
#     does with the AVX-512 kernels off: nothing outside those kernels uses AVX-512;
#  2. where this machine has AVX-512, the same emulated CPU with the kernels on dies of SIGILL:
#     the emulation is real, so (1) means something;
#  3. a CPU without AVX2 (Nehalem) gets the one-line refusal and exit 2, not a crash.
# Under qemu-user /proc/cpuinfo is this machine's. Where a mount namespace is allowed (root), a
# copy without the emulated CPU's missing flags is bound over it, as a real machine would show;
# elsewhere (1) switches the kernels off with DEEPFAKE_SCAN_AVX512=0 and (3) is skipped.
# usage: Tests/EmulatedCPU/run.sh BINARY OUT_DIR
set -uo pipefail
binary=$1 out=$2
mkdir -p "$out"
fail() { echo "emulated CPU: $*"; exit 1; }
command -v qemu-x86_64 >/dev/null || fail "qemu-x86_64 not found: \`make setup\` installs it (apt package qemu-user)"
samples=(Samples/astronaut_real.mp4 Samples/astronaut_blended.mp4)
export OPENBLAS_CORETYPE=Haswell  # also keeps the binary from re-executing itself natively
namespaces=$(unshare -m sh -c 'mount --bind /proc/cpuinfo /proc/cpuinfo' 2>/dev/null && echo yes)

# run_on CPU FLAGS_TO_DROP NAME [ENV...]: scan the samples on the emulated CPU; prints the exit code.
run_on() {
    local cpu=$1 drop=$2 name=$3; shift 3
    local command=(env "$@" qemu-x86_64 -cpu "$cpu" "$binary" scan "${samples[@]}" --frames 8 --jobs 1 --rescan
                   --csv "$out/$name.csv")
    if [ -n "$namespaces" ] && [ -n "$drop" ]; then
        sed -E "/^flags/ s/ ($drop)\b//g" /proc/cpuinfo > "$out/cpuinfo-$name"
        unshare -m bash -c 'mount --bind "$0" /proc/cpuinfo && exec "$@"' "$out/cpuinfo-$name" "${command[@]}" \
            > "$out/$name.log" 2>&1
    else
        "${command[@]}" > "$out/$name.log" 2>&1
    fi
    echo $?
}


if [ -n "$namespaces" ]; then rc=$(run_on Haswell-v4 'avx512[a-z0-9_]*' haswell)
else rc=$(run_on Haswell-v4 '' haswell DEEPFAKE_SCAN_AVX512=0); fi
[ "$rc" = 0 ] || fail "the scan failed on an AVX2 CPU without AVX-512 (exit $rc; $out/haswell.log)"
DEEPFAKE_SCAN_AVX512=0 "$binary" scan "${samples[@]}" --frames 8 --jobs 1 --rescan --csv "$out/native.csv" \
    > "$out/native.log" 2>&1
awk -F, 'FNR == 1 { next } FNR == NR { p[$1] = $3; v[$1] = $4; next }
    !($1 in p) || $4 != v[$1] || ($3 - p[$1])^2 > 1e-8 { print "differs: " $0; bad = 1 }
    END { exit bad }' "$out/native.csv" "$out/haswell.csv" || fail "the AVX2 CPU scored the samples otherwise"
echo "emulated CPU: Haswell (AVX2, no AVX-512) scans the samples and scores them as this machine does"

# The flags Tensor.WideKernels asks for before it uses its AVX-512 kernels.
flags=$(grep -m1 '^flags' /proc/cpuinfo)
if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512cd "* && " $flags " == *" avx512bw "* &&
      " $flags " == *" avx512dq "* && " $flags " == *" avx512vl "* ]]; then
    rc=$(run_on Haswell-v4 '' control DEEPFAKE_SCAN_AVX512=1)
    [ "$rc" = 132 ] || fail "with the AVX-512 kernels on, the emulated Haswell should die of SIGILL (exit $rc)"
    echo "emulated CPU: control passed (the AVX-512 kernels on an emulated Haswell: SIGILL)"
fi

if [ -n "$namespaces" ]; then
    rc=$(run_on Nehalem 'avx[a-z0-9_]*|fma|f16c|bmi[12]' nehalem)
    [ "$rc" = 2 ] && grep -q 'needs a CPU with AVX2 and FMA' "$out/nehalem.log" \
        || fail "a CPU without AVX2 should get the one-line refusal and exit 2 (exit $rc; $out/nehalem.log)"
    echo "emulated CPU: Nehalem (no AVX) gets the one-line refusal, exit 2"
else
    echo "emulated CPU: Nehalem skipped (no mount namespace here to show it its own /proc/cpuinfo)"
fi
