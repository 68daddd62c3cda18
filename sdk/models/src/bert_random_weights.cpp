// Seeded random BERT weights, every tensor of Hugging Face's BertModel.
#include "nineteen/models/bert_random_weights.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "nineteen/sdk/error.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

// Standard normal deviates by Box-Muller from a 64-bit Mersenne Twister, spelt out so the bytes do
// not depend on the standard library's distribution code.
class GaussianStream {
 public:
  explicit GaussianStream(uint64_t seed) : bits_(seed) {}
  double operator()() {
    const double u1 = (double(bits_() >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = double(bits_() >> 11) / 9007199254740992.0;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 bits_;
};

struct PlannedTensor {
  std::string name;
  std::vector<int64_t> shape;
  double mean, std;
};

}  // namespace

void write_random_bert(const std::string& dir, const BertConfig& c, const RandomBertOptions& options) {
  if (options.dtype != DType::F32 && options.dtype != DType::BF16) {
    throw Error(NT_INVALID_ARGUMENT, std::string("random BERT weights: dtype ") + dtype_name(options.dtype) +
                                         " is not offered; use F32 or BF16");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(NT_INVALID_ARGUMENT, "cannot create directory " + dir + ": " + ec.message());

  const int64_t h = c.hidden_size, I = c.intermediate_size;
  const double inv_h = 1.0 / std::sqrt(double(h)), inv_i = 1.0 / std::sqrt(double(I));
  const std::string& p0 = options.name_prefix;
  std::vector<PlannedTensor> plan;
  // Norm weights near 1 but not equal and biases near 0 but not zero, so a reference that forgot
  // one would disagree.
  auto norm = [&](const std::string& name) {
    plan.push_back({name + ".weight", {h}, 1.0, 0.1});
    plan.push_back({name + ".bias", {h}, 0.0, 0.1});
  };
  auto dense = [&](const std::string& name, int64_t out, int64_t in, double std) {
    plan.push_back({name + ".weight", {out, in}, 0.0, std});
    plan.push_back({name + ".bias", {out}, 0.0, 0.1});
  };
  plan.push_back({p0 + "embeddings.word_embeddings.weight", {c.vocab_size, h}, 0.0, 1.0});
  plan.push_back({p0 + "embeddings.position_embeddings.weight", {c.max_position_embeddings, h}, 0.0, 0.5});
  plan.push_back({p0 + "embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}, 0.0, 0.2});
  norm(p0 + "embeddings.LayerNorm");
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = p0 + "encoder.layer." + std::to_string(l) + ".";
    // Queries and keys 1.5x larger than variance-preserving: attention scores of std ~2 per head.
    dense(p + "attention.self.query", h, h, 1.5 * inv_h);
    dense(p + "attention.self.key", h, h, 1.5 * inv_h);
    dense(p + "attention.self.value", h, h, inv_h);
    dense(p + "attention.output.dense", h, h, inv_h);
    norm(p + "attention.output.LayerNorm");
    dense(p + "intermediate.dense", I, h, inv_h);
    dense(p + "output.dense", h, I, inv_i);
    norm(p + "output.LayerNorm");
  }
  dense(p0 + "pooler.dense", h, h, inv_h);

  GaussianStream normal(options.seed);
  std::vector<std::string> storage;
  storage.reserve(plan.size());
  std::vector<TensorToWrite> tensors;
  for (const PlannedTensor& t : plan) {
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    std::string bytes(static_cast<size_t>(n) * dtype_size(options.dtype), '\0');
    for (int64_t i = 0; i < n; ++i) {
      const float v = static_cast<float>(t.mean + t.std * normal());
      if (options.dtype == DType::F32) {
        std::memcpy(&bytes[i * 4], &v, 4);
      } else {
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        bits += 0x7fff + ((bits >> 16) & 1);  // bf16: round to nearest, ties to even
        const uint16_t half = static_cast<uint16_t>(bits >> 16);
        std::memcpy(&bytes[i * 2], &half, 2);
      }
    }
    storage.push_back(std::move(bytes));
    tensors.push_back({t.name, options.dtype, t.shape, storage.back()});
  }
  const std::string config_path = (fs::path(dir) / "config.json").string();
  std::ofstream out(config_path, std::ios::binary | std::ios::trunc);
  out << c.to_json();
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + config_path);
  write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, {{"format", "pt"}});
}

}  // namespace nineteen::models
