// The hyper-parameters of a Llama-family decoder, read from a Hugging Face config.json. The
// families that share the Llama block (RMSNorm, rotary attention, SwiGLU) are read from their own
// layouts: "llama" (Llama 2/3.x, attention_bias), "mistral" (sliding_window), "qwen2" (q/k/v
// biases, use_sliding_window / max_window_layers / layer_types) and "phi3" (fused qkv_proj and
// gate_up_proj, sliding_window).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::models {

// rope_scaling from config.json. Supported types: "llama3" (Llama 3.1's frequency-dependent
// scaling), "linear" (positions divided by factor), "longrope" (Phi-3.5's per-pair factors; also
// read under its first name "su") and "yarn" (Qwen2.5's long-context setting), the last two as
// transformers' rope_utils and vLLM compute them.
struct RopeScaling {
  std::string rope_type;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
  // longrope: each rotary pair's frequency is divided by short_factor[i] (long_factor[i] beyond the
  // original context, which is not served: see LlamaConfig::max_position_embeddings).
  std::vector<double> short_factor, long_factor;
  // yarn: the ramp between extrapolated and interpolated pairs, in rotations.
  double beta_fast = 32.0, beta_slow = 1.0;
  // cos and sin are multiplied by this (longrope, yarn; 1 for the others): config's
  // attention_factor, or the one each method derives from its factor.
  double attention_factor = 1.0;
  // config.json's max_position_embeddings as written (longrope derives attention_factor from it,
  // and config.json is written back with it).
  int64_t declared_max_positions = 0;
};

struct LlamaConfig {
  // config.json's model_type: "llama" (also when absent), "mistral", "qwen2" or "phi3".
  std::string model_type = "llama";
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
  // q, k and v projections carry biases (qwen2 always; llama's attention_bias).
  bool qkv_bias = false;
  // o_proj carries a bias (llama's attention_bias).
  bool o_bias = false;
  // Phi-3's tensors: self_attn.qkv_proj (q, k, v rows stacked) and mlp.gate_up_proj (gate, then up).
  bool fused_projections = false;
  // Attention sees only the last sliding_window positions (the query's own included) in the layers
  // marked in sliding_layers (all layers when it is empty); 0 = full attention everywhere.
  int64_t sliding_window = 0;
  std::vector<bool> sliding_layers;
  // What config.json says the weights are stored in (informational: files are converted at load).
  std::string torch_dtype = "float32";
  std::optional<int32_t> bos_token_id;
  // Every token that ends generation (config.json's eos_token_id, int or list, joined with
  // generation_config.json's when read through from_model_dir).
  std::vector<int32_t> eos_token_ids;

  // Parses config.json text; `what` names the source in errors. Checks that the sizes are positive
  // and consistent (heads divide evenly, etc.) and says which key is wrong.
  static LlamaConfig from_json(std::string_view json, const std::string& what);
  // Reads <dir>/config.json, then adds the eos ids of <dir>/generation_config.json if present.
  static LlamaConfig from_model_dir(const std::string& dir);

  // config.json text in the Hugging Face layout of model_type (keys in a fixed order).
  std::string to_json() const;

  bool is_eos(int32_t token) const;
  // The attention window of layer `layer` (0 = full attention).
  int64_t layer_window(int64_t layer) const;
  // "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM" or "Phi3ForCausalLM".
  std::string architecture() const;
  // Weights of the model (embeddings, every layer, norms, and lm_head unless tied).
  int64_t parameter_count() const;
  // Multiply-add FLOPs per token in the matrix products (2 × weights used per token, including
  // lm_head; attention over the context is excluded since it depends on the position).
  double matmul_flops_per_token() const;
};

}  // namespace nineteen::models
