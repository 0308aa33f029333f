#!/usr/bin/env bash
# CI hardening stage (docs/robustness.md), after tools/test.sh: builds core, CLI, GUI, the tests
# and the libFuzzer targets with clang under AddressSanitizer + UndefinedBehaviorSanitizer
# (preset "hardening", build-hardening/; UBSan findings fatal, LeakSanitizer on), runs the whole
# test suite there (GUI tests included), then each fuzz target for ROPESCOPE_FUZZ_SECONDS (45).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
t0=$(date +%s)
cmake --preset hardening >/dev/null
cmake --build build-hardening -j"$(nproc)"
t1=$(date +%s)

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan-suppressions.txt:print_suppressions=0"
(cd build-hardening && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j"$(nproc)" --timeout 900)
t2=$(date +%s)

bash tools/fuzz.sh "${ROPESCOPE_FUZZ_SECONDS:-45}"
t3=$(date +%s)
echo "hardening: build $((t1 - t0)) s, sanitizer tests $((t2 - t1)) s, fuzzing $((t3 - t2)) s, total $((t3 - t0)) s"
