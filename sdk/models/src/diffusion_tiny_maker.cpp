// make_tiny_diffusion: CLIP's BPE learnt from the built-in text, seeded random weights in the
// diffusers layout of Stable Diffusion 1.5, and the configs.
#include "nineteen/models/diffusion_tiny_maker.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "nineteen/models/diffusion_clip_tokenizer.hpp"
#include "nineteen/models/diffusion_weight_layout.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

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
void write_random_weights(const fs::path& path, const std::vector<LaidOutTensor>& layout, uint64_t seed,
                          bool legacy_names = false) {
  UnitNoise noise(seed);
  std::vector<std::vector<float>> data;
  std::vector<TensorToWrite> tensors;
  std::vector<std::string> names;
  data.reserve(layout.size());
  names.reserve(layout.size());
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
    const std::string legacy = legacy_names ? legacy_vae_attention_name(t.name) : "";
    names.push_back(legacy.empty() ? t.name : legacy);
    tensors.push_back({names.back(), DType::F32, t.shape,
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
  // CLIP's 512 byte symbols, 510 merges and the two special tokens: 1024 ids.
  progress("tokenizer: learning CLIP BPE merges");
  c.text.vocab_size = int64_t(write_clip_tokenizer((dir / "tokenizer").string(), tiny_llama_corpus(), 510));
  if (options.scheduler != "PNDMScheduler" && options.scheduler != "DDIMScheduler" &&
      options.scheduler != "EulerAncestralDiscreteScheduler") {
    throw Error(NT_INVALID_ARGUMENT, "scheduler \"" + options.scheduler +
                                         "\": expected PNDMScheduler, DDIMScheduler or EulerAncestralDiscreteScheduler");
  }
  c.scheduler.class_name = options.scheduler;
  c.validate("tiny-diffusion");
  c.write(out_dir);

  // Variants are far apart in the generator's seed space; 0xD1FF marks the family.
  const uint64_t seed = 0xD1FFu + options.variant * 0x9E3779B97F4A7C15ull;
  write_random_weights(dir / kTextEncoderWeights, text_encoder_layout(c.text), seed);
  write_random_weights(dir / kUNetWeights, unet_layout(c.unet), seed + 1);
  write_random_weights(dir / kVaeWeights, vae_layout(c.vae), seed + 2, !options.current_vae_names);
  progress("wrote " + out_dir + ": model_index.json, tokenizer/, text_encoder/, unet/, vae/, scheduler/ (variant " +
           std::to_string(options.variant) + ")");
  return c;
}

}  // namespace nineteen::models
