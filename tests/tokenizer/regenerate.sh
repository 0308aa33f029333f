#!/usr/bin/env bash
# Rebuilds everything the tokenizer reference check compares against, in order: the hostile text
# set, the synthetic fixture tokenizers, then the expected ids from the reference library.
# Run after changing make_texts.js or make_fixtures.js (needs node and npm).
# Usage: regenerate.sh [CACHE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-$here/.npm-cache}
"$here/fetch_reference.sh" "$cache"
node "$here/make_texts.js"
node "$here/make_fixtures.js"
node "$here/generate_expected.js" "$cache"
