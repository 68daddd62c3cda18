// The Llama decoder in libtorch: weight loading, rotary attention with a KV cache, and scoring.
#include "nineteen/models/llama_model.hpp"

#include <cpuid.h>
#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>

#include "matrix_few_rows.hpp"
#include "matrix_vector.hpp"
#include "single_token_step.hpp"
#include "torch_weights.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::models {

using sdk::Error;
using torch::Tensor;

namespace {

using detail::read_weight;

struct DecoderLayer {
  Tensor qkv;       // [(H + 2·Hkv)·D, hidden]: q, k and v projections fused into one product
  Tensor o;         // [hidden, H·D]
  Tensor gate_up;   // [2·intermediate, hidden]: gate and up fused
  Tensor down;      // [hidden, intermediate]
  Tensor input_norm, post_attention_norm;  // [hidden], f32
  Tensor qkv_bias;  // [(H + 2·Hkv)·D] f32, or undefined (no biases)
  Tensor o_bias;    // [hidden] f32, or undefined
  int64_t window = 0;  // sliding attention window (0 = full attention)
};

// Per layer [batch, kv_heads, capacity, head_dim] keys and values, preallocated so that a decode
// step writes in place instead of concatenating.
struct CacheTensors {
  std::vector<Tensor> keys, values;
  std::vector<int64_t> lengths;
  int64_t capacity = 0;
  const void* owner = nullptr;
};

// In-place steps on fresh temporaries: prefill tensors are megabytes, and each extra pass costs.
Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps) {
  // One fused reduction (the 2-norm) instead of squaring into a temporary and averaging it.
  const double inverse_width = 1.0 / double(x.size(-1));
  Tensor inverse_rms = x.norm(2, {-1}, true).square_().mul_(inverse_width).add_(eps).rsqrt_();
  return (x * inverse_rms).mul_(weight);
}

// Hugging Face's rotate_half convention: the two halves of each head are the (x, y) pairs.
Tensor apply_rope(const Tensor& x, const Tensor& cos, const Tensor& sin) {
  int64_t half = x.size(-1) / 2;
  Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  return torch::cat({x2.neg(), x1}, -1).mul_(sin).addcmul_(x, cos);
}

// Inverse frequencies per rotary pair, with rope scaling (llama3, linear, longrope, yarn) applied as HF does.
std::vector<double> rope_inverse_frequencies(const LlamaConfig& c) {
  std::vector<double> inv(c.head_dim / 2);
  for (size_t i = 0; i < inv.size(); ++i) {
    inv[i] = 1.0 / std::pow(c.rope_theta, double(2 * i) / double(c.head_dim));
  }
  if (!c.rope_scaling) return inv;
  const RopeScaling& s = *c.rope_scaling;
  if (s.rope_type == "linear") {
    for (double& f : inv) f /= s.factor;
    return inv;
  }
  if (s.rope_type == "longrope") {  // served within the original context: short_factor
    for (size_t i = 0; i < inv.size(); ++i) inv[i] /= s.short_factor[i];
    return inv;
  }
  if (s.rope_type == "yarn") {
    // Pairs turning more than beta_fast times over the original context keep their frequency
    // (extrapolation), those turning fewer than beta_slow times are divided by factor
    // (interpolation), with a linear ramp between (transformers' _compute_yarn_parameters, vLLM's
    // YaRNScalingRotaryEmbedding).
    const double dim = double(c.head_dim), base = c.rope_theta, context = double(s.original_max_position_embeddings);
    auto correction_dim = [&](double rotations) {
      return dim * std::log(context / (rotations * 2.0 * M_PI)) / (2.0 * std::log(base));
    };
    const double low = std::max(std::floor(correction_dim(s.beta_fast)), 0.0);
    double high = std::min(std::ceil(correction_dim(s.beta_slow)), dim - 1.0);
    if (low == high) high += 0.001;
    for (size_t i = 0; i < inv.size(); ++i) {
      const double ramp = std::clamp((double(i) - low) / (high - low), 0.0, 1.0);
      const double extrapolated = 1.0 - ramp;
      inv[i] = inv[i] / s.factor * (1.0 - extrapolated) + inv[i] * extrapolated;
    }
    return inv;
  }
  double old_len = double(s.original_max_position_embeddings);
  double low_wavelen = old_len / s.low_freq_factor, high_wavelen = old_len / s.high_freq_factor;
  for (double& f : inv) {
    double wavelen = 2.0 * M_PI / f;
    if (wavelen < high_wavelen) continue;           // high frequency: unchanged
    if (wavelen > low_wavelen) { f /= s.factor; continue; }  // low frequency: scaled
    double smooth = (old_len / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
    f = (1.0 - smooth) * f / s.factor + smooth * f;
  }
  return inv;
}

}  // namespace

struct LlamaModel::Weights {
  LlamaConfig config;
  WeightStorage storage = WeightStorage::F32;
  // Batched products on BF16 weights in bf16 (hardware bf16) or in f32 on widened weights.
  bool bf16_products = true;
  bool checking_forced = false;
  torch::Device device{torch::kCPU};
  torch::TensorOptions f32() const { return torch::TensorOptions().dtype(torch::kFloat).device(device); }
  Tensor embed;    // [vocab, hidden]
  Tensor lm_head;  // [vocab, hidden], the same storage as embed when tied
  Tensor final_norm;
  std::vector<DecoderLayer> layers;
  Tensor rope_cos, rope_sin;  // [max_position_embeddings, head_dim], f32

  // Q8 weights: up to this many activation rows run the int8 kernel (each weight row read once
  // for all of them); more (checking) dequantise the matrix to f32 once for the product.
  static constexpr int64_t kQ8KernelRows = 64;

