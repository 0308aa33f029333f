#!/usr/bin/env bash
# Writes the fuzz_trace target's extra base traces (tests/fuzz/bases/) with the CLI, so the fuzzer
# edits traces holding every optional part a reader meets: Gemma 3's local-RoPE layers, f32 Q/K,
# noise sweeps, query buckets, sink counts and a training length (gemma3_rich.h5), and RoPE++_EC's
# separate imaginary heads with a noise sweep (ec_noise.h5). The third base is
# tests/corpus/trace/valid.h5 (tests/corpus/make_corpus.py). Usage:
#   bash tests/fuzz/make_trace_bases.sh build/app/ropescope-cli
# The files differ from run to run only in their created_at attribute and the checkpoint path
# they record.
set -euo pipefail
cli=$(realpath "${1:?usage: make_trace_bases.sh PATH/TO/ropescope-cli}")
cd "$(dirname "$0")/../.."
ids=1,5,9,13,2,6,10,14,3,7,11,15   # 12 tokens, as valid.h5: small files, fast edits
"$cli" trace tests/fixtures/gemma3_text_f32 --ids "$ids" --f32 --noise 0.5,2 --seeds 2 \
  --query-buckets 4,8 --sink-counts 1,2 --train-length 8 -o tests/fuzz/bases/gemma3_rich.h5 --quiet
"$cli" trace tests/fixtures/rope_pp_ec_f32 --ids "$ids" --noise 1 --seed 3 \
  -o tests/fuzz/bases/ec_noise.h5 --quiet
