#!/usr/bin/env bash
# Configures and builds everything (the lpv binary, tests, benchmarks) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
# ccache: paths relative to the checkout, so a fresh clone reuses earlier compilations.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
# TARGETS: only these ninja targets (default: everything).
ninja -C "$BUILD_DIR" -j"${JOBS:-2}" ${TARGETS:-}
