// Making the project's own small latent-diffusion model in Stable Diffusion 1.5's exact diffusers
// layout: the same files (model_index.json; tokenizer/ vocab.json, merges.txt, special_tokens_map.json,
// tokenizer_config.json; text_encoder/, unet/, vae/ config.json + safetensors; scheduler/
// scheduler_config.json), the same config keys and block types, the same tensor names (the VAE's
// mid-block attention under the pre-0.15 names query/key/value/proj_attn, as SD 1.5's file has
// them), with small channel counts and seeded random weights. No libtorch needed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "nineteen/models/diffusion_config.hpp"

namespace nineteen::models {

struct TinyDiffusionOptions {
  // A different variant gives different weights of the same shapes and the same tokenizer (the
  // "wrong model" for checking tests).
  uint64_t variant = 0;
  // scheduler/scheduler_config.json's _class_name: "PNDMScheduler" (SD 1.5's, served as DDIM),
  // "DDIMScheduler" or "EulerAncestralDiscreteScheduler".
  std::string scheduler = "PNDMScheduler";
  // Write the VAE attention under today's names (to_q, to_k, to_v, to_out.0) instead.
  bool current_vae_names = false;
  std::function<void(const std::string&)> progress;  // may be empty
};

// Writes the folder into out_dir (created). The same options always write byte-identical files.
DiffusionConfig make_tiny_diffusion(const std::string& out_dir, const TinyDiffusionOptions& options);

}  // namespace nineteen::models
