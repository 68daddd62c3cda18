// The decode step in plain loops: RMSNorm, rotary embedding, cached attention and SwiGLU around
// the matrix-vector kernels, with the same arithmetic as the batched libtorch path. Scratch
// buffers are kept per thread, so a step allocates nothing once warm.
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

float dot(const float* a, const float* b, int64_t n) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

struct Scratch {
  std::vector<float> h, qkv, attn, scores, gu, delta;
};

}  // namespace

void step_matrix_vector(const StepShape& shape, const void* w, const float* x, float* out, int64_t rows,
                        int64_t cols) {
  switch (shape.weights) {
    case StepShape::Weights::BF16:
      bf16_matrix_vector(static_cast<const uint16_t*>(w), x, out, rows, cols);
      break;
    case StepShape::Weights::Q8:
      q8_matrix_rows(static_cast<const uint8_t*>(w), x, out, 1, rows, cols);
      break;
    case StepShape::Weights::F32:
      f32_matrix_vector(static_cast<const float*>(w), x, out, rows, cols);
      break;
  }
}

void single_token_step(const StepShape& s, const std::vector<StepLayer>& layers, const float* final_norm,
                       const float* cos, const float* sin, int64_t position, float* x) {
  const int64_t H = s.heads, Hkv = s.kv_heads, D = s.head_dim, G = H / Hkv, I = s.intermediate;
  const int64_t q_size = H * D, kv_size = Hkv * D, keys_held = position + 1;
  const float scale = static_cast<float>(1.0 / std::sqrt(double(D)));
  thread_local Scratch scratch;
  scratch.h.resize(s.hidden);
  scratch.qkv.resize(q_size + 2 * kv_size);
  scratch.attn.resize(q_size);
  scratch.scores.resize(keys_held);
  scratch.gu.resize(2 * I);
  scratch.delta.resize(s.hidden);
  float* h = scratch.h.data();
  float* qkv = scratch.qkv.data();
  float* attn = scratch.attn.data();
  float* scores = scratch.scores.data();
  float* gu = scratch.gu.data();
  float* delta = scratch.delta.data();

  for (const StepLayer& layer : layers) {
    rms_norm(x, layer.input_norm, h, s.hidden, s.rms_norm_eps);
    step_matrix_vector(s, layer.qkv, h, qkv, q_size + 2 * kv_size, s.hidden);
    if (layer.qkv_bias) {
      for (int64_t i = 0; i < q_size + 2 * kv_size; ++i) qkv[i] += layer.qkv_bias[i];
    }
    // With a sliding window only the last `window` positions (this one included) are attended.
    const int64_t first_key = layer.window > 0 ? std::max<int64_t>(0, keys_held - layer.window) : 0;
    const int64_t seen = keys_held - first_key;
    float* q = qkv;
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
      const float* query = q + head * D;
      // Short histories: a plain loop (a head's keys are a few KB; waking threads costs more).
      if (seen * D < 16384) {
        for (int64_t t = 0; t < seen; ++t) scores[t] = dot(keys + t * D, query, D);
      } else {
        f32_matrix_vector(keys, query, scores, seen, D);
      }
      float max_score = -INFINITY;
      for (int64_t t = 0; t < seen; ++t) max_score = std::max(max_score, scores[t] *= scale);
      float total = 0.0f;
      for (int64_t t = 0; t < seen; ++t) total += (scores[t] = std::exp(scores[t] - max_score));
      float* out = attn + head * D;
      std::fill(out, out + D, 0.0f);
      for (int64_t t = 0; t < seen; ++t) {
        const float p = scores[t];
        const float* row = values + t * D;
        for (int64_t d = 0; d < D; ++d) out[d] += p * row[d];
      }
      // One division per element at the end instead of one per key.
      const float inverse_total = 1.0f / total;
      for (int64_t d = 0; d < D; ++d) out[d] *= inverse_total;
    }
    step_matrix_vector(s, layer.o, attn, delta, s.hidden, q_size);
    // Residual add (and bias) fused with the next norm's sum of squares.
    float sum = 0.0f;
    for (int64_t i = 0; i < s.hidden; ++i) {
      x[i] += delta[i] + (layer.o_bias ? layer.o_bias[i] : 0.0f);
      sum += x[i] * x[i];
    }
    const float inverse_rms = 1.0f / std::sqrt(sum / float(s.hidden) + float(s.rms_norm_eps));
    for (int64_t i = 0; i < s.hidden; ++i) h[i] = x[i] * inverse_rms * layer.post_attention_norm[i];
    step_matrix_vector(s, layer.gate_up, h, gu, 2 * I, s.hidden);
    for (int64_t i = 0; i < I; ++i) {
      const float g = gu[i];
      gu[i] = g / (1.0f + std::exp(-g)) * gu[I + i];
    }
    step_matrix_vector(s, layer.down, gu, delta, s.hidden, I);
    for (int64_t i = 0; i < s.hidden; ++i) x[i] += delta[i];
  }
  rms_norm(x, final_norm, h, s.hidden, s.rms_norm_eps);
  std::copy(h, h + s.hidden, x);
}

}  // namespace nineteen::models
