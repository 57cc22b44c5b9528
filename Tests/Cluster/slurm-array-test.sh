#!/bin/sh
# Pipelines/cluster/slurm-array.sh on a real (one-machine, loopback) Slurm cluster: a 4-shard
# array over the dev videos (Samples/ when ../shared is absent), merged, must equal one
# plain run of the same scan, byte for byte apart from the elapsed_s timings.
#   Tests/Cluster/slurm-array-test.sh BINARY WORKDIR
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mkdir -p "$2" && cd "$2" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
videos=$root/../shared/data/dev-videos
if [ ! -d "$videos" ]; then
    echo "slurm test: ../shared/data/dev-videos absent, using Samples/"
    videos=$root/Samples
fi
for tool in slurmctld slurmd sbatch squeue; do
    command -v $tool >/dev/null || { echo "slurm test: $tool missing (make setup-slurm)" >&2; exit 1; }
done

rm -rf "$work/cluster" "$work/single" "$work/sharded"
mkdir -p "$work/single"
SLURM_CONF=$work/cluster/slurm.conf
export SLURM_CONF
"$root/Pipelines/cluster/slurm-local.sh" start "$work/cluster"
trap '"$root/Pipelines/cluster/slurm-local.sh" stop "$work/cluster"' EXIT

scan_args="$videos -r --frames 8 --jobs 1"
# Exit 1 (some files errored) is a finished run.
"$bin" scan $scan_args --csv "$work/single/verdicts.csv" --jsonl "$work/single/faces.jsonl" >/dev/null 2>&1 || [ $? -eq 1 ]

submitted=$(DEEPFAKE_SCAN=$bin "$root/Pipelines/cluster/slurm-array.sh" 4 "$work/sharded" $scan_args)
echo "$submitted"
merge_job=$(echo "$submitted" | sed -n 's/.*merge job \([0-9]*\).*/\1/p')
waited=0
while squeue -h -j "$merge_job" 2>/dev/null | grep -q .; do
    waited=$((waited + 1))
    if [ $waited -gt 900 ]; then echo "slurm test: merge job $merge_job still queued after 15 min" >&2; exit 1; fi
    sleep 1
done
cat "$work/sharded/merge.log"

python3 - "$work/single" "$work/sharded" <<'PY'
import csv, sys
single, sharded = sys.argv[1], sys.argv[2]
def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    column = records[0].index("elapsed_s")
    for record in records[1:]:
        record[column] = ""
    return records
a, b = rows(f"{single}/verdicts.csv"), rows(f"{sharded}/verdicts.csv")
assert len(a) > 1, "the single run wrote no rows"
assert a == b, f"merged CSV differs from the single run:\n{a}\n{b}"
assert open(f"{single}/faces.jsonl", "rb").read() == open(f"{sharded}/faces.jsonl", "rb").read(), "JSONL differs"
shards = sum(1 for i in range(1, 5) if open(f"{sharded}/shard-{i}.csv").read().count("\n") > 1)
print(f"slurm test: 4 shards ({shards} with rows) merged = single run: {len(a) - 1} rows, face rows identical")
PY
