#!/usr/bin/env bash
# Renders the application icon (resources/icons/ropescope.svg) to the PNG sizes desktops ask for,
# next to it. Run after editing the SVG; needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
command -v rsvg-convert >/dev/null || { echo "render-icons: install librsvg2-bin" >&2; exit 1; }
for size in 16 22 24 32 48 64 128 256; do
  rsvg-convert -w "$size" -h "$size" ropescope.svg -o "ropescope-$size.png"
done
echo "render-icons: wrote ropescope-{16..256}.png"
