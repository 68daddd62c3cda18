#!/usr/bin/env bash
# Installs every Debian package the build and the tests need, and the gateway test's npm folder.
# Idempotent: quick when all is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-all-dev
  libtorch-dev libopenblas0-pthread
  rapidjson-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libsodium-dev libpcre2-dev
  libicu-dev  # Unicode NFC for the BPE tokenizers that ask for it (Qwen2; sdk/text)
  libssl-dev  # wss:// to Subtensor endpoints (runtime/chain)
  libpng-dev libjpeg-dev  # the image tasks (sdk/image)
  clang libclang-rt-14-dev  # tools/fuzz.sh: libFuzzer, ASan and UBSan runtimes for clang 14 (tests/fuzz)
  python3 python3-numpy
  json-schema-test-suite  # structured outputs: the JSON Schema compiler tested on its cases (tests/grammar)
  chromium  # the gateway's status page rendered headless (tests/gateway)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm run the official `openai` client against the gateway (tests/gateway). A Node
# installed another way (e.g. NodeSource, which bundles npm) counts.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
else
  echo "bootstrap: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO=sudo
    else
      echo "bootstrap: these packages are missing and this is not root: ${missing[*]}" >&2
      echo "bootstrap: run as root, or: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  else
    SUDO=
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "bootstrap: done"
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# npm folders of the test suite's independent references, each pinned by its package-lock.json;
# skipped when installed already at the locked version.
npm_folders=(
  tests/gateway/openai-client  # the official `openai` client against the gateway
  tests/bittensor-js           # @polkadot/util-crypto and @polkadot/types: sr25519, SCALE, extrinsics
  tests/huggingface-js         # @huggingface/transformers tokenizers and @huggingface/jinja
  bench/llama-cpp-js           # node-llama-cpp's prebuilt CPU llama.cpp: bench_llm's baseline
)
for folder in "${npm_folders[@]}"; do
  dir="$root/$folder"
  [ -f "$dir/package-lock.json" ] || continue
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "bootstrap: npm ci in $folder"
    extra=()
    # node-llama-cpp: only the CPU build its package.json names, not the optional CUDA and Vulkan
    # builds (hundreds of MB); its postinstall must neither download nor build llama.cpp.
    [ "$folder" = bench/llama-cpp-js ] && extra=(--omit=optional)
    (cd "$dir" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund --loglevel=error "${extra[@]}")
  else
    echo "bootstrap: npm packages of $folder present"
  fi
done

# Recorded Bittensor mainnet runtime metadata, as shipped by the npm package @bitgo/sdk-coin-tao
# (only its resources file is taken: the package's own dependency tree is not needed).
tao_metadata="$root/tests/bittensor-js/recorded/bitgo-sdk-coin-tao-1.16.4-mainnet.js"
if [ ! -f "$tao_metadata" ]; then
  echo "bootstrap: npm pack @bitgo/sdk-coin-tao@1.16.4 (recorded mainnet metadata)"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack @bitgo/sdk-coin-tao@1.16.4 --silent >/dev/null &&
    tar xzf bitgo-sdk-coin-tao-1.16.4.tgz package/dist/src/resources/mainnet.js)
  mkdir -p "$(dirname "$tao_metadata")"
  mv "$tmp/package/dist/src/resources/mainnet.js" "$tao_metadata"
  rm -rf "$tmp"
fi
