// The VAE's encoder and decoder (DownEncoderBlock2D / UpDecoderBlock2D, mid-block attention as configured).
#include "autoencoder_kl.hpp"

#include <filesystem>
#include <vector>

#include "network_blocks.hpp"

namespace nineteen::diffusion {

namespace {
constexpr double kNormEps = 1e-6;  // AutoencoderKL's GroupNorm eps
}

AutoencoderKl::AutoencoderKl(const std::string& model_dir, const models::VaeConfig& config)
    : config_(config),
      weights_(ModuleWeights::load((std::filesystem::path(model_dir) / models::kVaeWeights).string(),
                                   models::vae_layout(config))) {}

torch::Tensor AutoencoderKl::encode(const torch::Tensor& pixels) const {
  const ModuleWeights& w = weights_;
  const int64_t groups = config_.norm_num_groups, blocks = int64_t(config_.block_out_channels.size());
  torch::Tensor x = conv2d(w, "encoder.conv_in", pixels);
  for (int64_t i = 0; i < blocks; ++i) {
    const std::string block = "encoder.down_blocks." + std::to_string(i);
    for (int64_t j = 0; j < config_.layers_per_block; ++j) {
      x = resnet_block(w, block + ".resnets." + std::to_string(j), x, std::nullopt, groups, kNormEps);
    }
    if (i + 1 < blocks) {
      // Downsample2D in the VAE pads right and bottom only, then convolves with stride 2.
      x = torch::constant_pad_nd(x, {0, 1, 0, 1}, 0);
      x = conv2d(w, block + ".downsamplers.0.conv", x, 2, 0);
    }
  }
  x = resnet_block(w, "encoder.mid_block.resnets.0", x, std::nullopt, groups, kNormEps);
  if (config_.mid_block_attention) x = vae_attention(w, "encoder.mid_block.attentions.0", x, groups, kNormEps);
  x = resnet_block(w, "encoder.mid_block.resnets.1", x, std::nullopt, groups, kNormEps);
  x = conv2d(w, "encoder.conv_out", torch::silu(group_norm(w, "encoder.conv_norm_out", x, groups, kNormEps)));
  x = conv2d(w, "quant_conv", x, 1, 0);
  return x.narrow(1, 0, config_.latent_channels) * config_.scaling_factor;
}

torch::Tensor AutoencoderKl::decode(const torch::Tensor& latents) const {
  const ModuleWeights& w = weights_;
  const int64_t groups = config_.norm_num_groups, blocks = int64_t(config_.block_out_channels.size());
  torch::Tensor x = conv2d(w, "post_quant_conv", latents / config_.scaling_factor, 1, 0);
  x = conv2d(w, "decoder.conv_in", x);
  x = resnet_block(w, "decoder.mid_block.resnets.0", x, std::nullopt, groups, kNormEps);
  if (config_.mid_block_attention) x = vae_attention(w, "decoder.mid_block.attentions.0", x, groups, kNormEps);
  x = resnet_block(w, "decoder.mid_block.resnets.1", x, std::nullopt, groups, kNormEps);
  for (int64_t i = 0; i < blocks; ++i) {
    const std::string block = "decoder.up_blocks." + std::to_string(i);
    for (int64_t j = 0; j <= config_.layers_per_block; ++j) {
      x = resnet_block(w, block + ".resnets." + std::to_string(j), x, std::nullopt, groups, kNormEps);
    }
    if (i + 1 < blocks) {
      x = torch::upsample_nearest2d(x, std::vector<int64_t>{x.size(2) * 2, x.size(3) * 2});
      x = conv2d(w, block + ".upsamplers.0.conv", x);
    }
  }
  x = torch::silu(group_norm(w, "decoder.conv_norm_out", x, groups, kNormEps));
  return conv2d(w, "decoder.conv_out", x);
}

}  // namespace nineteen::diffusion
