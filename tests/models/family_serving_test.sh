#!/usr/bin/env bash
# Each decoder family's layout served end to end by the llm plugin: make a tiny model with the
# family's tensor names and config keys (sharded, bf16), then synth -> invoke -> check with the
# nineteen CLI; the answer must check with quality 1 against the same model, and `nineteen-models
# inspect` must call the folder servable.
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for family in llama3 qwen2 mistral phi3; do
  dir="$work/$family"
  "$build/bin/nineteen-models" make tiny-llama --family "$family" --shards 2 --dtype bf16 --out "$dir" 2> /dev/null > /dev/null
  "$build/bin/nineteen-models" inspect "$dir" > "$work/inspect.txt"
  grep -q "servable: yes, by the llm task" "$work/inspect.txt"
  cat > "$work/tasks.toml" <<TOML
[tasks.chat-$family]
plugin = "llm"
type = "chat"
model_dir = "$dir"
threads = 1
TOML
  nineteen() { "$build/bin/nineteen" "$@" --tasks "$work/tasks.toml"; }
  nineteen synth --task "chat-$family" --seed 2 > "$work/request.json"
  nineteen invoke --task "chat-$family" --request @"$work/request.json" > "$work/chunks.jsonl"
  test -s "$work/chunks.jsonl"
  { printf '['; paste -sd, "$work/chunks.jsonl"; printf ']'; } > "$work/response.json"
  nineteen check --task "chat-$family" --request @"$work/request.json" --response @"$work/response.json" > "$work/check.txt"
  if ! grep -q '^quality 1.0000$' "$work/check.txt"; then
    echo "FAIL: $family answer did not check:" >&2
    cat "$work/check.txt" >&2
    exit 1
  fi
  echo "$family: served and checked ($(($(wc -l < "$work/chunks.jsonl") - 1)) tokens)"
done
echo "family serving: ok"
