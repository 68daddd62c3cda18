#!/usr/bin/env bash
# Configures a build folder for this checkout: `tools/configure.sh BUILD_DIR [cmake options...]`.
# A build folder made for another source tree (the checkout was copied or moved, build/ with it)
# makes CMake refuse ("the source ... does not match the source ... used to generate cache"). Such
# a folder's cache is moved aside into BUILD_DIR/stale-cache/ and the folder configured again, with
# the options of the old cache kept (paths inside the old tree pointed at this one); build outputs
# stay where they are. The configure output goes to BUILD_DIR.configure.log, shown on failure.
set -euo pipefail
build=${1:?usage: tools/configure.sh BUILD_DIR [cmake options...]}
shift
source_dir=$(pwd -P)
cache="$build/CMakeCache.txt"
log="$build.configure.log"
initial=()

# The real path of a folder, or the text itself when the folder is gone.
real_dir() { (cd "$1" 2> /dev/null && pwd -P) || printf '%s\n' "$1"; }

if [ -f "$cache" ]; then
  old_source=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
  old_build=$(sed -n 's/^CMAKE_CACHEFILE_DIR:INTERNAL=//p' "$cache")
  build_real=$(real_dir "$build")
  if [ -n "$old_source" ] && { [ "$(real_dir "$old_source")" != "$source_dir" ] ||
                               [ "$(real_dir "$old_build")" != "$build_real" ]; }; then
    stale="$build/stale-cache"
    rm -rf "$stale"
    mkdir -p "$stale"
    mv "$cache" "$stale/"
    [ -d "$build/CMakeFiles" ] && mv "$build/CMakeFiles" "$stale/"
    # The old cache's settings (not CMake's internal entries nor what was not found), as an initial
    # cache: a value inside the old source or build tree points into this one instead.
    kept="$stale/kept-options.cmake"
    : > "$kept"
    count=0
    while IFS= read -r line; do
      [[ "$line" =~ ^([A-Za-z0-9_.+-]+):(BOOL|STRING|PATH|FILEPATH|UNINITIALIZED)=(.*)$ ]] || continue
      name=${BASH_REMATCH[1]} type=${BASH_REMATCH[2]} value=${BASH_REMATCH[3]}
      [[ "$value" == *-NOTFOUND ]] && continue
      value=${value//"$old_build"/"$build_real"}
      value=${value//"$old_source"/"$source_dir"}
      value=${value//\\/\\\\}
      value=${value//\"/\\\"}
      value=${value//\$/\\\$}
      [ "$type" = UNINITIALIZED ] && type=STRING
      printf 'set(%s "%s" CACHE %s "kept from the stale cache")\n' "$name" "$value" "$type" >> "$kept"
      count=$((count + 1))
    done < "$stale/CMakeCache.txt"
    initial=(-C "$kept")
    echo "configure: $build was configured for $old_source, not this checkout ($source_dir):" \
      "its cache is moved to $stale/ and it is configured again, keeping $count settings and the build outputs"
  fi
fi

cmake "${initial[@]}" -S "$source_dir" -B "$build" "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
