#!/usr/bin/env bash
# Regenerates docs/sample-study/ (figures, CSVs, tables) from the bundled sample checkpoints with
# RoPEScope's own CLI; docs/sample-study.md discusses the output. About 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${CLI:-build/app/ropescope-cli}
OUT=docs/sample-study
TEXT=sample_data/sample.txt
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
for v in rope rope_pp_eh rope_pp_ec; do
    echo "== $v" >&2
    "$CLI" trace "sample_data/$v" --text-file "$TEXT" -o "$WORK/$v.h5" --quiet >&2
    "$CLI" export "$WORK/$v.h5" --what stats -o "$OUT/$v-stats.csv" >&2
    "$CLI" export "$WORK/$v.h5" --what nll -o "$OUT/$v-nll.csv" >&2
    for fmt in png csv; do
        "$CLI" render "$WORK/$v.h5" --view heads --threshold 256 -o "$OUT/$v-heads.$fmt" >&2
        "$CLI" render "$WORK/$v.h5" --view long-range -o "$OUT/$v-long-range.$fmt" >&2
        "$CLI" render "$WORK/$v.h5" --view perplexity --smoothing 64 -o "$OUT/$v-perplexity.$fmt" >&2
        "$CLI" render "$WORK/$v.h5" --view curves --base 10000 --head-dim 48 --max-distance 4096 \
            --overlay 3:0,3:1 -o "$OUT/$v-curves.$fmt" >&2
    done
    "$CLI" render "$WORK/$v.h5" --view attention --layer 3 --head 0 -o "$OUT/$v-attention.png" >&2
    "$CLI" noise "sample_data/$v" --text-file "$TEXT" --max-tokens 1024 --sigma 0.5,1,2 --target each \
        --json --quiet > "$OUT/$v-noise.json"
done
/usr/bin/python3 tools/sample_study_tables.py "$OUT" > "$OUT/tables.md"
cat "$OUT/tables.md"
