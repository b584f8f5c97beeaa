#!/usr/bin/env bash
# Installs lpv's build and test dependencies from Debian 12's archive.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config ccache
  librocksdb-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libboost-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libjemalloc-dev  # the allocator of lpv and the benchmarks (CMake's LPV_JEMALLOC)
  clang libclang-rt-14-dev  # libFuzzer and its sanitizers for fuzz/ (scripts/sanitizers.sh)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