  // x [..., in] times weight [out, in]ᵀ. A single row (a decode step) goes through our
  // matrix-vector kernels, which stream the weights about 2.5× faster than a one-row gemm does
  // and run on libtorch's thread pool rather than OpenBLAS's. Q8 weights are uint8 tensors of
  // [out, q8_row_bytes(in)].
  Tensor matmul(const Tensor& x, const Tensor& weight) const {
    const bool bf16 = weight.scalar_type() == torch::kBFloat16;
    if (!device.is_cpu()) {
      return bf16 ? torch::linear(x.to(torch::kBFloat16), weight).to(torch::kFloat) : torch::linear(x, weight);
    }
    const int64_t in = x.size(-1), out = weight.size(0), rows = x.numel() / in;
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = out;
    if (weight.scalar_type() == torch::kByte) {
      if (rows <= kQ8KernelRows) {
        Tensor v = x.reshape({rows, in}).contiguous();
        Tensor y = torch::empty({rows, out});
        q8_matrix_rows(weight.data_ptr<uint8_t>(), v.data_ptr<float>(), y.data_ptr<float>(), rows, out, in);
        return y.view(shape);
      }
      Tensor widened = torch::empty({out, in});
      dequantize_q8_rows(weight.data_ptr<uint8_t>(), widened.data_ptr<float>(), out, in);
      return f32_product(x, widened);
    }
    if (rows == 1) {
      Tensor v = x.reshape({-1}).contiguous();
      Tensor y = torch::empty({out});
      if (bf16) {
        bf16_matrix_vector(reinterpret_cast<const uint16_t*>(weight.data_ptr<at::BFloat16>()), v.data_ptr<float>(),
                           y.data_ptr<float>(), out, in);
      } else {
        f32_matrix_vector(weight.data_ptr<float>(), v.data_ptr<float>(), y.data_ptr<float>(), out, in);
      }
      return y.view(shape);
    }
    // 2 to 16 rows (a continuous batch's decode step): one read of the weights for all rows.
    if (!bf16 && rows <= 16 && weight.is_contiguous()) {
      Tensor x2 = x.reshape({rows, in}).contiguous();
      Tensor y = torch::empty({rows, out});
      f32_few_rows_times_matrix(x2.data_ptr<float>(), weight.data_ptr<float>(), y.data_ptr<float>(), rows, in, out);
      return y.view(shape);
    }
    if (bf16) {
      if (bf16_products) return torch::linear(x.to(torch::kBFloat16), weight).to(torch::kFloat);
      return f32_product(x, weight.to(torch::kFloat));
    }
    return f32_product(x, weight);
  }

  // Many rows times f32 weights: blocks of rows on libtorch's threads, each a single-threaded
  // OpenBLAS gemm, so one thread pool does all the work (see set_compute_threads).
  static Tensor f32_product(const Tensor& x, const Tensor& weight) {
    const int64_t in = x.size(-1), out = weight.size(0), rows = x.numel() / in;
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = out;
    Tensor x2 = x.reshape({rows, in});
    Tensor y = torch::empty({rows, out});
    Tensor wt = weight.t();
    // A product under ~4M multiply-adds per thread finishes before waking another thread pays.
    const int64_t threads = std::min<int64_t>(at::get_num_threads(), std::max<int64_t>(1, rows * in * out >> 22));
    const int64_t block = std::max<int64_t>(16, (rows + threads - 1) / threads);
    at::parallel_for(0, rows, block, [&](int64_t begin, int64_t end) {
      Tensor y_rows = y.narrow(0, begin, end - begin);
      torch::mm_out(y_rows, x2.narrow(0, begin, end - begin), wt);
    });
    return y.view(shape);
  }

  // Runs ids [B, n] through the decoder. Sequence b's new tokens sit at positions start[b] + i and
  // only its first valid[b] are real (the rest is padding, masked). With a cache the new keys and
  // values are stored and attention covers everything held; without one, start must be all zero.
  // Returns the final-normed hidden states [B, n, hidden].
  Tensor run(const Tensor& ids, const std::vector<int64_t>& start, const std::vector<int64_t>& valid,
             CacheTensors* cache) const {
    const LlamaConfig& c = config;
    const int64_t B = ids.size(0), n = ids.size(1), D = c.head_dim;
    const int64_t H = c.num_attention_heads, Hkv = c.num_key_value_heads, G = H / Hkv;
    const int64_t max_start = *std::max_element(start.begin(), start.end());
    const int64_t T = max_start + n;
    const bool same_start = std::all_of(start.begin(), start.end(), [&](int64_t s) { return s == start[0]; });

    // index_select makes a fresh tensor, so the residual stream can be updated in place.
    Tensor x = embed.index_select(0, ids.reshape({-1}).to(device)).to(torch::kFloat).view({B, n, c.hidden_size});

    std::vector<int64_t> pos(B * n);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < n; ++i) pos[b * n + i] = start[b] + i;
    Tensor pos_t = torch::from_blob(pos.data(), {B * n}, torch::kLong).to(device);
    Tensor cos = rope_cos.index_select(0, pos_t).view({B, n, 1, D});
    Tensor sin = rope_sin.index_select(0, pos_t).view({B, n, 1, D});

