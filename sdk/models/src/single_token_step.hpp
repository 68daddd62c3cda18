// One decode step for one sequence (one new token) in plain loops over the weights: at this size
// libtorch's per-operator overhead (~50 small ops per layer) costs as much as the arithmetic.
#pragma once

#include <cstdint>
#include <vector>

namespace nineteen::models {

struct StepShape {
  int64_t hidden = 0, heads = 0, kv_heads = 0, head_dim = 0, intermediate = 0;
  int64_t cache_capacity = 0;  // positions per head in the cache buffers below
  double rms_norm_eps = 1e-5;
  // What the matrices hold: f32, raw bf16 bits, or Q8 blocks (rows of q8_row_bytes(cols) bytes).
  enum class Weights { F32, BF16, Q8 } weights = Weights::F32;
};

// One layer's weights (row-major, as the decoder holds them: qkv fused, gate/up fused) and this
// sequence's cache, laid out [kv_heads, cache_capacity, head_dim].
struct StepLayer {
  const void* qkv = nullptr;
  const void* o = nullptr;
  const void* gate_up = nullptr;
  const void* down = nullptr;
  const float* input_norm = nullptr;
  const float* post_attention_norm = nullptr;
  const float* qkv_bias = nullptr;  // (heads + 2·kv_heads)·head_dim floats, or nullptr
  const float* o_bias = nullptr;    // hidden floats, or nullptr
  int64_t window = 0;               // sliding attention window (0 = full attention)
  float* keys = nullptr;
  float* values = nullptr;
};

// Runs x (the new token's embedding, `hidden` floats, updated in place) through every layer at
// `position`, storing its keys and values in the caches, then applies the final norm.
// cos/sin are the rotary tables' rows for `position` (head_dim floats each).
void single_token_step(const StepShape& shape, const std::vector<StepLayer>& layers, const float* final_norm,
                       const float* cos, const float* sin, int64_t position, float* x);

// out = w · x for one matrix of `rows` × `cols` in the step's weight format.
void step_matrix_vector(const StepShape& shape, const void* w, const float* x, float* out, int64_t rows,
                        int64_t cols);

}  // namespace nineteen::models
