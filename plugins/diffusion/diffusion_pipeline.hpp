// The latent-diffusion reference: text → CLIP states → DDIM or Euler ancestral over the UNet
// (classifier-free guidance) → VAE decode; image-to-image starts from the encoded init image,
// noised to `strength`. Every random draw comes from the request's seed, so a checker recomputes
// the same image.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nineteen/image/rgb_image.hpp>
#include <nineteen/models/diffusion_config.hpp>

#include "autoencoder_kl.hpp"
#include "clip_text_encoder.hpp"
#include "ddim_schedule.hpp"
#include "unet_denoiser.hpp"

namespace nineteen::diffusion {

struct GenerationSettings {
  std::string prompt;
  std::string negative_prompt;
  int64_t steps = 8;
  double cfg_scale = 7.5;  // ≤ 1: no unconditional pass
  int width = 64;
  int height = 64;
  uint64_t seed = 0;
  std::optional<image::RgbImage> init_image;  // image-to-image (resized to width × height)
  double strength = 0.75;                     // image-to-image: share of the schedule re-run
};

class DiffusionPipeline {
 public:
  // Reads the diffusers folder (configs checked, every weight checked against the layout). The
  // sampler is scheduler_config.json's (DDIM for classes other than DDIM / Euler ancestral, e.g.
  // SD 1.5's PNDMScheduler), or `sampler` when given (the task's `scheduler` key).
  explicit DiffusionPipeline(const std::string& model_dir,
                             std::optional<models::SchedulerKind> sampler = std::nullopt);

  // Deterministic for the same settings on one machine (the caller fixes libtorch's thread count).
  // Image-to-image with no denoising step left returns the init image resized: with nothing to
  // generate, only the autoencoder's reconstruction error would be added.
  image::RgbImage generate(const GenerationSettings& settings) const;

  // The denoising steps `settings` runs (the task's work).
  int64_t denoising_steps(const GenerationSettings& settings) const;

  // Perceptual features of an image: the VAE encoder's latents, each channel centred on its mean
  // (so the vector describes structure and colour layout, not the encoder's biases).
  std::vector<float> features(const image::RgbImage& image) const;

  // Width and height must be multiples of this (VAE factor × UNet downsampling).
  int64_t size_multiple() const;
  const models::DiffusionConfig& config() const { return config_; }

 private:
  models::DiffusionConfig config_;
  ClipTextEncoder text_encoder_;
  UNetDenoiser unet_;
  AutoencoderKl vae_;
  DdimSchedule schedule_;
  EulerAncestralSchedule euler_;
};

// The seed of Euler ancestral's fresh noise at step `index` of a run (the starting noise uses the
// request's seed itself): a SplitMix64 of the two, so the draws of different steps are unrelated.
uint64_t step_noise_seed(uint64_t seed, int64_t index);

}  // namespace nineteen::diffusion
