#!/usr/bin/env bash
# The study of issue 16's "Done means": the three bundled samples x the 38 validation windows of
# sample_data/validation_ids.json x {no override, PI factor 4}, as two shards of one thread each
# (two cores), merged; writes docs/sample-study/study.csv (`study show`) and prints its tables.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${CLI:-build/app/ropescope-cli}
OUT=docs/sample-study
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
options=(--checkpoint sample_data/rope --checkpoint sample_data/rope_pp_eh --checkpoint sample_data/rope_pp_ec
         --corpus sample_data/validation_ids.json --setting none --setting pi_factor=4)
start=$(date +%s.%N)
for i in 0 1; do
    OMP_NUM_THREADS=1 "$CLI" study "${options[@]}" --shard "$i/2" -o "$WORK/part$i.h5" --quiet --json \
        > "$WORK/part$i.json" &
done
wait
"$CLI" study merge -o "$WORK/study.h5" "$WORK/part0.h5" "$WORK/part1.h5" --quiet >&2
end=$(date +%s.%N)
cli=$(realpath "$CLI") out=$(realpath "$OUT")
(cd "$WORK" && "$cli" study show study.h5 -o "$out/study.csv")  # the CSV names the file, not $WORK
/usr/bin/python3 - "$WORK" "$start" "$end" <<'PY'
import json, sys
work, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
parts = [json.load(open(f"{work}/part{i}.json")) for i in (0, 1)]
units = sum(p["units_run"] for p in parts)
tokens = sum(p["tokens_run"] for p in parts)
wall = end - start
print(f"study: {units} units, {tokens} tokens in {wall:.1f} s wall on 2 shards "
      f"({units / wall:.2f} units/s, {tokens / wall:.0f} tokens/s)", file=sys.stderr)
PY
/usr/bin/python3 tools/study_tables.py "$OUT/study.csv"
