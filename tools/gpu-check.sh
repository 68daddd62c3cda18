#!/usr/bin/env bash
# Builds the libtorch path against a CUDA libtorch and runs the LLM reference tests on the GPU.
#
#   tools/gpu-check.sh [BUILD_DIR]          (default: build-gpu)
#
# Needs:
#   - an NVIDIA GPU that `nvidia-smi -L` lists, with a driver new enough for the libtorch's CUDA;
#   - a CUDA libtorch with the C++11 ABI, given by CMAKE_PREFIX_PATH (or LIBTORCH): the folder
#     unzipped from pytorch.org's libtorch-cxx11-abi-shared-with-deps-<version>+cu<NNN>.zip, or a
#     pip torch with CUDA whose torch.utils.cmake_prefix_path is used when neither is set (its
#     TorchConfig must not say -D_GLIBCXX_USE_CXX11_ABI=0: Debian's Boost and spdlog use the new ABI);
#   - the build's usual packages (tools/bootstrap.sh), cmake and ninja.
# It configures BUILD_DIR with -DNINETEEN_TORCH_DEVICE=cuda (every model loads on the GPU unless its
# task says otherwise), builds the LLM plugin and its tests, and runs: LlmDevice (GPU against CPU
# numbers), LlamaModel / LlamaReference (the decoder against the reference implementation),
# LlmChecking / LlmServing (answers served and checked on the GPU score 1, a wrong model's 0) and
# LlmCheckBackend (a node on the GPU as another checker's backend). Then bench_llm prints tokens/s.
# Exit codes: 0 passed, 1 a test failed, 2 no GPU, 3 no usable CUDA libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-gpu}

if ! command -v nvidia-smi > /dev/null 2>&1 || ! nvidia-smi -L > /dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi -L fails); nothing to check. The CPU build and its tests" \
       "need no GPU: tools/test.sh" >&2
  exit 2
fi
nvidia-smi -L

prefix=${CMAKE_PREFIX_PATH:-${LIBTORCH:-}}
if [ -z "$prefix" ]; then
  prefix=$(python3 -c 'import sys, torch; sys.exit(1) if not torch.cuda.is_available() else print(torch.utils.cmake_prefix_path)' \
           2> /dev/null) || prefix=""
fi
if [ -z "$prefix" ]; then
  echo "gpu-check: no CUDA libtorch: set CMAKE_PREFIX_PATH=/path/to/libtorch (unzip pytorch.org's" \
       "libtorch-cxx11-abi-shared-with-deps-*+cu*.zip) or install a CUDA torch for python3" >&2
  exit 3
fi
config=$(find -L ${prefix//:/ } -name TorchConfig.cmake 2> /dev/null | head -1)
if [ -z "$config" ]; then
  echo "gpu-check: no TorchConfig.cmake under $prefix; point CMAKE_PREFIX_PATH at the libtorch folder" >&2
  exit 3
fi
torch_root=$(cd "$(dirname "$config")/../../.." && pwd)
if ! find -L "$torch_root" -name 'libc10_cuda.so*' 2> /dev/null | grep -q .; then
  echo "gpu-check: $torch_root has no libc10_cuda.so: a CPU libtorch; download a CUDA one" >&2
  exit 3
fi
if grep -rqs -- '-D_GLIBCXX_USE_CXX11_ABI=0' "$(dirname "$config")"; then
  echo "gpu-check: $torch_root is built with the old C++ ABI (-D_GLIBCXX_USE_CXX11_ABI=0) and cannot link with" \
       "Debian's Boost and spdlog; use the cxx11-abi libtorch zip" >&2
  exit 3
fi
echo "gpu-check: libtorch $torch_root, build folder $build"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DNINETEEN_TORCH_DEVICE=cuda -DNINETEEN_BUILD_TESTS=ON -DNINETEEN_BUILD_BENCH=ON > "$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"$(nproc)" --target nineteen nineteen-models nineteen_plugin_llm llm_tests models_tests \
  llm_check_backend_tests bench_llm

status=0
ctest --test-dir "$build" --output-on-failure \
  -R '^(LlmDevice|LlamaModel|LlamaReference|LlmChecking|LlmServing|LlmCheckBackend|TextQuality)\.' || status=1
"$build/bin/bench_llm" || true
exit $status
