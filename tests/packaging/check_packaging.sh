#!/usr/bin/env bash
# Checks every shipped plugin's dynamic exports and the host binary's libraries.
set -euo pipefail
build=$1
status=0
shopt -s nullglob
plugins=("$build"/lib/nineteen/plugins/nineteen_plugin_*.so)
if [ ${#plugins[@]} -eq 0 ]; then
  echo "no plugins found in $build/lib/nineteen/plugins" >&2
  exit 1
fi
for plugin in "${plugins[@]}"; do
  exports=$(nm -D --defined-only "$plugin" | awk '{print $3}' | grep -v '^_init$\|^_fini$' | tr '\n' ' ')
  if [ "$exports" != "nineteen_plugin_entry " ]; then
    echo "FAIL $plugin exports: $exports" >&2
    status=1
  else
    echo "ok   $(basename "$plugin") exports only nineteen_plugin_entry"
  fi
done
if ldd "$build/bin/nineteen" | grep -Ei 'libtorch|libc10'; then
  echo "FAIL bin/nineteen links libtorch" >&2
  status=1
else
  echo "ok   bin/nineteen does not link libtorch"
fi
exit $status
