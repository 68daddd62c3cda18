// The UNet's forward pass: time embedding, down blocks with skips, cross-attention mid block, up blocks.
#include "unet_denoiser.hpp"

#include <cmath>
#include <filesystem>
#include <vector>

#include "network_blocks.hpp"

namespace nineteen::diffusion {

UNetDenoiser::UNetDenoiser(const std::string& model_dir, const models::UNetConfig& config)
    : config_(config),
      weights_(ModuleWeights::load((std::filesystem::path(model_dir) / models::kUNetWeights).string(),
                                   models::unet_layout(config))) {}

torch::Tensor UNetDenoiser::predict_noise(const torch::Tensor& latents, double timestep,
                                          const torch::Tensor& context) const {
  const ModuleWeights& w = weights_;
  const int64_t groups = config_.norm_num_groups;
  const bool linear_projection = config_.use_linear_projection;
  const double eps = config_.norm_eps;
  const int64_t blocks = static_cast<int64_t>(config_.block_out_channels.size());

  // diffusers' get_timestep_embedding: t·exp(−ln(10000)·i/(half − freq_shift)), [sin | cos], or
  // [cos | sin] with flip_sin_to_cos (Stable Diffusion); t may be fractional (Euler's timesteps).
  const int64_t half = config_.block_out_channels[0] / 2;
  torch::Tensor freqs =
      torch::exp(-std::log(10000.0) * torch::arange(half, torch::kFloat32) / (double(half) - config_.freq_shift));
  torch::Tensor angles = freqs * float(timestep);
  torch::Tensor temb = config_.flip_sin_to_cos ? torch::cat({torch::cos(angles), torch::sin(angles)})
                                               : torch::cat({torch::sin(angles), torch::cos(angles)});
  temb = temb.unsqueeze(0).expand({latents.size(0), -1});
  temb = linear(w, "time_embedding.linear_2", torch::silu(linear(w, "time_embedding.linear_1", temb)));

  torch::Tensor x = conv2d(w, "conv_in", latents);
  std::vector<torch::Tensor> skips{x};
  for (int64_t i = 0; i < blocks; ++i) {
    const std::string block = "down_blocks." + std::to_string(i);
    for (int64_t j = 0; j < config_.layers_per_block; ++j) {
      x = resnet_block(w, block + ".resnets." + std::to_string(j), x, temb, groups, eps);
      if (config_.cross_attention_blocks[i]) {
        x = transformer_2d(w, block + ".attentions." + std::to_string(j), x, context, config_.heads(size_t(i)), groups,
                           linear_projection);
      }
      skips.push_back(x);
    }
    if (i + 1 < blocks) {
      x = conv2d(w, block + ".downsamplers.0.conv", x, 2, 1);
      skips.push_back(x);
    }
  }
  x = resnet_block(w, "mid_block.resnets.0", x, temb, groups, eps);
  x = transformer_2d(w, "mid_block.attentions.0", x, context, config_.attention_heads.back(), groups, linear_projection);
  x = resnet_block(w, "mid_block.resnets.1", x, temb, groups, eps);
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t down = blocks - 1 - i;
    const std::string block = "up_blocks." + std::to_string(i);
    for (int64_t j = 0; j <= config_.layers_per_block; ++j) {
      x = torch::cat({x, skips.back()}, 1);
      skips.pop_back();
      x = resnet_block(w, block + ".resnets." + std::to_string(j), x, temb, groups, eps);
      if (config_.cross_attention_blocks[down]) {
        x = transformer_2d(w, block + ".attentions." + std::to_string(j), x, context, config_.heads(size_t(down)), groups,
                           linear_projection);
      }
    }
    if (i + 1 < blocks) {
      x = torch::upsample_nearest2d(x, std::vector<int64_t>{x.size(2) * 2, x.size(3) * 2});
      x = conv2d(w, block + ".upsamplers.0.conv", x);
    }
  }
  x = torch::silu(group_norm(w, "conv_norm_out", x, groups, eps));
  return conv2d(w, "conv_out", x);
}

}  // namespace nineteen::diffusion
