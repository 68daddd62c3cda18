// The hyper-parameters of a Llama-family decoder, read from a Hugging Face config.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::models {

// rope_scaling from config.json. Supported types: "llama3" (Llama 3.1's frequency-dependent
// scaling) and "linear" (positions divided by factor).
struct RopeScaling {
  std::string rope_type;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct LlamaConfig {
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;  // defaults to num_attention_heads when absent
  int64_t head_dim = 0;             // defaults to hidden_size / num_attention_heads when absent
  int64_t max_position_embeddings = 2048;
  double rms_norm_eps = 1e-5;
  double rope_theta = 10000.0;
  std::optional<RopeScaling> rope_scaling;
  bool tie_word_embeddings = false;
  std::optional<int32_t> bos_token_id;
  // Every token that ends generation (config.json's eos_token_id, int or list, joined with
  // generation_config.json's when read through from_model_dir).
  std::vector<int32_t> eos_token_ids;

  // Parses config.json text; `what` names the source in errors. Checks that the sizes are positive
  // and consistent (heads divide evenly, etc.) and says which key is wrong.
  static LlamaConfig from_json(std::string_view json, const std::string& what);
  // Reads <dir>/config.json, then adds the eos ids of <dir>/generation_config.json if present.
  static LlamaConfig from_model_dir(const std::string& dir);

  // config.json text in Hugging Face's LlamaForCausalLM layout (keys in a fixed order).
  std::string to_json() const;

  bool is_eos(int32_t token) const;
  // Weights of the model (embeddings, every layer, norms, and lm_head unless tied).
  int64_t parameter_count() const;
  // Multiply-add FLOPs per token in the matrix products (2 × weights used per token, including
  // lm_head; attention over the context is excluded since it depends on the position).
  double matmul_flops_per_token() const;
};

}  // namespace nineteen::models
