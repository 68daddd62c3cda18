// The hyper-parameters of a BERT-family encoder, read from a Hugging Face config.json.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nineteen::models {

// hidden_act: "gelu" (erf, BERT's own) or "gelu_new" / "gelu_pytorch_tanh" (tanh approximation).
enum class BertActivation { GeluErf, GeluTanh };

struct BertConfig {
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t intermediate_size = 0;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  BertActivation hidden_act = BertActivation::GeluErf;
  int32_t pad_token_id = 0;

  int64_t head_dim() const { return hidden_size / num_attention_heads; }

  // Parses config.json text; `what` names the source in errors. Checks sizes (positive, heads
  // dividing hidden_size) and the keys this encoder depends on: position_embedding_type must be
  // "absolute", hidden_act one of the GELUs above. Every error names the key.
  static BertConfig from_json(std::string_view json, const std::string& what);
  // Reads <dir>/config.json.
  static BertConfig from_model_dir(const std::string& dir);
  // config.json text in Hugging Face's BertModel layout (keys in a fixed order).
  std::string to_json() const;
  // Weights of the encoder (embeddings and layers; no pooler).
  int64_t parameter_count() const;
};

}  // namespace nineteen::models
