#!/usr/bin/env bash
# The llm plugin from the shell, as a catalogue author uses it: make a tiny model, write a
# tasks.toml, run the conformance suite, then synth → invoke → check with the nineteen CLI.
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/nineteen-models" make tiny-llama --out "$work/tiny-llama" > /dev/null
cat > "$work/tasks.toml" <<TOML
[tasks.chat-tiny-llama]
plugin = "llm"
type = "chat"
model_dir = "$work/tiny-llama"
threads = 1
max_capacity = 120000
volume_per_request = 300
timeout_s = 2

[tasks.completions-tiny-llama]
plugin = "llm"
type = "completions"
model_dir = "$work/tiny-llama"
threads = 1
TOML
nineteen() { "$build/bin/nineteen" "$@" --tasks "$work/tasks.toml"; }

nineteen plugin conformance --task chat-tiny-llama
nineteen plugin conformance --task completions-tiny-llama

# Synthetic requests stream as often as users' do: seed 1 streams (one chunk per token, then the
# final one), seed 4 does not (one whole answer, its usage counts the tokens).
nineteen synth --task chat-tiny-llama --seed 4 > "$work/whole.json"
if grep -q '"stream":true' "$work/whole.json"; then echo "FAIL: seed 4 was expected not to stream" >&2; exit 1; fi
nineteen invoke --task chat-tiny-llama --request @"$work/whole.json" > "$work/whole.jsonl"
test "$(wc -l < "$work/whole.jsonl")" -eq 1
{ printf '['; cat "$work/whole.jsonl"; printf ']'; } > "$work/whole-response.json"
nineteen check --task chat-tiny-llama --request @"$work/whole.json" --response @"$work/whole-response.json" | tee "$work/whole-check.txt"
grep -q '^quality 1.0000$' "$work/whole-check.txt"
whole_tokens=$(grep -o '"completion_tokens":[0-9]*' "$work/whole.jsonl" | cut -d: -f2)
grep -q "^work $whole_tokens.0 tokens$" "$work/whole-check.txt"

nineteen synth --task chat-tiny-llama --seed 1 > "$work/request.json"
grep -q '"stream":true' "$work/request.json"
nineteen invoke --task chat-tiny-llama --request @"$work/request.json" > "$work/chunks.jsonl"
test -s "$work/chunks.jsonl"
{ printf '['; paste -sd, "$work/chunks.jsonl"; printf ']'; } > "$work/response.json"
nineteen check --task chat-tiny-llama --request @"$work/request.json" --response @"$work/response.json" | tee "$work/check.txt"
grep -q '^quality 1.0000$' "$work/check.txt"
tokens=$(($(wc -l < "$work/chunks.jsonl") - 1))
grep -q "^work $tokens.0 tokens$" "$work/check.txt"

# The same answer checked against the variant model's tasks scores 0.
"$build/bin/nineteen-models" make tiny-llama --variant 1 --out "$work/tiny-llama-variant" > /dev/null
sed -i "s|$work/tiny-llama\"|$work/tiny-llama-variant\"|" "$work/tasks.toml"
nineteen check --task chat-tiny-llama --request @"$work/request.json" --response @"$work/response.json" | tee "$work/wrong.txt"
grep -q '^quality 0.0000$' "$work/wrong.txt"

# A bad request is refused with the key named, not a crash.
if nineteen invoke --task chat-tiny-llama --request '{"messages":[],"max_tokens":4}' 2> "$work/error.txt"; then
  echo "FAIL: an empty messages list was served" >&2
  exit 1
fi
grep -q '"messages": expected at least one message' "$work/error.txt"
echo "llm cli: ok"
