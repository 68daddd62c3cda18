#!/usr/bin/env bash
# The avatar task as a plugin author and an operator use it: conformance; an avatar made on the
# reference model checks as 1; one made on another model (the same workflow, a different
# image-to-image model underneath) checks low.
set -euo pipefail
nineteen=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
"$nineteen" models make tiny-diffusion --out "$work/reference" > "$work/make.log"
"$nineteen" models make tiny-diffusion --out "$work/other" --variant 1 >> "$work/make.log"
catalogue() {
  cat > "$work/$1.toml" <<TOML
[tasks.image-to-image-tiny]
plugin = "diffusion"
type = "image-to-image"
model_dir = "$work/$2"
threads = 1
[tasks.avatar-tiny]
plugin = "avatar"
target = "image-to-image-tiny"
TOML
}
catalogue reference reference
catalogue other other

"$nineteen" plugin conformance --task avatar-tiny --tasks "$work/reference.toml"

"$nineteen" synth --task avatar-tiny --seed 11 --tasks "$work/reference.toml" > "$work/request.json"
for model in reference other; do
  echo "[$("$nineteen" invoke --task avatar-tiny --request @"$work/request.json" --tasks "$work/$model.toml")]" > "$work/$model.answer"
done
own=$("$nineteen" check --task avatar-tiny --request @"$work/request.json" --response @"$work/reference.answer" --tasks "$work/reference.toml")
echo "$own"
echo "$own" | grep -q '^quality 1.0000$' || { echo "the reference's own avatar should check as 1" >&2; exit 1; }
wrong=$("$nineteen" check --task avatar-tiny --request @"$work/request.json" --response @"$work/other.answer" --tasks "$work/reference.toml")
echo "$wrong"
quality=$(echo "$wrong" | awk '/^quality/ {print $2}')
awk -v q="$quality" 'BEGIN { exit !(q < 0.5) }' || { echo "another model's avatar should check below 0.5, got $quality" >&2; exit 1; }
# A bad request is refused with the key named.
if "$nineteen" invoke --task avatar-tiny --request '{"image":"!!","prompt":"x"}' --tasks "$work/reference.toml" 2> "$work/bad.log"; then
  echo "a bad image should be refused" >&2; exit 1
fi
grep -q 'request key \\"image\\"\|request key "image"' "$work/bad.log" || { cat "$work/bad.log" >&2; exit 1; }
echo "avatar: conformant; own avatar 1, another model's $quality"
