#!/usr/bin/env bash
# Installs what is needed, builds lpv, and runs the article's walkthrough (`lpv demo`) on a
# fresh embedded cluster in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build/lpv demo
