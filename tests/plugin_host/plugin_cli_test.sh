#!/usr/bin/env bash
# `nineteen plugin list` as an operator reads it (each task's weight, its share after normalisation,
# capacity, volume per request; a misspelt key refused with the key meant), and --help on every
# plugin and task subcommand.
set -euo pipefail
nineteen=$1 plugins=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$work/tasks.toml" <<'TOML'
[tasks.reverse-words]
plugin = "text_transform"
weight = 1
max_capacity = 20000
volume_per_request = 10
[tasks.upper-words]
plugin = "text_transform"
mode = "upper"
weight = 3
max_capacity = 500
volume_per_request = 2.5
[tasks.typo-words]
plugin = "text_transform"
mode = "rot13"
wieght = 0.3
TOML
status=0
"$nineteen" plugin list --tasks "$work/tasks.toml" --plugins "$plugins" > "$work/list.txt" 2> "$work/list.err" || status=$?
cat "$work/list.txt"
[ "$status" = 1 ] || fail "plugin list exited $status, expected 1 (a task failed)"
grep -q 'WEIGHT *SHARE *CAPACITY *VOL/REQ' "$work/list.txt" || fail "no WEIGHT SHARE CAPACITY VOL/REQ columns"
grep -Eq '^reverse-words .* 1 +0\.250 +20000 +10 +yes +ready$' "$work/list.txt" || fail "reverse-words row"
grep -Eq '^upper-words .* 3 +0\.750 +500 +2\.5 +yes +ready$' "$work/list.txt" || fail "upper-words row"
grep -Eq '^typo-words .* 1 +0\.000 +0 +1 +yes +failed$' "$work/list.txt" || fail "typo-words row"
grep -qF "$work/tasks.toml:12: task \"typo-words\" (nineteen_plugin_text_transform.so): unknown key \"wieght\"" \
  "$work/list.txt" || fail "the refusal names no file, line and task"
grep -qF 'did you mean `weight` (a key of the task catalogue)?' "$work/list.txt" || fail "no 'did you mean \`weight\`'"

for command in "plugin list" "plugin inspect" "plugin conformance" "plugin watch" synth invoke check; do
  # shellcheck disable=SC2086
  out=$("$nineteen" $command --help) || fail "nineteen $command --help exited non-zero"
  [[ "$out" == "usage: nineteen $command"* ]] || fail "nineteen $command --help: $out"
done
out=$("$nineteen" plugin --help) || fail "nineteen plugin --help exited non-zero"
[[ "$out" == "usage: nineteen plugin list|inspect|conformance|watch"* ]] || fail "nineteen plugin --help: $out"
echo "plugin cli: list shows weights, shares and capacities, refuses a misspelt key; --help everywhere"
