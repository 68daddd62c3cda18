// The configs of a latent-diffusion model folder in the diffusers layout: text_encoder/config.json
// (CLIPTextModel), unet/config.json (UNet2DConditionModel), vae/config.json (AutoencoderKL) and
// scheduler/scheduler_config.json (DDIMScheduler). Only the subset of each family this toolkit runs
// is accepted; anything else is refused with the key named.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nineteen::models {

struct ClipTextConfig {
  int64_t vocab_size = 512;
  int64_t hidden_size = 32;
  int64_t intermediate_size = 64;
  int64_t num_hidden_layers = 1;
  int64_t num_attention_heads = 2;
  int64_t max_position_embeddings = 16;  // also the padded prompt length
  double layer_norm_eps = 1e-5;
  int64_t bos_token_id = 0;
  int64_t eos_token_id = 0;  // also pads the prompt, as CLIP's tokenizer does
};

struct UNetConfig {
  int64_t in_channels = 4;
  int64_t out_channels = 4;
  std::vector<int64_t> block_out_channels{32, 64};
  // Per down block: true for CrossAttnDownBlock2D, false for DownBlock2D (up blocks mirror them).
  std::vector<bool> cross_attention_blocks{false, true};
  int64_t layers_per_block = 1;
  int64_t cross_attention_dim = 32;
  // diffusers' attention_head_dim, which UNet2DConditionModel reads as the number of heads.
  int64_t attention_heads = 2;
  int64_t norm_num_groups = 8;
  int64_t time_embed_dim() const { return block_out_channels.front() * 4; }
};

struct VaeConfig {
  int64_t in_channels = 3;
  int64_t out_channels = 3;
  int64_t latent_channels = 4;
  std::vector<int64_t> block_out_channels{16, 32, 32};
  int64_t layers_per_block = 1;
  int64_t norm_num_groups = 8;
  double scaling_factor = 0.18215;
  // Pixels per latent along each side: 2^(blocks − 1).
  int64_t downscale() const { return int64_t(1) << (block_out_channels.size() - 1); }
};

struct DdimConfig {
  int64_t num_train_timesteps = 1000;
  double beta_start = 0.00085;
  double beta_end = 0.012;
  int64_t steps_offset = 1;
  bool set_alpha_to_one = false;
};

struct DiffusionConfig {
  ClipTextConfig text;
  UNetConfig unet;
  VaeConfig vae;
  DdimConfig scheduler;

  // Reads the four config files under `dir`; errors name the file and key and say what is supported.
  static DiffusionConfig from_model_dir(const std::string& dir);
  // Writes model_index.json and the four config files (diffusers spellings) under `dir`.
  void write(const std::string& dir) const;
  // Throws sdk::Error naming the field when sizes do not fit together (groups, heads, dims).
  void validate(const std::string& where) const;
};

}  // namespace nineteen::models
