#!/usr/bin/env bash
# The article's walkthrough on a fresh server: start it, apply the manifests, show tables.
set -euo pipefail
cd "$(dirname "$0")/.."
LPV="${LPV:-build/lpv}"
dir="$(mktemp -d)"
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$LPV" server --data-dir "$dir" > "$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do [ -s "$dir/server.address" ] && break; sleep 0.05; done
export LPV_DATA_DIR="$dir"
run() { echo; echo "\$ lpv $*"; "$LPV" "$@"; }
run apply -f examples/storageclass.yaml
run apply -f examples/statefulset.yaml
run apply -f examples/pv.yaml
run get sc
run get pv
run get sts
run describe pv example-pv
run apply -f examples/
