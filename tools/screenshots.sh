#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: the real GUI, offscreen, on the bundled RoPE++_EC sample
# with sample_data/sample.txt traced, one picture per view (plus the attention view zoomed in to
# single tokens). Usage: tools/screenshots.sh [BUILD_DIR]   (default build-gui)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-gui}
gui=$build/app/ropescope
[[ -x $gui ]] || { echo "screenshots: build $gui first" >&2; exit 1; }
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
# Fresh settings and cache: window layout, recent files and traces of the user's own sessions
# must not leak into the pictures.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache HOME=$tmp

shoot() {  # NAME ARGS...: one screenshot of the sample, traced, with extra GUI options
  local name=$1
  shift
  "$gui" "$root/sample_data/rope_pp_ec" --text-file "$root/sample_data/sample.txt" --run \
    --size 1920x1080 "$@" --screenshot "$root/docs/screenshots/$name.png"
}

mkdir -p "$root/docs/screenshots"
shoot attention --tab 0
shoot attention-zoom --tab 0 --zoom 40:64
shoot heads --tab 1
shoot curves --tab 2
shoot long-range --tab 3
shoot perplexity --tab 4
shoot noise --tab 5 --noise 0.25,0.5,1,2

# The Compare view reads a study file: the sample study of docs/sample-study.md (the three samples
# x the 38 validation windows x {none, pi_factor=4}), rendered headless by the same view code.
cli=$build/app/ropescope-cli
"$cli" study -o "$tmp/sample-study.h5" --quiet \
  --checkpoint "$root/sample_data/rope" --checkpoint "$root/sample_data/rope_pp_eh" \
  --checkpoint "$root/sample_data/rope_pp_ec" --corpus "$root/sample_data/validation_ids.json" \
  --setting none --setting pi_factor=4
"$cli" render "$tmp/sample-study.h5" --view compare --figure mass \
  -o "$root/docs/screenshots/compare.png"
"$cli" render "$tmp/sample-study.h5" --view compare --figure twins --setting none \
  -o "$root/docs/screenshots/compare-twins.png"
"$cli" render "$tmp/sample-study.h5" --view compare --figure position \
  -o "$root/docs/screenshots/compare-position.png"