    // Query i of sequence b may see keys up to start[b] + min(i, valid[b] - 1): causal, and never
    // another sequence's padding or stale cache entries. A single new token at a shared start
    // sees exactly the held keys, so decode steps skip the mask.
    // A layer with a sliding window also hides keys at or before limit - window (Hugging Face's
    // sliding-window mask: key j is seen by query i when i - window < j <= i).
    bool all_valid = std::all_of(valid.begin(), valid.end(), [&](int64_t v) { return v == n; });
    std::vector<int64_t> limit(B * n);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < n; ++i) limit[b * n + i] = start[b] + std::min(i, valid[b] - 1);
    Tensor limit_t = torch::from_blob(limit.data(), {B, 1, 1, n, 1}, torch::kLong).to(device);
    Tensor key_pos = torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(device)).view({1, 1, 1, 1, T});
    auto make_mask = [&](int64_t window) {
      Tensor hidden_keys = key_pos > limit_t;
      if (window > 0) hidden_keys = hidden_keys.logical_or(key_pos <= limit_t - window);
      return torch::zeros({B, 1, 1, n, T}, f32()).masked_fill(hidden_keys, -std::numeric_limits<float>::infinity());
    };
    Tensor mask;
    if (n > 1 || !same_start || !all_valid) mask = make_mask(0);
    std::map<int64_t, Tensor> window_masks;
    for (const DecoderLayer& layer : layers) {
      if (layer.window > 0 && layer.window < T && !window_masks.count(layer.window)) {
        window_masks[layer.window] = make_mask(layer.window);
      }
    }
    const double scale = 1.0 / std::sqrt(double(D));

    for (size_t l = 0; l < layers.size(); ++l) {
      const DecoderLayer& layer = layers[l];
      Tensor h = rms_norm(x, layer.input_norm, c.rms_norm_eps);
      Tensor qkv = matmul(h, layer.qkv);
      if (layer.qkv_bias.defined()) qkv.add_(layer.qkv_bias);
      Tensor q = qkv.narrow(-1, 0, H * D).view({B, n, H, D});
      Tensor k = qkv.narrow(-1, H * D, Hkv * D).view({B, n, Hkv, D});
      Tensor v = qkv.narrow(-1, (H + Hkv) * D, Hkv * D).view({B, n, Hkv, D});
      q = apply_rope(q, cos, sin);
      k = apply_rope(k, cos, sin).transpose(1, 2);  // [B, Hkv, n, D]
      v = v.transpose(1, 2);

      Tensor keys, vals;
      if (cache) {
        Tensor& ck = cache->keys[l];
        Tensor& cv = cache->values[l];
        if (same_start) {
          ck.narrow(2, start[0], n).copy_(k);
          cv.narrow(2, start[0], n).copy_(v);
        } else {
          for (int64_t b = 0; b < B; ++b) {
            ck[b].narrow(1, start[b], n).copy_(k[b]);
            cv[b].narrow(1, start[b], n).copy_(v[b]);
          }
        }
        keys = ck.narrow(2, 0, T);
        vals = cv.narrow(2, 0, T);
      } else {
        keys = k;
        vals = v;
      }

      // Grouped-query attention without repeating keys: the G query heads sharing a key head are
      // folded into the row dimension of one product per key head.
      Tensor qg = q.view({B, n, Hkv, G, D}).permute({0, 2, 3, 1, 4}).reshape({B, Hkv, G * n, D});
      Tensor scores = torch::matmul(qg, keys.transpose(-1, -2)).mul_(scale);
      auto windowed = layer.window > 0 ? window_masks.find(layer.window) : window_masks.end();
      const Tensor& layer_mask = windowed != window_masks.end() ? windowed->second : mask;
      if (layer_mask.defined()) scores.view({B, Hkv, G, n, T}).add_(layer_mask);
      Tensor probs = torch::softmax(scores, -1);
      Tensor attn = torch::matmul(probs, vals)
                        .view({B, Hkv, G, n, D})
                        .permute({0, 3, 1, 2, 4})
                        .reshape({B, n, H * D});
      x.add_(matmul(attn, layer.o));
      if (layer.o_bias.defined()) x.add_(layer.o_bias);

      h = rms_norm(x, layer.post_attention_norm, c.rms_norm_eps);
      Tensor gu = matmul(h, layer.gate_up);
      int64_t I = c.intermediate_size;
      x.add_(matmul(torch::silu(gu.narrow(-1, 0, I)).mul_(gu.narrow(-1, I, I)), layer.down));
    }
    return rms_norm(x, final_norm, c.rms_norm_eps);
  }

  Tensor logits(const Tensor& hidden_rows) const { return matmul(hidden_rows, lm_head); }

  // The common decode step (one sequence, one new token) without libtorch operators.
  Logits decode_one(int32_t token, CacheTensors& cache) const {
    const LlamaConfig& c = config;
    StepShape shape;
    shape.hidden = c.hidden_size;
    shape.heads = c.num_attention_heads;
    shape.kv_heads = c.num_key_value_heads;
    shape.head_dim = c.head_dim;
    shape.intermediate = c.intermediate_size;
    shape.cache_capacity = cache.capacity;
    shape.rms_norm_eps = c.rms_norm_eps;
    shape.weights = storage == WeightStorage::BF16 ? StepShape::Weights::BF16
                    : storage == WeightStorage::Q8 ? StepShape::Weights::Q8
                                                   : StepShape::Weights::F32;
    thread_local std::vector<StepLayer> step_layers;
    step_layers.resize(layers.size());
    for (size_t l = 0; l < layers.size(); ++l) {
      StepLayer& s = step_layers[l];
      s.qkv = layers[l].qkv.data_ptr();
      s.o = layers[l].o.data_ptr();
      s.gate_up = layers[l].gate_up.data_ptr();
      s.down = layers[l].down.data_ptr();
      s.input_norm = layers[l].input_norm.data_ptr<float>();
      s.post_attention_norm = layers[l].post_attention_norm.data_ptr<float>();
      s.qkv_bias = layers[l].qkv_bias.defined() ? layers[l].qkv_bias.data_ptr<float>() : nullptr;
      s.o_bias = layers[l].o_bias.defined() ? layers[l].o_bias.data_ptr<float>() : nullptr;
      s.window = layers[l].window;
      s.keys = cache.keys[l].data_ptr<float>();
      s.values = cache.values[l].data_ptr<float>();
    }
    thread_local std::vector<float> x;
    x.resize(c.hidden_size);
    if (embed.scalar_type() == torch::kBFloat16) {
      const uint16_t* row = reinterpret_cast<const uint16_t*>(embed.data_ptr<at::BFloat16>()) + token * c.hidden_size;
      for (int64_t i = 0; i < c.hidden_size; ++i) {
        const uint32_t bits = uint32_t(row[i]) << 16;
        std::memcpy(&x[i], &bits, 4);
      }
    } else {
      const float* row = embed.data_ptr<float>() + token * c.hidden_size;
      std::copy(row, row + c.hidden_size, x.begin());
    }
    const int64_t position = cache.lengths[0];
    single_token_step(shape, step_layers, final_norm.data_ptr<float>(),
                      rope_cos.data_ptr<float>() + position * c.head_dim,
                      rope_sin.data_ptr<float>() + position * c.head_dim, position, x.data());
    cache.lengths[0] += 1;
    Logits out;
    out.vocab = c.vocab_size;
    out.values.resize(c.vocab_size);
    out.row_begin = {0, 1};
    step_matrix_vector(shape, lm_head.data_ptr(), x.data(), out.values.data(), c.vocab_size, c.hidden_size);
    return out;
  }
};

