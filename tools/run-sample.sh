#!/usr/bin/env bash
# The README's first command: installs, builds, and shows RoPEScope on the bundled sample checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
cli=build/app/ropescope-cli
sample=sample_data/rope_pp_ec
if [[ ! -f $sample/config.json ]]; then sample=tests/fixtures/rope_pp_ec_f32; fi
echo "== ropescope-cli info $sample"
"$cli" info "$sample"
echo
echo "== ropescope-cli forward $sample --ids ..."
"$cli" forward "$sample" --ids 1,17,42,5,88,23,61,9,4,77,31,2
