#!/usr/bin/env bash
# Runs the libFuzzer targets (built by tools/test-hardening.sh into build-hardening/) for a fixed
# time each, seeded from the fixtures and the committed corpus (tests/corpus/). Usage:
#   bash tools/fuzz.sh [SECONDS_PER_TARGET=45] [TARGET...]   targets: safetensors config tokenizer trace
#   bash tools/fuzz.sh --budget TOTAL_SECONDS [--merge] [--throughput] [--jobs N] [TARGET...]
#   (the total split evenly between the targets)
# --merge minimises what the run found into tests/corpus/fuzz/<target>/ (committed, so the next
# run — and CI's short one — starts from there; the corpora grow towards 10^7 executions each).
# A crash stops the run with the reproducer in build-hardening/fuzz/<target>/crash-*; copy it into
# tests/corpus/regressions/<target>/ with the fix so CTest replays it forever (fuzz_replay_*).
# Prints one summary line per target (executions, coverage) and keeps them in fuzz/summary.txt.
# --throughput fuzzes with the UBSan-only build of preset "fuzz-throughput" (build-fuzz-throughput/,
# configured and built here): no ASan, so 1.6x (tokenizer) to 2.6x (trace) the executions per
# second, for the long runs; crashes, UBSan findings, hangs and OOMs still stop it, and --merge
# still replays every kept input under ASan + UBSan (build-hardening) before it enters the corpus.
# --jobs N runs N fuzzing processes per target (one per core; libFuzzer seeds each from the clock
# and its pid; one shared corpus folder that each rereads for the others' finds); the executions
# reported are their sum.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=""
merge=0
throughput=0
jobs=1
seconds=45
args=()
while (($#)); do
  case $1 in
    --budget) budget=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    --throughput) throughput=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -z $budget && ${#args[@]} -gt 0 && ${args[0]} =~ ^[0-9]+$ ]]; then
  seconds=${args[0]}
  args=("${args[@]:1}")
fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --jobs $jobs is not a positive number" >&2; exit 2; }
targets=("${args[@]}")
((${#targets[@]})) || targets=(safetensors config tokenizer trace)
if [[ -n $budget ]]; then
  seconds=$((budget / ${#targets[@]}))
  ((seconds > 0)) || { echo "fuzz: --budget $budget is less than a second per target" >&2; exit 2; }
fi
build=build-hardening   # ASan + UBSan: CI's runs, every merge, the regression replays
out=$build/fuzz
mkdir -p "$out"
fuzz_build=$build
if ((throughput)); then
  fuzz_build=build-fuzz-throughput
  cmake --preset fuzz-throughput >/dev/null
  cmake --build "$fuzz_build" --target "${targets[@]/#/fuzz_}" >/dev/null
fi

# Seeds: the fixtures' own files of each class (libFuzzer keeps the first max_len bytes of each).
seed_dir() {
  local t=$1 d=$out/$1/seeds
  rm -rf "$d" && mkdir -p "$d"
  case $t in
    safetensors) for f in tests/fixtures/*/model*.safetensors; do
                   cp "$f" "$d/$(basename "$(dirname "$f")")-$(basename "$f")"; done ;;
    config) for f in tests/fixtures/*/config.json tests/fixtures/*/model.safetensors.index.json; do
              cp "$f" "$d/$(basename "$(dirname "$f")")-$(basename "$f")"; done
            # The catalogue's real configs (tests/data/configs), every family and both generations.
            for f in tests/data/configs/*.json; do
              [[ $f == */facts.json || $f == */outcomes.json ]] || cp "$f" "$d/catalogue-$(basename "$f")"
            done ;;
    tokenizer) for f in tests/fixtures/tokenizers/*/tokenizer.json; do
                 cp "$f" "$d/$(basename "$(dirname "$f")").json"; done ;;
    trace) printf '\x01\x02\x03\x04' >"$d/edit" ;;  # inputs are edit scripts, not files
  esac
  echo "$d"
}
declare -A max_len=([safetensors]=8192 [config]=4096 [tokenizer]=16384 [trace]=256)

: >"$out/summary.txt"
for t in "${targets[@]}"; do
  mkdir -p "$out/$t/corpus"
  dirs=("$out/$t/corpus" "$(seed_dir "$t")")
  [[ $t == trace ]] || dirs+=("tests/corpus/$t")
  [[ -d tests/corpus/regressions/$t ]] && dirs+=("tests/corpus/regressions/$t")
  [[ -d tests/corpus/fuzz/$t ]] && dirs+=("tests/corpus/fuzz/$t")
  log=$out/$t/fuzz.log
  rm -f "$out/$t"/fuzz-[0-9]*.log
  pids=()
  for ((j = 0; j < jobs; j++)); do
    jlog=$log
    ((jobs == 1)) || jlog=$out/$t/fuzz-$j.log
    "$fuzz_build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="${max_len[$t]}" \
      -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$out/$t/" \
      "${dirs[@]}" >"$jlog" 2>&1 &
    pids+=($!)
  done
  failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  logs=("$log")
  ((jobs == 1)) || logs=("$out/$t"/fuzz-[0-9]*.log)
  if ((failed)); then
    for l in "${logs[@]}"; do tail -n 60 "$l" >&2; done
    echo "fuzz: $t FAILED; reproducer: $(ls "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/timeout-* "$out/$t"/oom-* 2>/dev/null | head -1)" >&2
    exit 1
  fi
  execs=$(cat "${logs[@]}" | grep -o 'stat::number_of_executed_units: [0-9]*' | grep -o '[0-9]*$' |
          awk '{ s += $1 } END { print s }')
  done_line=$(cat "${logs[@]}" | grep -E '^#[0-9]+[[:space:]]+DONE' | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' <<<"$done_line" | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' <<<"$done_line" | grep -o '[0-9]*')
  corp=$(grep -o 'corp: [0-9]*' <<<"$done_line" | grep -o '[0-9]*')
  line="fuzz_$t ($fuzz_build, $jobs process(es)): ${seconds}s, $execs executions, coverage $cov edges / $ft features, corpus $corp inputs"
  echo "$line" | tee -a "$out/summary.txt"
  if ((merge)); then
    mkdir -p "tests/corpus/fuzz/$t"
    "$build/tests/fuzz/fuzz_$t" -merge=1 -max_len="${max_len[$t]}" -timeout=20 \
      "tests/corpus/fuzz/$t" "$out/$t/corpus" >"$out/$t/merge.log" 2>&1
    echo "fuzz_$t: tests/corpus/fuzz/$t now holds $(ls "tests/corpus/fuzz/$t" | wc -l) inputs"
  fi
done