struct KvCache::State {
  CacheTensors t;
};

KvCache::KvCache(std::unique_ptr<State> state) : state_(std::move(state)) {}
KvCache::KvCache(KvCache&&) noexcept = default;
KvCache& KvCache::operator=(KvCache&&) noexcept = default;
KvCache::~KvCache() = default;

int64_t KvCache::batch() const { return static_cast<int64_t>(state_->t.lengths.size()); }
int64_t KvCache::capacity() const { return state_->t.capacity; }

int64_t KvCache::length(int64_t b) const {
  if (b < 0 || b >= batch()) throw Error(NT_INVALID_ARGUMENT, "KvCache: no sequence " + std::to_string(b));
  return state_->t.lengths[b];
}

void KvCache::reset(int64_t b) {
  if (b < 0) {
    std::fill(state_->t.lengths.begin(), state_->t.lengths.end(), 0);
  } else {
    truncate(b, 0);
  }
}

void KvCache::truncate(int64_t b, int64_t length) {
  if (length < 0 || length > this->length(b)) {
    throw Error(NT_INVALID_ARGUMENT, "KvCache: cannot truncate sequence " + std::to_string(b) + " of length " +
                                         std::to_string(this->length(b)) + " to " + std::to_string(length));
  }
  state_->t.lengths[b] = length;
}

void KvCache::copy_sequence(int64_t from, int64_t to) {
  const int64_t length = this->length(from);
  this->length(to);  // checks `to`
  if (from == to) return;
  c10::InferenceMode guard;
  CacheTensors& t = state_->t;
  for (size_t l = 0; l < t.keys.size(); ++l) {
    t.keys[l][to].narrow(1, 0, length).copy_(t.keys[l][from].narrow(1, 0, length));
    t.values[l][to].narrow(1, 0, length).copy_(t.values[l][from].narrow(1, 0, length));
  }
  t.lengths[to] = length;
}

LlamaModel::LlamaModel(std::unique_ptr<Weights> weights) : w_(std::move(weights)) {}
LlamaModel::LlamaModel(LlamaModel&&) noexcept = default;
LlamaModel& LlamaModel::operator=(LlamaModel&&) noexcept = default;
LlamaModel::~LlamaModel() = default;

// Only AMX makes libtorch's bf16 products beat f32 ones here. With avx512_bf16 alone (no AMX), on
// the yardstick model's checking at 1 thread, bf16 gemm ran at 1456 tok/s and f32 gemm on widened
// bf16 weights at 1683 (OpenBLAS SkylakeX kernels, see blas_core.hpp); without avx512_bf16 bf16
// products crawl (31 tok/s against 1117 on an AVX2-only EPYC).
bool cpu_has_fast_bf16() {
  static const bool fast = [] {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f")) return false;  // also says the OS saves AVX-512 state
    unsigned a = 0, b = 0, c = 0, d = 0;
    bool amx_bf16 = false;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) amx_bf16 = (d >> 22) & 1u;
    return amx_bf16;
  }();
  return fast;
}

std::string LlamaModel::compute_path() const {
  const Weights& w = *w_;
  if (!w.device.is_cpu()) return "libtorch on " + w.device.str();
  std::string decode = std::string("decode ") +
                       (w.storage == WeightStorage::Q8 ? std::string("q8 kernels (") + q8_isa_name() + ")"
                                                       : std::string(w.storage == WeightStorage::BF16 ? "bf16" : "f32") +
                                                             " kernels (" + matrix_vector_isa_name() + ")");
  std::string batches;
  switch (w.storage) {
    case WeightStorage::F32: batches = "batches f32 gemm"; break;
    case WeightStorage::Q8: batches = "batches f32 gemm on dequantised q8 (over 64 rows)"; break;
    case WeightStorage::BF16:
      batches = w.bf16_products ? "batches bf16 gemm" : "batches f32 gemm on widened bf16";
      batches += w.checking_forced ? " (forced)"
                 : cpu_has_fast_bf16() ? " (CPU has AMX)"
                                       : " (CPU lacks AMX: f32 products are faster)";
      break;
  }
  return decode + "; " + batches;
}

const LlamaConfig& LlamaModel::config() const { return w_->config; }
WeightStorage LlamaModel::storage() const { return w_->storage; }
std::string LlamaModel::device() const { return w_->device.str(); }

