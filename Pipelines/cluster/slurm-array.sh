#!/bin/sh
#SBATCH --job-name=deepfake-scan
# One scan split over a Slurm array, then merged:
#   slurm-array.sh N OUTDIR SCAN_ARGUMENTS…
# submits N tasks (task K runs `deepfake-scan scan SCAN_ARGUMENTS --shard K/N` into
# OUTDIR/shard-K.csv, .jsonl and its own store) and a merge job that starts when they have all
# ended, whatever their exit codes (1 only means some videos errored), writing
# OUTDIR/verdicts.csv and OUTDIR/faces.jsonl; the merge lists missing or interrupted shards.
# Resubmitting the same command resumes: each shard's store keeps what it finished.
# DEEPFAKE_SCAN names the binary (default: deepfake-scan on PATH); sbatch options such as
# --partition or --cpus-per-task come from SBATCH_* variables or the #SBATCH line above.
set -eu

case ${DEEPFAKE_SCAN_ROLE:-submit} in
shard)
    count=$1 out=$2
    shift 2
    task=${SLURM_ARRAY_TASK_ID:?not run as an array task}
    exec "$DEEPFAKE_SCAN" scan "$@" --shard "$task/$count" \
        --csv "$out/shard-$task.csv" --jsonl "$out/shard-$task.jsonl" --store "$out/shard-$task.store.sqlite"
    ;;
merge)
    count=$1 out=$2
    set --
    task=1
    # A shard that never wrote its CSV is left out; merge names it as missing.
    while [ "$task" -le "$count" ]; do
        if [ -f "$out/shard-$task.csv" ]; then set -- "$@" "$out/shard-$task.csv"; fi
        task=$((task + 1))
    done
    if [ $# -eq 0 ]; then
        echo "no shard wrote its CSV; see $out/shard-*.log" >&2
        exit 2
    fi
    exec "$DEEPFAKE_SCAN" merge "$out/verdicts.csv" "$@" --jsonl "$out/faces.jsonl"
    ;;
submit)
    if [ $# -lt 3 ]; then
        echo "usage: slurm-array.sh N OUTDIR SCAN_ARGUMENTS… (paths and scan options, without --csv/--shard)" >&2
        exit 2
    fi
    count=$1
    case $count in '' | *[!0-9]* | 0) echo "N must be a positive number of shards" >&2; exit 2 ;; esac
    mkdir -p "$2"
    out=$(cd "$2" && pwd)
    shift 2
    DEEPFAKE_SCAN=$(command -v "${DEEPFAKE_SCAN:-deepfake-scan}") || { echo "deepfake-scan not found; set DEEPFAKE_SCAN" >&2; exit 2; }
    export DEEPFAKE_SCAN
    array=$(DEEPFAKE_SCAN_ROLE=shard sbatch --parsable --export=ALL --array="1-$count" \
        --output="$out/shard-%a.log" "$0" "$count" "$out" "$@")
    array=${array%%;*}
    merge=$(DEEPFAKE_SCAN_ROLE=merge sbatch --parsable --export=ALL --dependency="afterany:$array" \
        --output="$out/merge.log" "$0" "$count" "$out")
    merge=${merge%%;*}
    echo "submitted: shards job $array ($count tasks), merge job $merge → $out/verdicts.csv"
    ;;
*)
    echo "unknown DEEPFAKE_SCAN_ROLE '$DEEPFAKE_SCAN_ROLE'" >&2
    exit 2
    ;;
esac
