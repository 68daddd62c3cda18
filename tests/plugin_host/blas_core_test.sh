#!/usr/bin/env bash
# The host names OpenBLAS's kernel set from the CPU's instruction sets before a plugin loads libtorch
# (sdk/include/nineteen/sdk/blas_core.hpp): on a VM that hides its CPU model OpenBLAS would otherwise
# take its SSE3 kernels ("Prescott"), 5x slower. OPENBLAS_VERBOSE=2 makes OpenBLAS print the set it
# loaded; the expectation is read independently from /proc/cpuinfo's flags. A user's setting wins.
set -euo pipefail
nineteen=$1 plugins=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
plugin="$plugins/nineteen_plugin_llm.so"
[ -f "$plugin" ] || { echo "SKIP: $plugin not built (no libtorch)"; exit 0; }

flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { case "$flags" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
if has avx512f && has avx512dq && has avx512bw && has avx512vl; then expected=SkylakeX
elif has avx2 && has fma; then expected=Haswell
else echo "SKIP: this CPU has neither AVX-512 nor AVX2+FMA; OpenBLAS keeps its own choice"; exit 0
fi

out=$(env -u OPENBLAS_CORETYPE OPENBLAS_VERBOSE=2 "$nineteen" plugin inspect "$plugin" 2>&1) || fail "plugin inspect failed: $out"
core=$(printf '%s\n' "$out" | sed -n 's/^Core: //p' | head -1)
[ -n "$core" ] || fail "OpenBLAS printed no 'Core:' line (is libtorch linked to OpenBLAS?): $out"
[ "$core" = "$expected" ] || fail "OpenBLAS loaded '$core' kernels, expected '$expected' for this CPU's flags"
echo "host chose: $core"

out=$(OPENBLAS_CORETYPE=Prescott OPENBLAS_VERBOSE=2 "$nineteen" plugin inspect "$plugin" 2>&1) || fail "plugin inspect failed: $out"
core=$(printf '%s\n' "$out" | sed -n 's/^Core: //p' | head -1)
[ "$core" = "Prescott" ] || fail "a user's OPENBLAS_CORETYPE=Prescott was overridden (OpenBLAS loaded '$core')"
echo "user's setting kept: $core"
