// The decode step in plain loops: RMSNorm, rotary embedding, cached attention and SwiGLU around
// the matrix-vector kernels, with the same arithmetic as the batched libtorch path.
#include "single_token_step.hpp"

#include <algorithm>
#include <cmath>

#include "matrix_vector.hpp"

namespace nineteen::models {

namespace {

void rms_norm(const float* x, const float* weight, float* out, int64_t n, double eps) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += x[i] * x[i];
  const float inverse_rms = 1.0f / std::sqrt(sum / float(n) + float(eps));
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * inverse_rms * weight[i];
}

// Hugging Face's rotate_half convention, for every head of `heads` in v.
void rotate(float* v, int64_t heads, int64_t head_dim, const float* cos, const float* sin) {
  const int64_t half = head_dim / 2;
  for (int64_t h = 0; h < heads; ++h) {
    float* p = v + h * head_dim;
    for (int64_t i = 0; i < half; ++i) {
      const float x1 = p[i], x2 = p[i + half];
      p[i] = x1 * cos[i] - x2 * sin[i];
      p[i + half] = x2 * cos[i + half] + x1 * sin[i + half];
    }
  }
}

}  // namespace

void step_matrix_vector(const StepShape& shape, const void* w, const float* x, float* out, int64_t rows,
                        int64_t cols) {
  if (shape.bf16_weights) {
    bf16_matrix_vector(static_cast<const uint16_t*>(w), x, out, rows, cols);
  } else {
    f32_matrix_vector(static_cast<const float*>(w), x, out, rows, cols);
  }
}

void single_token_step(const StepShape& s, const std::vector<StepLayer>& layers, const float* final_norm,
                       const float* cos, const float* sin, int64_t position, float* x) {
  const int64_t H = s.heads, Hkv = s.kv_heads, D = s.head_dim, G = H / Hkv, I = s.intermediate;
  const int64_t q_size = H * D, kv_size = Hkv * D, keys_held = position + 1;
  const float scale = static_cast<float>(1.0 / std::sqrt(double(D)));
  std::vector<float> h(s.hidden), qkv(q_size + 2 * kv_size), attn(q_size), scores(keys_held), gu(2 * I),
      delta(s.hidden);

  for (const StepLayer& layer : layers) {
    rms_norm(x, layer.input_norm, h.data(), s.hidden, s.rms_norm_eps);
    step_matrix_vector(s, layer.qkv, h.data(), qkv.data(), q_size + 2 * kv_size, s.hidden);
    if (layer.qkv_bias) {
      for (int64_t i = 0; i < q_size + 2 * kv_size; ++i) qkv[i] += layer.qkv_bias[i];
    }
    // With a sliding window only the last `window` positions (this one included) are attended.
    const int64_t first_key = layer.window > 0 ? std::max<int64_t>(0, keys_held - layer.window) : 0;
    const int64_t seen = keys_held - first_key;
    float* q = qkv.data();
    float* k = q + q_size;
    float* v = k + kv_size;
    rotate(q, H, D, cos, sin);
    rotate(k, Hkv, D, cos, sin);
    for (int64_t kvh = 0; kvh < Hkv; ++kvh) {
      std::copy(k + kvh * D, k + (kvh + 1) * D, layer.keys + (kvh * s.cache_capacity + position) * D);
      std::copy(v + kvh * D, v + (kvh + 1) * D, layer.values + (kvh * s.cache_capacity + position) * D);
    }
    for (int64_t head = 0; head < H; ++head) {
      const int64_t kvh = head / G;
      const float* keys = layer.keys + (kvh * s.cache_capacity + first_key) * D;
      const float* values = layer.values + (kvh * s.cache_capacity + first_key) * D;
      // The attended keys are rows of a [seen, D] matrix: one matrix-vector product.
      f32_matrix_vector(keys, q + head * D, scores.data(), seen, D);
      float max_score = -INFINITY;
      for (int64_t t = 0; t < seen; ++t) max_score = std::max(max_score, scores[t] *= scale);
      float total = 0.0f;
      for (int64_t t = 0; t < seen; ++t) total += (scores[t] = std::exp(scores[t] - max_score));
      float* out = attn.data() + head * D;
      std::fill(out, out + D, 0.0f);
      for (int64_t t = 0; t < seen; ++t) {
        const float p = scores[t] / total;
        const float* row = values + t * D;
        for (int64_t d = 0; d < D; ++d) out[d] += p * row[d];
      }
    }
    step_matrix_vector(s, layer.o, attn.data(), delta.data(), s.hidden, q_size);
    if (layer.o_bias) {
      for (int64_t i = 0; i < s.hidden; ++i) delta[i] += layer.o_bias[i];
    }
    for (int64_t i = 0; i < s.hidden; ++i) x[i] += delta[i];

    rms_norm(x, layer.post_attention_norm, h.data(), s.hidden, s.rms_norm_eps);
    step_matrix_vector(s, layer.gate_up, h.data(), gu.data(), 2 * I, s.hidden);
    for (int64_t i = 0; i < I; ++i) {
      const float g = gu[i];
      gu[i] = g / (1.0f + std::exp(-g)) * gu[I + i];
    }
    step_matrix_vector(s, layer.down, gu.data(), delta.data(), s.hidden, I);
    for (int64_t i = 0; i < s.hidden; ++i) x[i] += delta[i];
  }
  rms_norm(x, final_norm, h.data(), s.hidden, s.rms_norm_eps);
  std::copy(h.begin(), h.end(), x);
}

}  // namespace nineteen::models