#ifndef NINETEEN_TORCH_DEVICE_DEFAULT
#define NINETEEN_TORCH_DEVICE_DEFAULT "cpu"
#endif
const char* default_torch_device() { return NINETEEN_TORCH_DEVICE_DEFAULT; }

namespace {

// "cpu", "cuda", "cuda:N" → a device this libtorch can use, or sdk::Error saying what to do.
torch::Device resolve_device(const std::string& requested) {
  const std::string name = requested.empty() ? std::string(default_torch_device()) : requested;
  if (name != "cpu" && name.rfind("cuda", 0) != 0) {
    throw Error(NT_INVALID_ARGUMENT, "device \"" + name + "\": expected \"cpu\", \"cuda\" or \"cuda:N\"");
  }
  std::optional<torch::Device> device;
  try {
    device.emplace(name);
  } catch (const std::exception&) {
    throw Error(NT_INVALID_ARGUMENT, "device \"" + name + "\": expected \"cpu\", \"cuda\" or \"cuda:N\"");
  }
  if (device->is_cuda()) {
    if (!torch::cuda::is_available()) {
      throw Error(NT_UNAVAILABLE, "device \"" + name + "\": this libtorch " + std::string(TORCH_VERSION) +
                                      " has no CUDA or sees no GPU (torch::cuda::is_available() is false); build "
                                      "with a CUDA libtorch on CMAKE_PREFIX_PATH (tools/gpu-check.sh) on a machine "
                                      "with a GPU, or use device \"cpu\"");
    }
    const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
    const int64_t index = device->has_index() ? device->index() : 0;
    if (index >= count) {
      throw Error(NT_INVALID_ARGUMENT, "device \"" + name + "\": only " + std::to_string(count) + " GPU(s) visible");
    }
    device.emplace(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  return *device;
}

// An f32 [rows, cols] matrix → Q8 blocks, a uint8 [rows, q8_row_bytes(cols)] tensor.
Tensor quantize_q8(const Tensor& weight) {
  Tensor w = weight.to(torch::kFloat).contiguous();
  const int64_t rows = w.size(0), cols = w.size(1);
  Tensor q = torch::empty({rows, q8_row_bytes(cols)}, torch::kByte);
  quantize_q8_rows(w.data_ptr<float>(), q.data_ptr<uint8_t>(), rows, cols);
  return q;
}

}  // namespace

LlamaModel LlamaModel::load(const std::string& dir, const LoadOptions& options) {
  LlamaConfig config = LlamaConfig::from_model_dir(dir);
  SafetensorsSet weights = SafetensorsSet::open_dir(dir);
  return from_weights(config, weights, options);
}

LlamaModel LlamaModel::from_weights(const LlamaConfig& c, const SafetensorsSet& set, const LoadOptions& options) {
  detail::set_compute_threads(options.threads);
  const torch::Device device = resolve_device(options.device);
  c10::InferenceMode guard;
  auto w = std::make_unique<Weights>();
  w->config = c;
  w->storage = options.storage;
  w->device = device;
  w->checking_forced = options.checking != CheckingProducts::Auto;
  w->bf16_products = options.checking == CheckingProducts::Auto ? cpu_has_fast_bf16()
                                                                : options.checking == CheckingProducts::Bf16;
  const bool q8 = options.storage == WeightStorage::Q8;
  if (q8 && !device.is_cpu()) {
    throw Error(NT_INVALID_ARGUMENT, "weight storage q8 runs on the CPU only (device \"" + device.str() +
                                         "\"): use bf16 or f32 weights on a GPU");
  }
  // Q8 matrices are read in f32 and quantised once the fused products are assembled.
  const auto matrix_type = options.storage == WeightStorage::BF16 ? torch::kBFloat16 : torch::kFloat;
  const int64_t hidden = c.hidden_size, D = c.head_dim;
  const int64_t q_rows = c.num_attention_heads * D, kv_rows = c.num_key_value_heads * D;

  w->embed = read_weight(set, "model.embed_tokens.weight", {c.vocab_size, hidden}, matrix_type);
  // Some checkpoints that tie embeddings still ship lm_head.weight; an untied one must.
  if (!c.tie_word_embeddings || set.find("lm_head.weight")) {
    w->lm_head = read_weight(set, "lm_head.weight", {c.vocab_size, hidden}, matrix_type);
  } else {
    w->lm_head = w->embed;
  }
  if (q8) {
    w->lm_head = quantize_q8(w->lm_head);
    w->embed = w->embed.to(torch::kBFloat16);
  }
  w->final_norm = read_weight(set, "model.norm.weight", {hidden}, torch::kFloat);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    std::string p = "model.layers." + std::to_string(l) + ".";
    DecoderLayer layer;
    if (c.fused_projections) {
      // Phi-3: the checkpoint already stacks q, k, v and gate, up in the order the decoder uses.
      layer.qkv = read_weight(set, p + "self_attn.qkv_proj.weight", {q_rows + 2 * kv_rows, hidden}, matrix_type);
      layer.gate_up = read_weight(set, p + "mlp.gate_up_proj.weight", {2 * c.intermediate_size, hidden}, matrix_type);
    } else {
      layer.qkv = torch::cat({read_weight(set, p + "self_attn.q_proj.weight", {q_rows, hidden}, matrix_type),
                              read_weight(set, p + "self_attn.k_proj.weight", {kv_rows, hidden}, matrix_type),
                              read_weight(set, p + "self_attn.v_proj.weight", {kv_rows, hidden}, matrix_type)});
      layer.gate_up =
          torch::cat({read_weight(set, p + "mlp.gate_proj.weight", {c.intermediate_size, hidden}, matrix_type),
                      read_weight(set, p + "mlp.up_proj.weight", {c.intermediate_size, hidden}, matrix_type)});
    }
    if (c.qkv_bias) {
      layer.qkv_bias = torch::cat({read_weight(set, p + "self_attn.q_proj.bias", {q_rows}, torch::kFloat),
                                   read_weight(set, p + "self_attn.k_proj.bias", {kv_rows}, torch::kFloat),
                                   read_weight(set, p + "self_attn.v_proj.bias", {kv_rows}, torch::kFloat)});
    }
    if (c.o_bias) layer.o_bias = read_weight(set, p + "self_attn.o_proj.bias", {hidden}, torch::kFloat);
    layer.window = c.layer_window(l);
    layer.o = read_weight(set, p + "self_attn.o_proj.weight", {hidden, q_rows}, matrix_type);
    layer.down = read_weight(set, p + "mlp.down_proj.weight", {hidden, c.intermediate_size}, matrix_type);
    if (q8) {
      for (Tensor* t : {&layer.qkv, &layer.o, &layer.gate_up, &layer.down}) *t = quantize_q8(*t);
    }
    layer.input_norm = read_weight(set, p + "input_layernorm.weight", {hidden}, torch::kFloat);
    layer.post_attention_norm = read_weight(set, p + "post_attention_layernorm.weight", {hidden}, torch::kFloat);
    w->layers.push_back(std::move(layer));
  }

  // Angles as Hugging Face and vLLM form them: f32 frequencies times f32 positions, rounded to
  // f32 (at position 8000 that rounding moves an angle by ~1e-3, so exact angles would disagree
  // with the engines miners run); the cosine and sine of each such angle are then exact.
  std::vector<double> inv = rope_inverse_frequencies(c);
  // longrope and yarn scale the rotated queries and keys (so the attention logits) by this.
  const float attention_factor = c.rope_scaling ? static_cast<float>(c.rope_scaling->attention_factor) : 1.0f;
  const int64_t P = c.max_position_embeddings, half = D / 2;
  w->rope_cos = torch::empty({P, D});
  w->rope_sin = torch::empty({P, D});
  float* cp = w->rope_cos.data_ptr<float>();
  float* sp = w->rope_sin.data_ptr<float>();
  for (int64_t p = 0; p < P; ++p) {
    for (int64_t i = 0; i < half; ++i) {
      const float angle = static_cast<float>(p) * static_cast<float>(inv[i]);
      float cv = static_cast<float>(std::cos(angle)) * attention_factor,
            sv = static_cast<float>(std::sin(angle)) * attention_factor;
      cp[p * D + i] = cp[p * D + half + i] = cv;
      sp[p * D + i] = sp[p * D + half + i] = sv;
    }
  }
  if (!device.is_cpu()) {
    // Read on the host, then moved once: every weight and table lives on the device.
    const bool tied = w->lm_head.is_same(w->embed);
    w->embed = w->embed.to(device);
    w->lm_head = tied ? w->embed : w->lm_head.to(device);
    w->final_norm = w->final_norm.to(device);
    for (DecoderLayer& layer : w->layers) {
      for (Tensor* t : {&layer.qkv, &layer.o, &layer.gate_up, &layer.down, &layer.input_norm, &layer.post_attention_norm}) {
        *t = t->to(device);
      }
    }
    w->rope_cos = w->rope_cos.to(device);
    w->rope_sin = w->rope_sin.to(device);
  }
  return LlamaModel(std::move(w));
}

KvCache LlamaModel::new_cache(int64_t batch, int64_t capacity) const {
  const LlamaConfig& c = w_->config;
  if (batch < 1 || capacity < 1 || capacity > c.max_position_embeddings) {
    throw Error(NT_INVALID_ARGUMENT, "KvCache: batch " + std::to_string(batch) + " and capacity " +
                                         std::to_string(capacity) + " must be >= 1, capacity at most " +
                                         std::to_string(c.max_position_embeddings) +
                                         " (max_position_embeddings)");
  }
  c10::InferenceMode guard;
  auto state = std::make_unique<KvCache::State>();
  CacheTensors& t = state->t;
  t.capacity = capacity;
  t.lengths.assign(batch, 0);
  t.owner = w_.get();
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    t.keys.push_back(torch::zeros({batch, c.num_key_value_heads, capacity, c.head_dim}, w_->f32()));
    t.values.push_back(torch::zeros({batch, c.num_key_value_heads, capacity, c.head_dim}, w_->f32()));
  }
  return KvCache(std::move(state));
}

