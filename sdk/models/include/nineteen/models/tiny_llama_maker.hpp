// Making the project's own small Llama models: a BPE vocabulary learnt from a built-in English
// text, seeded random weights, and every file of the Hugging Face layout. No libtorch needed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "nineteen/models/llama_config.hpp"
#include "nineteen/models/safetensors.hpp"

namespace nineteen::models {

struct TinyLlamaOptions {
  int64_t hidden = 64;
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t kv_heads = 2;
  int64_t intermediate = 176;
  // Model vocabulary; the tokenizer learns up to this many tokens (fewer if the built-in text
  // runs out of pairs to merge; the remaining ids are never produced by the tokenizer).
  int64_t vocab = 512;
  int64_t max_position_embeddings = 2048;
  // A different variant gives different weights of the same shape and the same tokenizer (the
  // "wrong model" for checking tests).
  uint64_t variant = 0;
  DType dtype = DType::F32;  // how model.safetensors stores the weights
  // Which checkpoint layout to write (config keys and tensor names): "llama" (the default
  // tiny-llama), "llama3" (Llama 3.2-style: rope_scaling "llama3", tied embeddings), "qwen2"
  // (Qwen2.5-style: q/k/v biases, tied embeddings), "mistral" (sliding_window of max positions / 8)
  // or "phi3" (fused qkv_proj / gate_up_proj, sliding_window of max positions / 2 - 1). The
  // tokenizer and its Llama 3 chat template are the same for every family.
  std::string family = "llama";
  // 1: model.safetensors; N > 1: N shards and model.safetensors.index.json.
  int shards = 1;
  // Receives a line of progress for each step (tokenizer, weights, files). May be empty.
  std::function<void(const std::string&)> progress;

  // Throws sdk::Error naming the option when sizes are not positive or heads do not divide.
  void validate() const;
};

// Writes config.json, generation_config.json, model.safetensors, tokenizer.json and
// tokenizer_config.json (with a Llama 3 chat template) into out_dir, creating it. The same
// options always write byte-identical files. Returns the model's config.
LlamaConfig make_tiny_llama(const std::string& out_dir, const TinyLlamaOptions& options);

// The English text the tokenizer is learnt from (a few KB).
std::string_view tiny_llama_corpus();

}  // namespace nineteen::models
