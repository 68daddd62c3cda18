#!/usr/bin/env bash
# Builds the fuzz targets (tests/fuzz/) with clang, libFuzzer, ASan and UBSan in build-fuzz/, then
# runs each in turn, one process each (the machine may be shared), and prints a table of executions.
#   tools/fuzz.sh                 # a 15 s smoke per target
#   tools/fuzz.sh 600             # 10 minutes per target
#   tools/fuzz.sh 600 sse_parser  # only the named targets
# New inputs that reach new code go to build-fuzz/fuzz-corpus/<target>/ (the checked-in seeds in
# tests/fuzz/corpus/<target>/ are read, never written). A crash leaves its reproducer in
# build-fuzz/fuzz-crashes/<target>/: fix the code, then copy the file into the checked-in corpus,
# where ctest replays it from then on. Exit status 1 when any target crashed.
set -euo pipefail
seconds=${1:-15}
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build=${NINETEEN_FUZZ_BUILD:-build-fuzz}
jobs=${NINETEEN_FUZZ_BUILD_JOBS:-1}

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ tools/configure.sh "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNINETEEN_WITH_TORCH=OFF -DNINETEEN_BUILD_BENCH=OFF -DNINETEEN_FUZZ=ON
fi
cmake --build "$build" --target fuzz_targets -j"$jobs"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

results=()
failed=0
for target in "${targets[@]}"; do
  exe="$build/bin/fuzz_$target"
  work="$build/fuzz-corpus/$target"
  crashes="$build/fuzz-crashes/$target"
  log="$build/fuzz-logs/$target.log"
  mkdir -p "$work" "$crashes" "$(dirname "$log")"
  echo "fuzz: $target for ${seconds}s (log: $log)"
  status=ok
  # One process at a time (no -jobs: libFuzzer's job mode would fork workers and log to ./fuzz-N.log).
  # -rss_limit_mb and -timeout turn unbounded memory and hangs into findings too.
  if ! "$exe" "$work" "tests/fuzz/corpus/$target" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -max_len="${NINETEEN_FUZZ_MAX_LEN:-4096}" -print_final_stats=1 -artifact_prefix="$crashes/" \
      > "$log" 2>&1; then
    status=CRASH
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  results+=("$(printf '%-22s %14s %10s  %s' "$target" "${runs:-?}" "${rate:-?}" "$status")")
done

printf '\n%-22s %14s %10s  %s\n' target executions exec/s result
printf '%s\n' "${results[@]}"
exit $failed
