#!/usr/bin/env bash
# Installs the Debian packages RoPEScope needs, only those missing (idempotent, quiet when complete).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libhdf5-dev nlohmann-json3-dev libpcre2-dev libutf8proc-dev libopenblas-dev
  qtbase5-dev libqt5charts5-dev libqt5svg5-dev desktop-file-utils
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-h5py python3-scipy python3-mpmath
  xvfb xauth time
  # clang, its runtime (libFuzzer, sanitizers) and OpenMP: the hardening build (test-hardening.sh)
  clang libclang-rt-14-dev libomp-14-dev
)
# Node.js and npm run the reference tokenizer; a machine may already have them outside dpkg.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
# python3-matplotlib (regenerating ui/heatmap/colormap_tables.inc) is not needed to build or test.
# python3-torch is only needed to regenerate fixtures and run the benchmarks' reference.
if [[ "${ROPESCOPE_WITH_TORCH:-0}" == 1 ]]; then packages+=(python3-torch); fi
# Regenerating sample_data/ (make_corpus.py, train_tokenizer.py, train.py): ROPESCOPE_WITH_SAMPLE_DATA=1.
if [[ "${ROPESCOPE_WITH_SAMPLE_DATA:-0}" == 1 ]]; then packages+=(python3-torch python3-regex bible-kjv-text); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then exit 0; fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
