#!/usr/bin/env bash
# A RoPEScope study on one machine, N shards at a time with GNU parallel (or xargs -P where parallel
# is not installed), then merged (docs/study-format.md, "Scale-out"):
#   SHARDS=4 JOBS=2 OUT=study.h5 STUDY_OPTIONS="--checkpoint A --corpus texts/" bash study-parallel.sh
set -euo pipefail
CLI=${CLI:-ropescope-cli}
OUT=${OUT:-study.h5}
SHARDS=${SHARDS:-4}
JOBS=${JOBS:-2}
STUDY_OPTIONS=${STUDY_OPTIONS:?set STUDY_OPTIONS to the study options (--checkpoint ... --corpus ...)}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
# shellcheck disable=SC2086  # STUDY_OPTIONS is a list of words
if command -v parallel >/dev/null; then
    seq 0 $((SHARDS - 1)) | parallel -j "$JOBS" "$CLI" study $STUDY_OPTIONS --shard {}/"$SHARDS" -o "$OUT.part{}.h5" --quiet
else
    seq 0 $((SHARDS - 1)) | xargs -P "$JOBS" -I{} "$CLI" study $STUDY_OPTIONS --shard {}/"$SHARDS" -o "$OUT.part{}.h5" --quiet
fi
"$CLI" study merge -o "$OUT" $(seq -f "$OUT.part%g.h5" 0 $((SHARDS - 1)))
