#!/usr/bin/env bash
# tools/configure.sh on a copied checkout (issue 20): plain CMake refuses the copied build folder,
# the script moves its cache aside, says so in one line, keeps the options (a path inside the old
# tree now points into the copy) and the build outputs, and configures. A tiny project stands in for
# the real one, so the test takes a second.
set -euo pipefail
configure=$1 work=$2
rm -rf "$work" && mkdir -p "$work/old/tools"
fail() { echo "FAIL: $*" >&2; exit 1; }

cp "$configure" "$work/old/tools/configure.sh"
cat > "$work/old/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(sample LANGUAGES NONE)
option(SAMPLE_FLAG "a user's option" OFF)
set(SAMPLE_DATA "" CACHE PATH "a path the user gave")
message(STATUS "flag=${SAMPLE_FLAG} data=${SAMPLE_DATA}")
CMAKE
mkdir -p "$work/old/data"
(cd "$work/old" && tools/configure.sh build -DSAMPLE_FLAG=ON -DSAMPLE_DATA="$work/old/data") > "$work/first.out"
[ ! -s "$work/first.out" ] || fail "a fresh configure said something: $(cat "$work/first.out")"
echo "an object file" > "$work/old/build/kept.o"

cp -a "$work/old" "$work/plain"
if cmake -S "$work/plain" -B "$work/plain/build" > "$work/plain.log" 2>&1; then
  fail "plain cmake accepted a build folder of another tree: the test no longer shows the problem"
fi

cp -a "$work/old" "$work/new"
rm -rf "$work/old"  # the checkout moved
(cd "$work/new" && tools/configure.sh build) > "$work/moved.out" || fail "configure failed: $(cat "$work/moved.out")"
cat "$work/moved.out"
[ "$(wc -l < "$work/moved.out")" = 1 ] || fail "expected one line, got: $(cat "$work/moved.out")"
grep -qF "configure: build was configured for $work/old, not this checkout ($(cd "$work/new" && pwd -P))" \
  "$work/moved.out" || fail "the line does not name both trees"
cache="$work/new/build/CMakeCache.txt"
grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$(cd "$work/new" && pwd -P)" "$cache" || fail "not configured for the copy"
grep -qx "SAMPLE_FLAG:BOOL=ON" "$cache" || fail "the option SAMPLE_FLAG was lost"
grep -qx "SAMPLE_DATA:PATH=$(cd "$work/new" && pwd -P)/data" "$cache" || fail "the path option was not moved to the copy"
[ -f "$work/new/build/stale-cache/CMakeCache.txt" ] || fail "the stale cache was not kept aside"
[ -f "$work/new/build/kept.o" ] || fail "a build output was removed"

(cd "$work/new" && tools/configure.sh build) > "$work/again.out"
[ ! -s "$work/again.out" ] || fail "a current build folder was reconfigured: $(cat "$work/again.out")"
echo "stale build folder: reconfigured with its options kept, in one line"
