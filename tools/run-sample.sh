#!/usr/bin/env bash
# The README's first command: installs, builds, and shows RoPEScope on the bundled sample checkpoint.
# With a display it opens the GUI with the sample text traced; without one it renders the GUI's
# views to build/sample/*.png with the CLI and says how to run the GUI headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
cli=build/app/ropescope-cli
gui=build/app/ropescope
sample=sample_data/rope_pp_ec
text=sample_data/sample.txt
if [[ ! -f $sample/model.safetensors ]]; then
  # The trained samples are not in this checkout yet: use a tiny test checkpoint (random weights).
  sample=tests/fixtures/rope_pp_ec_f32
  input=(--ids 1,17,42,5,88,23,61,9,4,77,31,2,50,64,12,90,33,71,8,46,19,58,27,83)
else
  input=(--text-file "$text" --max-tokens 512)
fi
echo "== ropescope-cli info $sample"
"$cli" info "$sample"
echo
echo "== ropescope-cli stats $sample (real vs imaginary heads)"
"$cli" stats "$sample" "${input[@]}" --quiet | head -n 24
mkdir -p build/sample
"$cli" trace "$sample" "${input[@]}" -o build/sample/sample.h5 --quiet
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -x $gui ]]; then
  echo
  echo "== opening the GUI on build/sample/sample.h5"
  exec "$gui" build/sample/sample.h5
fi
echo
echo "No display found: the figures of the GUI's views, rendered headless from the trace:"
for view in attention heads curves long-range perplexity; do
  "$cli" render build/sample/sample.h5 --view "$view" -o "build/sample/$view.png"
done
echo
echo "The trace is in build/sample/sample.h5; to look at it in the GUI:"
echo "  $gui build/sample/sample.h5                       # on a desktop"
echo "  QT_QPA_PLATFORM=offscreen $gui build/sample/sample.h5 --screenshot shot.png   # headless screenshot"
echo "  xvfb-run -a $gui build/sample/sample.h5           # a virtual display"
