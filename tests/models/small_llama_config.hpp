// Small decoder shapes for tests: two layers, a short context, untied embeddings.
#pragma once

#include "nineteen/models/llama_config.hpp"

namespace nineteen::models::testing_support {

inline LlamaConfig small_llama_config(int64_t vocab, int64_t hidden, int64_t heads, int64_t kv_heads,
                                      int64_t head_dim, int64_t intermediate) {
  LlamaConfig c;
  c.vocab_size = vocab;
  c.hidden_size = hidden;
  c.intermediate_size = intermediate;
  c.num_hidden_layers = 2;
  c.num_attention_heads = heads;
  c.num_key_value_heads = kv_heads;
  c.head_dim = head_dim;
  c.max_position_embeddings = 128;
  c.rope_theta = 10000.0;
  c.bos_token_id = 1;
  c.eos_token_ids = {0};
  return c;
}

}  // namespace nineteen::models::testing_support
