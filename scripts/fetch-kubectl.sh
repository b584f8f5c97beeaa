#!/usr/bin/env bash
# Fetches Debian's kubectl (package kubernetes-client, v1.20) into a private directory
# without installing it: a kubectl from another source may own /usr/bin/kubectl, and the
# REST API tests want Debian's. Usage: fetch-kubectl.sh [DIR] (default build/tools/kubernetes-client);
# the binary ends up in DIR/usr/bin/kubectl.
set -euo pipefail
dir="${1:-build/tools/kubernetes-client}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [ -x "$dir/usr/bin/kubectl" ]; then
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
if ! apt-get download kubernetes-client >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  apt-get download kubernetes-client
fi
dpkg-deb -x kubernetes-client_*.deb "$dir"
"$dir/usr/bin/kubectl" version --client
