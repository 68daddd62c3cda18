// The configs of a latent-diffusion model folder in the diffusers layout: text_encoder/config.json
// (CLIPTextModel), unet/config.json (UNet2DConditionModel), vae/config.json (AutoencoderKL) and
// scheduler/scheduler_config.json, with the keys and values Stable Diffusion 1.5 (and 2.x) ship.
// Only what this toolkit runs is accepted: an unknown block type or a key set to a variant it does
// not run is refused with the file, the key and the supported values named.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nineteen::models {

struct ClipTextConfig {
  int64_t vocab_size = 1024;
  int64_t hidden_size = 32;
  int64_t intermediate_size = 64;
  int64_t num_hidden_layers = 2;
  int64_t num_attention_heads = 2;
  int64_t max_position_embeddings = 16;  // also the padded prompt length (77 in Stable Diffusion)
  double layer_norm_eps = 1e-5;
  bool quick_gelu = true;  // hidden_act "quick_gelu" (CLIP ViT-L/14, SD 1.x), false for "gelu" (OpenCLIP, SD 2)
  // As config.json spells them; SD 1.5's say 0 and 2, which are not its tokenizer's ids: the
  // prompt's ids come from the tokenizer folder, these are only written and shown.
  int64_t bos_token_id = 0;
  int64_t eos_token_id = 2;
};

struct UNetConfig {
  int64_t in_channels = 4;
  int64_t out_channels = 4;
  std::vector<int64_t> block_out_channels{32, 64};
  // Per down block: true for CrossAttnDownBlock2D, false for DownBlock2D; up_block_types must
  // mirror them (CrossAttnUpBlock2D / UpBlock2D), as in every Stable Diffusion 1.x/2.x UNet.
  // The tiny model attends at the lower resolution only (SD attends in all but its last block):
  // attention over every latent pixel is what makes large images slow on a CPU.
  std::vector<bool> cross_attention_blocks{false, true};
  int64_t layers_per_block = 1;  // SD 1.5: 2 (the tiny model keeps CPU tests fast)
  int64_t cross_attention_dim = 32;
  // Heads per down block: diffusers' attention_head_dim (one number or a list), which
  // UNet2DConditionModel reads as the number of heads unless num_attention_heads is given.
  std::vector<int64_t> attention_heads{2, 2};  // SD 1.5: 8
  int64_t norm_num_groups = 8;
  double norm_eps = 1e-5;
  // false (SD 1.x): proj_in/proj_out are 1x1 convolutions; true (SD 2.x): Linear layers.
  bool use_linear_projection = false;
  bool flip_sin_to_cos = true;
  double freq_shift = 0;
  int64_t time_embed_dim() const { return block_out_channels.front() * 4; }
  int64_t heads(size_t down_block) const { return attention_heads.at(down_block); }
};

struct VaeConfig {
  int64_t in_channels = 3;
  int64_t out_channels = 3;
  int64_t latent_channels = 4;
  std::vector<int64_t> block_out_channels{16, 32, 32};
  int64_t layers_per_block = 1;  // SD 1.5: 2
  int64_t norm_num_groups = 8;
  double scaling_factor = 0.18215;
  // The single-head self-attention between the mid-block resnets (mid_block_add_attention).
  bool mid_block_attention = true;
  // Pixels per latent along each side: 2^(blocks − 1).
  int64_t downscale() const { return int64_t(1) << (block_out_channels.size() - 1); }
};

// The scheduler kinds this toolkit runs.
enum class SchedulerKind { Ddim, EulerAncestral };
const char* scheduler_class_name(SchedulerKind kind);  // "DDIMScheduler", "EulerAncestralDiscreteScheduler"

// scheduler/scheduler_config.json. The keys all diffusers schedulers of SD share (betas, spacing,
// offset) are read whatever _class_name says; `kind` is what runs: DDIMScheduler or
// EulerAncestralDiscreteScheduler as configured; any other class (SD 1.5 ships PNDMScheduler) runs
// as DDIM over the same betas, the swap diffusers' `DDIMScheduler.from_config(...)` makes.
struct SchedulerConfig {
  std::string class_name = "DDIMScheduler";  // as the file says
  SchedulerKind kind = SchedulerKind::Ddim;
  int64_t num_train_timesteps = 1000;
  double beta_start = 0.00085;
  double beta_end = 0.012;
  bool scaled_linear = true;  // beta_schedule "scaled_linear" (else "linear")
  int64_t steps_offset = 1;
  bool set_alpha_to_one = false;
  // "leading", "linspace" or "trailing"; empty when the file has none: then the running class's
  // default applies (DDIM "leading", Euler ancestral "linspace").
  std::string timestep_spacing;
  std::string spacing() const {
    return !timestep_spacing.empty() ? timestep_spacing : kind == SchedulerKind::Ddim ? "leading" : "linspace";
  }
};
using DdimConfig = SchedulerConfig;

struct DiffusionConfig {
  ClipTextConfig text;
  UNetConfig unet;
  VaeConfig vae;
  SchedulerConfig scheduler;

  // Reads the four config files under `dir`; errors name the file and key and say what is supported.
  static DiffusionConfig from_model_dir(const std::string& dir);
  // Writes model_index.json and the four config files under `dir`, with SD 1.5's keys.
  void write(const std::string& dir) const;
  // Throws sdk::Error naming the field when sizes do not fit together (groups, heads, dims).
  void validate(const std::string& where) const;
};

}  // namespace nineteen::models
