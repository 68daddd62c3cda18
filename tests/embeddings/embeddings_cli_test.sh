#!/usr/bin/env bash
# The embeddings plugin from the shell, as a catalogue author uses it: make a tiny model, write a
# tasks.toml, run the conformance suite, then synth → invoke → check with the nineteen CLI; last, a
# miner process on loopback serves the task and `nineteen query` sends it a signed request.
set -euo pipefail
build=$1
work=$(mktemp -d)
miner_pid=
trap 'if [ -n "$miner_pid" ]; then kill "$miner_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
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

# A miner on loopback (any free port) serves the task; the answer it returns checks as 1.
sed -i "s|$work/tiny-bert-variant\"|$work/tiny-bert\"|" "$work/tasks.toml"
"$build/bin/nineteen" keys new --out "$work/miner.json" > /dev/null
"$build/bin/nineteen" keys new --out "$work/client.json" > /dev/null
printf '[miner]\nhotkey = "%s"\ntasks_file = "%s"\nrequire_signatures = false\nport = 0\n' \
  "$work/miner.json" "$work/tasks.toml" > "$work/miner.toml"
"$build/bin/nineteen" miner --config "$work/miner.toml" > "$work/miner.log" 2>&1 &
miner_pid=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'listening on http://[0-9.:]*' "$work/miner.log" | cut -d' ' -f3 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
test -n "$url" || { cat "$work/miner.log" >&2; exit 1; }
request='{"model":"embed-tiny-bert","input":["The river ran past the mill.","Café au lait"],"encoding_format":"base64"}'
"$build/bin/nineteen" query --key "$work/client.json" --miner "$url" --task embed-tiny-bert --request "$request" \
  > "$work/query.json"
grep -q '"object":"list"' "$work/query.json"
{ printf '['; cat "$work/query.json"; printf ']'; } > "$work/query-response.json"
nineteen check --task embed-tiny-bert --request "$request" --response @"$work/query-response.json" | tee "$work/query-check.txt"
grep -q '^quality 1.0000$' "$work/query-check.txt"
echo "embeddings cli: ok"
