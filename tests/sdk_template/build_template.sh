#!/usr/bin/env bash
# Installs the SDK from the build tree into a scratch prefix, builds the template against it out of
# tree, runs the template's own tests, and loads the result with the installed `nineteen`.
set -euo pipefail
build_dir=$1 template=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
gen=()
command -v ninja > /dev/null && gen=(-G Ninja)
cmake -S "$template" -B "$work/build" "${gen[@]}" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/build" -j2 > "$work/build.log"
ctest --test-dir "$work/build" --output-on-failure
plugin="$work/build/nineteen_plugin_word_count.so"
exports=$(nm -D --defined-only "$plugin" | awk '{print $3}' | grep -v '^_init$\|^_fini$' || true)
if [ "$exports" != "nineteen_plugin_entry" ]; then
  echo "the template plugin exports more than the entry symbol: $exports" >&2
  exit 1
fi
nineteen="$work/prefix/bin/nineteen"
"$nineteen" plugin inspect "$plugin"
"$nineteen" plugin conformance --task word-count --tasks "$template/tasks.toml" --plugins "$work/build"
echo "sdk template: built out of tree, tested, loaded and conformant"
