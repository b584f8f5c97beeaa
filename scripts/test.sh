#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2 --timeout 300
# Sanitizer and fuzzing builds (scripts/sanitizers.sh says which; LPV_SANITIZERS=0 skips).
bash scripts/sanitizers.sh
