#!/usr/bin/env bash
# Trains the three sample checkpoints with the identical budget (see README.md), then evaluates them.
# Each run uses 1 thread; JOBS (default 2) runs train at the same time. On a busy 2-core machine two
# single-thread runs are several times faster than one 2-thread run (no OpenMP barrier stalls).
# Usage: nohup sample_data/train_all.sh > /tmp/train_all.out 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
printf '%s\n' rope_pp_eh rope_pp_ec rope |
  xargs -P "${JOBS:-2}" -I{} sh -c \
    'nice -n 10 /usr/bin/python3 sample_data/train.py --variant {} --threads 1 > /tmp/train_{}.out 2>&1'
nice -n 10 /usr/bin/python3 sample_data/evaluate.py
nice -n 10 /usr/bin/python3 sample_data/check_cpp.py || echo "check_cpp failed (is build/app/ropescope-cli built?)"
