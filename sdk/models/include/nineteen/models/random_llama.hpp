// Writing a Llama model with seeded random weights in the Hugging Face layout (config.json and
// model.safetensors), the weight half of the tiny-model maker; tests use it for odd shapes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "nineteen/models/llama_config.hpp"
#include "nineteen/models/safetensors.hpp"

namespace nineteen::models {

struct RandomLlamaOptions {
  uint64_t seed = 0;
  DType dtype = DType::F32;
  // Standard deviation of the logits over the vocabulary (before softmax) for a typical hidden
  // state. Larger values make the model more confident. With untied embeddings, 4 gives a mean
  // top-token probability near 0.45 and an entropy near 2 nats on a 512-token vocabulary: greedy
  // continuations do not loop, and sampling at temperature 1 differs by seed. (Tied embeddings
  // make a random model predict its input token again; prefer untied for made-up models.)
  double logit_scale = 6.0;
  // 1: one model.safetensors. N > 1: N shards model-0000i-of-0000N.safetensors and a
  // model.safetensors.index.json, as Hugging Face writes a large checkpoint.
  int shards = 1;
  // Called with a line of progress text as tensors are generated (may be empty).
  std::function<void(const std::string&)> progress;
};

// Writes <dir>/config.json (from `config`, in the layout of its model_type, with torch_dtype
// set from options.dtype) and <dir>/model.safetensors (or its shards), with the tensor names of
// config.model_type (fused for phi3, q/k/v biases for qwen2). The same config and
// options always give byte-identical files. Creates `dir` if needed; throws sdk::Error naming the
// path on an I/O failure.
void write_random_llama(const std::string& dir, const LlamaConfig& config, const RandomLlamaOptions& options);

}  // namespace nineteen::models
