#!/usr/bin/env bash
# The embeddings plugin from the shell, as a catalogue author uses it: make a tiny model, write a
# tasks.toml, run the conformance suite, then synth → invoke → check with the nineteen CLI.
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/nineteen-models" make tiny-bert --out "$work/tiny-bert" > /dev/null 2>&1
cat > "$work/tasks.toml" <<TOML
[tasks.embed-tiny-bert]
plugin = "embeddings"
type = "embeddings"
model_dir = "$work/tiny-bert"
threads = 1
max_batch = 16
max_capacity = 200000
volume_per_request = 200
timeout_s = 2
TOML
nineteen() { "$build/bin/nineteen" "$@" --tasks "$work/tasks.toml"; }

nineteen plugin conformance --task embed-tiny-bert

nineteen synth --task embed-tiny-bert --seed 4 > "$work/request.json"
nineteen invoke --task embed-tiny-bert --request @"$work/request.json" > "$work/chunks.jsonl"
test "$(wc -l < "$work/chunks.jsonl")" -eq 1
{ printf '['; cat "$work/chunks.jsonl"; printf ']'; } > "$work/response.json"
nineteen check --task embed-tiny-bert --request @"$work/request.json" --response @"$work/response.json" | tee "$work/check.txt"
grep -q '^quality 1.0000$' "$work/check.txt"
tokens=$(grep -o '"prompt_tokens":[0-9]*' "$work/chunks.jsonl" | cut -d: -f2)
grep -q "^work $tokens.0 tokens$" "$work/check.txt"

# The same answer checked against the variant model scores 0.
"$build/bin/nineteen-models" make tiny-bert --variant 1 --out "$work/tiny-bert-variant" > /dev/null 2>&1
sed -i "s|$work/tiny-bert\"|$work/tiny-bert-variant\"|" "$work/tasks.toml"
nineteen check --task embed-tiny-bert --request @"$work/request.json" --response @"$work/response.json" | tee "$work/wrong.txt"
grep -q '^quality 0.0000$' "$work/wrong.txt"

# A bad request is refused with the key named, not a crash.
if nineteen invoke --task embed-tiny-bert --request '{"input":[]}' 2> "$work/error.txt"; then
  echo "FAIL: an empty input list was served" >&2
  exit 1
fi
grep -q 'request key "input"' "$work/error.txt"
echo "embeddings cli: ok"
