// Making the project's own small latent-diffusion model: a BPE tokenizer learnt from built-in text,
// seeded random weights for CLIP text encoder, UNet and VAE, and every file of the diffusers layout.
// No libtorch needed.
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
  std::function<void(const std::string&)> progress;  // may be empty
};

// Writes model_index.json, tokenizer/tokenizer.json, and config + weights of text_encoder/, unet/,
// vae/ and scheduler/ into out_dir (created). The same options always write byte-identical files.
DiffusionConfig make_tiny_diffusion(const std::string& out_dir, const TinyDiffusionOptions& options);

}  // namespace nineteen::models
