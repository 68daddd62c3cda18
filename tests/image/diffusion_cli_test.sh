#!/usr/bin/env bash
# The diffusion plugin from the shell, as a catalogue author uses them: make the tiny
# model, write a tasks.toml, run the conformance suite for every task, then synth → invoke → check.
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/nineteen-models" make tiny-diffusion --out "$work/tiny-diffusion" > /dev/null 2>&1
cat > "$work/tasks.toml" <<TOML
[tasks.text-to-image-tiny]
plugin = "diffusion"
type = "text-to-image"
model_dir = "$work/tiny-diffusion"
threads = 1
max_side = 256
max_capacity = 800
volume_per_request = 10
timeout_s = 20

[tasks.image-to-image-tiny]
plugin = "diffusion"
type = "image-to-image"
model_dir = "$work/tiny-diffusion"
threads = 1
max_side = 256
TOML
nineteen() { "$build/bin/nineteen" "$@" --tasks "$work/tasks.toml"; }

nineteen plugin conformance --task text-to-image-tiny
nineteen plugin conformance --task image-to-image-tiny

nineteen synth --task text-to-image-tiny --seed 4 > "$work/request.json"
nineteen invoke --task text-to-image-tiny --request @"$work/request.json" > "$work/chunks.jsonl"
test "$(wc -l < "$work/chunks.jsonl")" -eq 1
{ printf '['; cat "$work/chunks.jsonl"; printf ']'; } > "$work/response.json"
nineteen check --task text-to-image-tiny --request @"$work/request.json" --response @"$work/response.json" | tee "$work/check.txt"
grep -q '^quality 1.0000$' "$work/check.txt"
steps=$(sed 's/.*"steps":\([0-9]*\).*/\1/' "$work/request.json")
grep -q "^work $steps.0 steps$" "$work/check.txt"

# The same answer checked against the variant model's task scores low.
"$build/bin/nineteen-models" make tiny-diffusion --variant 1 --out "$work/tiny-diffusion-variant" > /dev/null 2>&1
sed -i "s|$work/tiny-diffusion\"|$work/tiny-diffusion-variant\"|" "$work/tasks.toml"
nineteen check --task text-to-image-tiny --request @"$work/request.json" --response @"$work/response.json" | tee "$work/wrong.txt"
quality=$(sed -n 's/^quality //p' "$work/wrong.txt")
awk -v q="$quality" 'BEGIN { exit !(q < 0.25) }'

# A bad request is refused with the key named, not a crash.
if nineteen invoke --task text-to-image-tiny --request '{"prompt":"a cat","width":65}' 2> "$work/error.txt"; then
  echo "FAIL: width 65 was served" >&2
  exit 1
fi
grep -q 'request key "width": expected a multiple of 8, got 65' "$work/error.txt"
echo "diffusion cli: ok"
