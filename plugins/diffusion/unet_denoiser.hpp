// UNet2DConditionModel (the supported subset): predicts the noise in latents at a timestep,
// attending to the text.
#pragma once

#include <string>

#include <torch/torch.h>

#include <nineteen/models/diffusion_config.hpp>

#include "module_weights.hpp"

namespace nineteen::diffusion {

class UNetDenoiser {
 public:
  UNetDenoiser(const std::string& model_dir, const models::UNetConfig& config);

  // latents [b, c, h, w] (h, w multiples of 2^(blocks − 1)), context [b, tokens, dim] → noise estimate.
  torch::Tensor predict_noise(const torch::Tensor& latents, double timestep, const torch::Tensor& context) const;

 private:
  models::UNetConfig config_;
  ModuleWeights weights_;
};

}  // namespace nineteen::diffusion
