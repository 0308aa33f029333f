#!/usr/bin/env bash
# A RoPEScope study on a Slurm cluster: one job-array task per shard, then one merge job that
# waits for all of them (docs/study-format.md, "Scale-out").
#
#   SHARDS=8 OUT=study.h5 STUDY_OPTIONS="--checkpoint A --checkpoint B --corpus texts/" \
#       bash docs/examples/study-slurm.sh submit
#
# `submit` runs   sbatch --array=0-$((SHARDS-1)) study-slurm.sh shard
#           then  sbatch --dependency=afterok:<array job> study-slurm.sh merge
# A task that fails or is pre-empted can simply be requeued: the same command resumes from its
# journal (<part>.parts/) and loses no finished unit. Without Slurm, `shard` with
# SLURM_ARRAY_TASK_ID=i runs one shard locally (this is what the test does).
#SBATCH --job-name=ropescope-study
#SBATCH --cpus-per-task=2
#SBATCH --time=04:00:00
set -euo pipefail
CLI=${CLI:-ropescope-cli}
OUT=${OUT:-study.h5}
SHARDS=${SHARDS:-8}
STUDY_OPTIONS=${STUDY_OPTIONS:?set STUDY_OPTIONS to the study options (--checkpoint ... --corpus ...)}
export CLI OUT SHARDS STUDY_OPTIONS

case "${1:-}" in
submit)
    array=$(sbatch --parsable --export=ALL --array=0-$((SHARDS - 1)) "$0" shard)
    sbatch --export=ALL --dependency=afterok:"${array%%;*}" "$0" merge
    ;;
shard)
    i=${SLURM_ARRAY_TASK_ID:?shard runs as a task of the job array}
    export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-2}
    # shellcheck disable=SC2086  # STUDY_OPTIONS is a list of words
    "$CLI" study $STUDY_OPTIONS --shard "$i/$SHARDS" -o "$OUT.part$i.h5" --quiet
    ;;
merge)
    parts=()
    for ((i = 0; i < SHARDS; i++)); do parts+=("$OUT.part$i.h5"); done
    "$CLI" study merge -o "$OUT" "${parts[@]}"
    ;;
*)
    echo "usage: $0 submit | shard | merge" >&2
    exit 2
    ;;
esac
