#!/usr/bin/env bash
# The sanitizer half of the test command (scripts/test.sh runs it after the normal suite):
#   asan  build-asan: every test under AddressSanitizer + UndefinedBehaviorSanitizer (gcc, -O1);
#   tsan  build-tsan: the store, client (informers, workqueue), scheduler and StatefulSet
#         tests under ThreadSanitizer (only those targets are built);
#   fuzz  build-fuzz: the libFuzzer targets in fuzz/ (clang), each run for LPV_FUZZ_SECONDS.
# Each part prints its own ctest summary. LPV_SANITIZERS picks the parts ("asan,tsan,fuzz");
# LPV_SANITIZERS=0 skips them all outside CI; CI=true runs the default set.
# Default: all three (the ASan+UBSan suite and the TSan suites have run clean).
set -euo pipefail
cd "$(dirname "$0")/.."
default_parts="asan,tsan,fuzz"
parts="${LPV_SANITIZERS:-$default_parts}"
if [ "${CI:-}" = "true" ] && [ "$parts" = "0" ]; then parts="$default_parts"; fi
if [ "$parts" = "0" ]; then
  echo "sanitizers: skipped (LPV_SANITIZERS=0)"
  exit 0
fi
want() { [[ ",$parts," == *",$1,"* ]]; }
root="${LPV_SANITIZER_BUILD_ROOT:-.}"  # where build-asan, build-tsan and build-fuzz go
# -O1 and line tables only: sanitizer builds compile everything again, so keep them cheap;
# -g1 is enough for file:line in reports.
san_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1")
ctest_args=(--output-on-failure -j2 --timeout 600)

section() { echo "=== sanitizers: $1 ($(date -u +%H:%M:%S))"; }

if want asan; then
  section "AddressSanitizer + UndefinedBehaviorSanitizer"
  BUILD_DIR="$root/build-asan" bash scripts/build.sh "${san_flags[@]}" -DLPV_SANITIZE=ON
  ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir "$root/build-asan" "${ctest_args[@]}"
fi

if want tsan; then
  section "ThreadSanitizer"
  BUILD_DIR="$root/build-tsan" bash scripts/build.sh "${san_flags[@]}" -DLPV_TSAN=ON
  TSAN_OPTIONS="suppressions=$PWD/scripts/tsan.supp:halt_on_error=1:second_deadlock_stack=1" \
    ctest --test-dir "$root/build-tsan" "${ctest_args[@]}"
fi

if want fuzz; then
  section "libFuzzer"
  BUILD_DIR="$root/build-fuzz" TARGETS=fuzzers bash scripts/build.sh "${san_flags[@]}" \
    -DLPV_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++ -DLPV_FUZZ_SECONDS="${LPV_FUZZ_SECONDS:-15}"
  ctest --test-dir "$root/build-fuzz" "${ctest_args[@]}"
fi
section "done"
