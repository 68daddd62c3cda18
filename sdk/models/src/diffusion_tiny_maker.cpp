// make_tiny_diffusion: a BPE tokenizer from the built-in text, seeded random weights in the
// diffusers layout, and the configs.
#include "nineteen/models/diffusion_tiny_maker.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "nineteen/models/diffusion_weight_layout.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/bpe_trainer.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

constexpr const char* kStartOfText = "<|startoftext|>";
constexpr const char* kEndOfText = "<|endoftext|>";

// Uniform deviates scaled to unit variance, from a 64-bit Mersenne Twister by hand (no standard
// distribution, whose algorithm may differ between libraries), so the files never change.
class UnitNoise {
 public:
  explicit UnitNoise(uint64_t seed) : generator_(seed) {}
  float next() { return float((double(generator_() >> 11) / 9007199254740992.0 * 2.0 - 1.0) * std::sqrt(3.0)); }

 private:
  std::mt19937_64 generator_;
};

// Scales keep activations near unit size through the random network: matrices 1/sqrt(fan_in),
// small biases so a flat input still gives structure, norms at identity.
void write_random_weights(const fs::path& path, const std::vector<LaidOutTensor>& layout, uint64_t seed) {
  UnitNoise noise(seed);
  std::vector<std::vector<float>> data;
  std::vector<TensorToWrite> tensors;
  data.reserve(layout.size());
  for (const LaidOutTensor& t : layout) {
    int64_t count = 1;
    for (int64_t d : t.shape) count *= d;
    std::vector<float> values(static_cast<size_t>(count));
    double scale = 0;
    switch (t.role) {
      case WeightRole::Matrix: scale = 1.0 / std::sqrt(double(t.fan_in)); break;
      case WeightRole::Bias: scale = 0.1; break;
      case WeightRole::Embedding: scale = 1.0; break;
      case WeightRole::NormScale:
      case WeightRole::NormShift: scale = 0; break;
    }
    for (float& v : values) v = float(scale * noise.next()) + (t.role == WeightRole::NormScale ? 1.f : 0.f);
    data.push_back(std::move(values));
    tensors.push_back({t.name, DType::F32, t.shape,
                       std::string_view(reinterpret_cast<const char*>(data.back().data()), data.back().size() * 4)});
  }
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  write_safetensors(path.string(), tensors, {{"format", "pt"}});
}

}  // namespace

DiffusionConfig make_tiny_diffusion(const std::string& out_dir, const TinyDiffusionOptions& options) {
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  std::error_code ec;
  fs::create_directories(fs::path(out_dir) / "tokenizer", ec);
  if (ec) throw Error(NT_INVALID_ARGUMENT, "cannot create directory " + out_dir + ": " + ec.message());
  const fs::path dir(out_dir);

  DiffusionConfig c;
  progress("tokenizer: learning up to " + std::to_string(c.text.vocab_size) + " tokens");
  const std::string tokenizer_json =
      text::train_bpe_tokenizer_json(tiny_llama_corpus(), size_t(c.text.vocab_size), {kStartOfText, kEndOfText});
  {
    std::ofstream out(dir / "tokenizer/tokenizer.json", std::ios::binary | std::ios::trunc);
    out << tokenizer_json;
    if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + (dir / "tokenizer/tokenizer.json").string());
  }
  text::BpeTokenizer tokenizer = text::BpeTokenizer::from_json(tokenizer_json, "tokenizer.json");
  c.text.bos_token_id = *tokenizer.token_id(kStartOfText);
  c.text.eos_token_id = *tokenizer.token_id(kEndOfText);
  c.validate("tiny-diffusion");
  c.write(out_dir);

  // Variants are far apart in the generator's seed space; 0xD1FF marks the family.
  const uint64_t seed = 0xD1FFu + options.variant * 0x9E3779B97F4A7C15ull;
  write_random_weights(dir / kTextEncoderWeights, text_encoder_layout(c.text), seed);
  write_random_weights(dir / kUNetWeights, unet_layout(c.unet), seed + 1);
  write_random_weights(dir / kVaeWeights, vae_layout(c.vae), seed + 2);
  progress("wrote " + out_dir + ": model_index.json, tokenizer/, text_encoder/, unet/, vae/, scheduler/ (variant " +
           std::to_string(options.variant) + ")");
  return c;
}

}  // namespace nineteen::models
