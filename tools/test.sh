#!/usr/bin/env bash
# Sets up everything (packages, configure, build) and runs every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh
tools/configure.sh build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2 --timeout 900
