// AutoencoderKL: pixels ↔ latents (the encoder's mean; no sampling, so encoding is deterministic).
#pragma once

#include <string>

#include <torch/torch.h>

#include <nineteen/models/diffusion_config.hpp>

#include "module_weights.hpp"

namespace nineteen::diffusion {

class AutoencoderKl {
 public:
  AutoencoderKl(const std::string& model_dir, const models::VaeConfig& config);

  // pixels [b, 3, H, W] in −1..1 → scaled latents [b, latent, H/f, W/f] (× scaling_factor).
  torch::Tensor encode(const torch::Tensor& pixels) const;
  // scaled latents → pixels in −1..1 (not clamped).
  torch::Tensor decode(const torch::Tensor& latents) const;

 private:
  models::VaeConfig config_;
  ModuleWeights weights_;
};

}  // namespace nineteen::diffusion
