#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds RoPEScope (Release) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake --preset dev >/dev/null
cmake --build build -j"$(nproc)"
