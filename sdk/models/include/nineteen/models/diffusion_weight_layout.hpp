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
// Encoder and decoder of AutoencoderKL (quant_conv and post_quant_conv included).
std::vector<LaidOutTensor> vae_layout(const VaeConfig& c);

}  // namespace nineteen::models
