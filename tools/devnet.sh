#!/usr/bin/env bash
# Sets up everything (packages, configure, build) and runs the project's main job.
# Until the network subcommands exist, the main job is the task catalogue check; this script is
# the one the README names, so the command stays the same as the project grows.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh
tools/configure.sh build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
if build/bin/nineteen help 2>/dev/null | grep -q '^  devnet'; then
  exec build/bin/nineteen devnet "$@"
fi
exec build/bin/nineteen plugin list --tasks tasks.toml "$@"
