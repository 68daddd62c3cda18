// Every tensor a latent-diffusion folder holds, by file, with its diffusers name and shape: the one
// description the tiny-model maker writes and the loader checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nineteen/models/diffusion_config.hpp"

namespace nineteen::models {

enum class WeightRole { Matrix, Bias, NormScale, NormShift, Embedding };

struct LaidOutTensor {
  std::string name;
  std::vector<int64_t> shape;
  WeightRole role = WeightRole::Matrix;
  int64_t fan_in = 1;  // inputs per output (matrices and convolutions), for the random scale
};

// The files, relative to the model folder.
constexpr const char* kTextEncoderWeights = "text_encoder/model.safetensors";
constexpr const char* kUNetWeights = "unet/diffusion_pytorch_model.safetensors";
constexpr const char* kVaeWeights = "vae/diffusion_pytorch_model.safetensors";

std::vector<LaidOutTensor> text_encoder_layout(const ClipTextConfig& c);
std::vector<LaidOutTensor> unet_layout(const UNetConfig& c);
// Encoder and decoder of AutoencoderKL (quant_conv and post_quant_conv included), with the
// mid-block attention under today's names (group_norm, to_q, to_k, to_v, to_out.0).
std::vector<LaidOutTensor> vae_layout(const VaeConfig& c);

// The name diffusers before 0.15 gave a VAE mid-block attention tensor (query, key, value,
// proj_attn: runwayml/stable-diffusion-v1-5's vae file uses them), or "" for any other tensor.
// Loaders accept either spelling, as diffusers does.
std::string legacy_vae_attention_name(const std::string& name);

}  // namespace nineteen::models