namespace {

// Checks token ids and packs ragged sequences into a zero-padded [B, n] tensor.
Tensor pack_tokens(const std::vector<std::vector<int32_t>>& tokens, int64_t vocab, std::vector<int64_t>& valid) {
  int64_t n = 0;
  for (size_t b = 0; b < tokens.size(); ++b) {
    if (tokens[b].empty()) {
      throw Error(NT_INVALID_ARGUMENT, "forward: sequence " + std::to_string(b) + " has no new tokens");
    }
    n = std::max<int64_t>(n, static_cast<int64_t>(tokens[b].size()));
  }
  Tensor ids = torch::zeros({static_cast<int64_t>(tokens.size()), n}, torch::kLong);
  auto acc = ids.accessor<int64_t, 2>();
  valid.clear();
  for (size_t b = 0; b < tokens.size(); ++b) {
    for (size_t i = 0; i < tokens[b].size(); ++i) {
      int32_t t = tokens[b][i];
      if (t < 0 || t >= vocab) {
        throw Error(NT_INVALID_ARGUMENT, "token id " + std::to_string(t) + " at position " + std::to_string(i) +
                                             " of sequence " + std::to_string(b) +
                                             " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
      }
      acc[b][i] = t;
    }
    valid.push_back(static_cast<int64_t>(tokens[b].size()));
  }
  return ids;
}

Logits to_logits(const Tensor& logits, std::vector<int64_t> row_begin) {
  Tensor l = logits.to(torch::kCPU).to(torch::kFloat).contiguous();
  Logits out;
  out.vocab = l.size(-1);
  out.values.assign(l.data_ptr<float>(), l.data_ptr<float>() + l.numel());
  out.row_begin = std::move(row_begin);
  return out;
}

// Which rows of the flattened [B·n, hidden] states to project to logits.
Tensor pick_rows(const std::vector<int64_t>& valid, int64_t n, LogitRows rows, std::vector<int64_t>& row_begin) {
  std::vector<int64_t> index;
  row_begin.assign(1, 0);
  for (size_t b = 0; b < valid.size(); ++b) {
    int64_t base = static_cast<int64_t>(b) * n;
    if (rows == LogitRows::Last) {
      index.push_back(base + valid[b] - 1);
    } else {
      for (int64_t i = 0; i < valid[b]; ++i) index.push_back(base + i);
    }
    row_begin.push_back(static_cast<int64_t>(index.size()));
  }
  return torch::tensor(index, torch::kLong);
}

}  // namespace

Logits LlamaModel::forward(const std::vector<std::vector<int32_t>>& tokens, KvCache& cache, LogitRows rows) const {
  if (static_cast<int64_t>(tokens.size()) != cache.batch()) {
    throw Error(NT_INVALID_ARGUMENT, "forward: got " + std::to_string(tokens.size()) +
                                         " sequences for a KvCache of batch " + std::to_string(cache.batch()));
  }
  return forward_slots(0, tokens, cache, rows);
}

Logits LlamaModel::forward_slots(int64_t first, const std::vector<std::vector<int32_t>>& tokens, KvCache& cache,
                                 LogitRows rows) const {
  CacheTensors& whole = cache.state_->t;
  if (whole.owner != w_.get()) throw Error(NT_INVALID_ARGUMENT, "forward: this KvCache was made by another model");
  const int64_t count = static_cast<int64_t>(tokens.size());
  if (first < 0 || count < 1 || first + count > cache.batch()) {
    throw Error(NT_INVALID_ARGUMENT, "forward: slots " + std::to_string(first) + " .. " +
                                         std::to_string(first + count - 1) + " are not within the KvCache's " +
                                         std::to_string(cache.batch()) + " sequences");
  }
  c10::InferenceMode guard;
  // The chosen slots as a cache of their own: views of the same memory, their lengths copied
  // back at the end (the whole cache when every slot runs).
  const bool all = first == 0 && count == cache.batch();
  CacheTensors part;
  if (!all) {
    part.capacity = whole.capacity;
    part.owner = whole.owner;
    part.lengths.assign(whole.lengths.begin() + first, whole.lengths.begin() + first + count);
    for (size_t l = 0; l < whole.keys.size(); ++l) {
      part.keys.push_back(whole.keys[l].narrow(0, first, count));
      part.values.push_back(whole.values[l].narrow(0, first, count));
    }
  }
  CacheTensors& t = all ? whole : part;
  struct LengthsBack {
    CacheTensors& whole;
    const CacheTensors& t;
    int64_t first;
    ~LengthsBack() {
      if (&whole != &t) std::copy(t.lengths.begin(), t.lengths.end(), whole.lengths.begin() + first);
    }
  } lengths_back{whole, t, first};
  // The hand-written decode step reads host memory: CPU only. It makes no tensors at all.
  if (tokens.size() == 1 && tokens[0].size() == 1 && tokens[0][0] >= 0 && tokens[0][0] < w_->config.vocab_size &&
      t.lengths[0] < t.capacity && w_->device.is_cpu()) {
    return w_->decode_one(tokens[0][0], t);
  }
  std::vector<int64_t> valid;
  Tensor ids = pack_tokens(tokens, w_->config.vocab_size, valid);
  const int64_t n = ids.size(1);
  for (size_t b = 0; b < tokens.size(); ++b) {
    if (t.lengths[b] + n > t.capacity) {
      throw Error(NT_RESOURCE_EXHAUSTED, "forward: sequence " + std::to_string(b) + " holds " +
                                             std::to_string(t.lengths[b]) + " tokens; " + std::to_string(n) +
                                             " more exceed the KvCache capacity " + std::to_string(t.capacity));
    }
  }
  Tensor hidden = w_->run(ids, t.lengths, valid, &t);
  for (size_t b = 0; b < tokens.size(); ++b) t.lengths[b] += valid[b];
  std::vector<int64_t> row_begin;
  Tensor index = pick_rows(valid, n, rows, row_begin).to(w_->device);
  Tensor picked = hidden.reshape({-1, w_->config.hidden_size}).index_select(0, index);
  return to_logits(w_->logits(picked), std::move(row_begin));
}

Logits LlamaModel::full_logits(const std::vector<int32_t>& tokens) const {
  if (static_cast<int64_t>(tokens.size()) > w_->config.max_position_embeddings) {
    throw Error(NT_INVALID_ARGUMENT, "full_logits: " + std::to_string(tokens.size()) +
                                         " tokens exceed max_position_embeddings " +
                                         std::to_string(w_->config.max_position_embeddings));
  }
  c10::InferenceMode guard;
  std::vector<int64_t> valid;
  Tensor ids = pack_tokens({tokens}, w_->config.vocab_size, valid);
  Tensor hidden = w_->run(ids, {0}, valid, nullptr);
  return to_logits(w_->logits(hidden[0]), {0, ids.size(1)});
}

std::vector<SequenceScore> LlamaModel::score(const std::vector<ScoreRequest>& requests,
                                             const ScoreOptions& options) const {
  std::vector<SequenceScore> out(requests.size());
  if (requests.empty()) return out;
  const LlamaConfig& c = w_->config;
  if (options.top_n < 0 || options.top_n > c.vocab_size) {
    throw Error(NT_INVALID_ARGUMENT, "score: top_n " + std::to_string(options.top_n) + " must be in [0, " +
                                         std::to_string(c.vocab_size) + "]");
  }
  std::vector<std::vector<int32_t>> seqs;
  for (size_t r = 0; r < requests.size(); ++r) {
    const ScoreRequest& q = requests[r];
    int64_t len = static_cast<int64_t>(q.tokens.size());
    if (q.first_scored < 1 || q.first_scored > len) {
      throw Error(NT_INVALID_ARGUMENT, "score: request " + std::to_string(r) + " has first_scored " +
                                           std::to_string(q.first_scored) + " outside [1, " + std::to_string(len) +
                                           "] for " + std::to_string(len) + " tokens");
    }
    if (!q.allowed.empty() && static_cast<int64_t>(q.allowed.size()) != len - q.first_scored) {
      throw Error(NT_INVALID_ARGUMENT, "score: request " + std::to_string(r) + " has " +
                                           std::to_string(q.allowed.size()) + " masks for " +
                                           std::to_string(len - q.first_scored) + " scored positions");
    }
    if (len > c.max_position_embeddings) {
      throw Error(NT_INVALID_ARGUMENT, "score: request " + std::to_string(r) + " has " + std::to_string(len) +
                                           " tokens, more than max_position_embeddings " +
                                           std::to_string(c.max_position_embeddings));
    }
    seqs.push_back(q.tokens);
  }
  c10::InferenceMode guard;
  std::vector<int64_t> valid;
  Tensor ids = pack_tokens(seqs, c.vocab_size, valid);
  const int64_t n = ids.size(1);
  Tensor hidden = w_->run(ids, std::vector<int64_t>(seqs.size(), 0), valid, nullptr).reshape({-1, c.hidden_size});

  // The prediction for position p comes from the hidden state at p - 1.
  std::vector<int64_t> source_rows, targets, owner;
  std::vector<const std::vector<uint64_t>*> row_mask;
  bool any_mask = false;
  for (size_t r = 0; r < requests.size(); ++r) {
    for (int64_t p = requests[r].first_scored; p < valid[r]; ++p) {
      source_rows.push_back(static_cast<int64_t>(r) * n + p - 1);
      targets.push_back(requests[r].tokens[p]);
      owner.push_back(static_cast<int64_t>(r));
      const auto& allowed = requests[r].allowed;
      row_mask.push_back(allowed.empty() ? nullptr : &allowed[p - requests[r].first_scored]);
      any_mask = any_mask || !allowed.empty();
    }
  }
  // Bounded chunks keep the [rows, vocab] logits small for 128k-token vocabularies.
  const int64_t chunk = std::max<int64_t>(1, (int64_t(64) << 20) / (4 * c.vocab_size));
  const int64_t total = static_cast<int64_t>(source_rows.size());
  const int top_n = options.top_n;
  for (int64_t begin = 0; begin < total; begin += chunk) {
    int64_t len = std::min(chunk, total - begin);
    Tensor rows = torch::tensor(std::vector<int64_t>(source_rows.begin() + begin, source_rows.begin() + begin + len),
                                torch::kLong)
                      .to(w_->device);
    Tensor target = torch::tensor(std::vector<int64_t>(targets.begin() + begin, targets.begin() + begin + len),
                                  torch::kLong)
                        .unsqueeze(1)
                        .to(w_->device);
    Tensor logits = w_->logits(hidden.index_select(0, rows)).to(torch::kFloat);
    if (any_mask) {
      Tensor blocked = torch::zeros({len, c.vocab_size}, torch::kBool);
      bool* b = blocked.data_ptr<bool>();
      for (int64_t i = 0; i < len; ++i) {
        const std::vector<uint64_t>* m = row_mask[begin + i];
        if (!m) continue;
        for (int64_t t = 0; t < c.vocab_size; ++t) {
          const size_t word = static_cast<size_t>(t >> 6);
          b[i * c.vocab_size + t] = !(word < m->size() && (((*m)[word] >> (t & 63)) & 1u));
        }
      }
      logits = logits.contiguous().masked_fill_(blocked, -std::numeric_limits<float>::infinity());
    }
    Tensor logp = torch::log_softmax(logits, -1);
    Tensor target_logit = logits.gather(1, target);
    // Results back on the host (no-ops on the CPU).
    Tensor rank = (logits > target_logit).sum(1).to(torch::kCPU).contiguous();
    Tensor target_logp = logp.gather(1, target).squeeze(1).to(torch::kCPU).contiguous();
    auto [top_values, top_ids] = logp.topk(top_n, -1, true, true);
    top_values = top_values.to(torch::kCPU).contiguous();
    top_ids = top_ids.to(torch::kCPU).contiguous();
    const int64_t* rank_p = rank.data_ptr<int64_t>();
    const float* lp_p = target_logp.data_ptr<float>();
    const float* tv = top_values.data_ptr<float>();
    const int64_t* ti = top_ids.data_ptr<int64_t>();
    for (int64_t i = 0; i < len; ++i) {
      ScoredToken s;
      s.token = static_cast<int32_t>(targets[begin + i]);
      s.logprob = lp_p[i];
      s.rank = rank_p[i];
      s.top.reserve(top_n);
      for (int k = 0; k < top_n; ++k) {
        s.top.push_back({static_cast<int32_t>(ti[i * top_n + k]), tv[i * top_n + k]});
      }
      out[owner[begin + i]].positions.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace nineteen::models
