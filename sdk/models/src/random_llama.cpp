// Seeded random Llama weights with scales chosen so the model is neither uniform nor one-hot.
#include "nineteen/models/random_llama.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "nineteen/sdk/error.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

// Normal deviates from a 64-bit Mersenne Twister through Box-Muller, written out by hand so the
// numbers do not depend on the standard library's distribution algorithms.
class NormalSource {
 public:
  explicit NormalSource(uint64_t seed) : generator_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = (double(generator_() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    double u2 = double(generator_() >> 11) * (1.0 / 9007199254740992.0);
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 generator_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

uint16_t to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7fff + ((bits >> 16) & 1);  // round to nearest, ties to even
  return static_cast<uint16_t>(bits >> 16);
}

// IEEE half precision, round to nearest even; the random weights are far from overflow and the
// subnormal range, but both are handled.
uint16_t to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int32_t exponent = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = x & 0x7fffffu;
  if (exponent >= 31) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow → infinity
  if (exponent <= 0) {
    if (exponent < -10) return static_cast<uint16_t>(sign);  // underflow → zero
    mantissa |= 0x800000u;
    const uint32_t shift = static_cast<uint32_t>(14 - exponent);
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (uint32_t(exponent) << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent
  return static_cast<uint16_t>(sign | half);
}

struct Planned {
  std::string name;
  std::vector<int64_t> shape;
  double mean;
  double std;
};

}  // namespace

void write_random_llama(const std::string& dir, const LlamaConfig& c, const RandomLlamaOptions& options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(NT_INVALID_ARGUMENT, "cannot create directory " + dir + ": " + ec.message());

  const int64_t h = c.hidden_size, I = c.intermediate_size;
  const int64_t q_rows = c.num_attention_heads * c.head_dim, kv_rows = c.num_key_value_heads * c.head_dim;
  const double inv_h = 1.0 / std::sqrt(double(h));
  // Hidden states reach lm_head RMS-normalised (each element ~1), so a weight std of
  // logit_scale/sqrt(hidden) gives logits of std ~logit_scale.
  const double head_std = options.logit_scale * inv_h;
  // The family's layout follows from model_type (as the config.json written below will say).
  const bool fused = c.fused_projections || c.model_type == "phi3";
  const bool qkv_bias = c.qkv_bias || c.model_type == "qwen2";
  std::vector<Planned> plan;
  // With tied embeddings the one matrix also serves as lm_head, so it takes lm_head's scale; the
  // first RMSNorm makes the input scale irrelevant.
  plan.push_back({"model.embed_tokens.weight", {c.vocab_size, h}, 0.0, c.tie_word_embeddings ? head_std : 1.0});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    std::string p = "model.layers." + std::to_string(l) + ".";
    // Norm weights near 1 but not equal, so a reference that forgot them would disagree.
    plan.push_back({p + "input_layernorm.weight", {h}, 1.0, 0.1});
    // Each family's own tensor names: Phi-3 stores q, k, v and gate, up stacked in one tensor.
    if (fused) {
      plan.push_back({p + "self_attn.qkv_proj.weight", {q_rows + 2 * kv_rows, h}, 0.0, 1.3 * inv_h});
    } else {
      plan.push_back({p + "self_attn.q_proj.weight", {q_rows, h}, 0.0, 1.5 * inv_h});
      plan.push_back({p + "self_attn.k_proj.weight", {kv_rows, h}, 0.0, 1.5 * inv_h});
      plan.push_back({p + "self_attn.v_proj.weight", {kv_rows, h}, 0.0, inv_h});
    }
    if (qkv_bias) {
      // Biases large enough that a decoder ignoring them would disagree visibly.
      plan.push_back({p + "self_attn.q_proj.bias", {q_rows}, 0.0, 0.5});
      plan.push_back({p + "self_attn.k_proj.bias", {kv_rows}, 0.0, 0.5});
      plan.push_back({p + "self_attn.v_proj.bias", {kv_rows}, 0.0, 0.5});
    }
    plan.push_back({p + "self_attn.o_proj.weight", {h, q_rows}, 0.0, 1.0 / std::sqrt(double(q_rows))});
    if (c.o_bias) plan.push_back({p + "self_attn.o_proj.bias", {h}, 0.0, 0.3});
    plan.push_back({p + "post_attention_layernorm.weight", {h}, 1.0, 0.1});
    if (fused) {
      plan.push_back({p + "mlp.gate_up_proj.weight", {2 * I, h}, 0.0, inv_h});
    } else {
      plan.push_back({p + "mlp.gate_proj.weight", {I, h}, 0.0, inv_h});
      plan.push_back({p + "mlp.up_proj.weight", {I, h}, 0.0, inv_h});
    }
    plan.push_back({p + "mlp.down_proj.weight", {h, I}, 0.0, 1.0 / std::sqrt(double(I))});
  }
  plan.push_back({"model.norm.weight", {h}, 1.0, 0.1});
  if (!c.tie_word_embeddings) plan.push_back({"lm_head.weight", {c.vocab_size, h}, 0.0, head_std});

  NormalSource normal(options.seed);
  std::vector<std::string> storage;
  storage.reserve(plan.size());
  std::vector<TensorToWrite> tensors;
  int64_t done = 0, total = 0;
  for (const Planned& p : plan) {
    int64_t n = 1;
    for (int64_t d : p.shape) n *= d;
    total += n;
  }
  int64_t next_report = total / 10;
  for (const Planned& p : plan) {
    int64_t n = 1;
    for (int64_t d : p.shape) n *= d;
    std::string bytes(static_cast<size_t>(n) * dtype_size(options.dtype), '\0');
    for (int64_t i = 0; i < n; ++i) {
      float v = static_cast<float>(p.mean + p.std * normal.next());
      if (options.dtype == DType::F32) {
        std::memcpy(&bytes[i * 4], &v, 4);
      } else {
        uint16_t b = options.dtype == DType::BF16 ? to_bf16(v) : to_f16(v);
        std::memcpy(&bytes[i * 2], &b, 2);
      }
    }
    done += n;
    if (options.progress && done >= next_report) {
      options.progress("weights: " + std::to_string(done * 100 / total) + "% of " + std::to_string(total) +
                       " parameters");
      while (next_report <= done) next_report += std::max<int64_t>(1, total / 10);
    }
    storage.push_back(std::move(bytes));
    tensors.push_back({p.name, options.dtype, p.shape, storage.back()});
  }

  LlamaConfig written = c;
  written.torch_dtype = options.dtype == DType::F32 ? "float32" : options.dtype == DType::BF16 ? "bfloat16" : "float16";
  std::string config_path = (fs::path(dir) / "config.json").string();
  std::ofstream out(config_path, std::ios::binary | std::ios::trunc);
  out << written.to_json();
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + config_path);
  if (options.shards <= 1) {
    write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, {{"format", "pt"}});
    return;
  }
  // Hugging Face's sharded layout: model-0000i-of-0000N.safetensors, tensors split in order into
  // shards of about equal counts, and model.safetensors.index.json naming each tensor's shard.
  const int shards = std::min<int>(options.shards, static_cast<int>(tensors.size()));
  size_t total_bytes = 0;
  for (const TensorToWrite& t : tensors) total_bytes += t.bytes.size();
  auto shard_name = [&](int i) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", i + 1, shards);
    return std::string(name);
  };
  std::vector<std::vector<TensorToWrite>> parts(shards);
  for (size_t i = 0; i < tensors.size(); ++i) parts[i * shards / tensors.size()].push_back(tensors[i]);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("metadata");
  w.StartObject();
  w.Key("total_size");
  w.Uint64(total_bytes);
  w.EndObject();
  w.Key("weight_map");
  w.StartObject();
  std::map<std::string, std::string> weight_map;
  for (int i = 0; i < shards; ++i) {
    write_safetensors((fs::path(dir) / shard_name(i)).string(), parts[i], {{"format", "pt"}});
    for (const TensorToWrite& t : parts[i]) weight_map[t.name] = shard_name(i);
  }
  for (const auto& [name, file] : weight_map) {
    w.Key(name.c_str());
    w.String(file.c_str());
  }
  w.EndObject();
  w.EndObject();
  std::string index_path = (fs::path(dir) / "model.safetensors.index.json").string();
  std::ofstream index(index_path, std::ios::binary | std::ios::trunc);
  index << std::string(buffer.GetString(), buffer.GetSize()) << "\n";
  index.close();
  if (!index) throw Error(NT_INVALID_ARGUMENT, "cannot write " + index_path);
}

}  // namespace nineteen::models
