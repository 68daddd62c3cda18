// Running text-to-image and image-to-image through the reference pipeline.
#include "diffusion_pipeline.hpp"

#include <cmath>

#include <nineteen/image/image_resize.hpp>

#include "latent_noise.hpp"

namespace nineteen::diffusion {

namespace {

torch::Tensor to_pixels(const image::RgbImage& img) {
  torch::Tensor bytes = torch::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3}, torch::kUInt8);
  return bytes.to(torch::kFloat32).permute({2, 0, 1}).unsqueeze(0).contiguous() / 127.5 - 1.0;
}

image::RgbImage from_pixels(const torch::Tensor& pixels) {
  torch::Tensor bytes = ((pixels[0] + 1.0) * 127.5).round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  image::RgbImage out(int(bytes.size(1)), int(bytes.size(0)));
  std::memcpy(out.pixels.data(), bytes.data_ptr<uint8_t>(), out.pixels.size());
  return out;
}

}  // namespace

DiffusionPipeline::DiffusionPipeline(const std::string& model_dir)
    : config_(models::DiffusionConfig::from_model_dir(model_dir)),
      text_encoder_(model_dir, config_.text),
      unet_(model_dir, config_.unet),
      vae_(model_dir, config_.vae),
      schedule_(config_.scheduler) {}

int64_t DiffusionPipeline::size_multiple() const {
  return config_.vae.downscale() * (int64_t(1) << (config_.unet.block_out_channels.size() - 1));
}

int64_t DiffusionPipeline::denoising_steps(const GenerationSettings& s) const {
  return int64_t(schedule_.steps(s.steps, s.init_image ? s.strength : 1.0).size());
}

image::RgbImage DiffusionPipeline::generate(const GenerationSettings& s) const {
  torch::InferenceMode inference;
  const std::vector<DdimStep> steps = schedule_.steps(s.steps, s.init_image ? s.strength : 1.0);
  std::optional<image::RgbImage> init;
  if (s.init_image) init = image::resize_image(*s.init_image, s.width, s.height);
  if (init && steps.empty()) return *init;

  const int64_t f = config_.vae.downscale(), channels = config_.vae.latent_channels;
  const int64_t h = s.height / f, w = s.width / f;
  std::vector<float> noise_values = latent_noise(s.seed, size_t(channels * h * w));
  torch::Tensor noise = torch::from_blob(noise_values.data(), {1, channels, h, w}, torch::kFloat32).clone();
  torch::Tensor latents;
  if (init) {
    const double a = steps.front().alpha_cumprod;
    latents = std::sqrt(a) * vae_.encode(to_pixels(*init)) + std::sqrt(1 - a) * noise;
  } else {
    latents = noise;  // DDIM's init_noise_sigma is 1
  }

  const bool guided = s.cfg_scale > 1.0;
  torch::Tensor context = guided ? text_encoder_.encode({s.negative_prompt, s.prompt}) : text_encoder_.encode({s.prompt});
  for (const DdimStep& step : steps) {
    torch::Tensor input = guided ? torch::cat({latents, latents}) : latents;
    torch::Tensor eps = unet_.predict_noise(input, step.timestep, context);
    if (guided) {
      auto parts = eps.chunk(2);
      eps = parts[0] + s.cfg_scale * (parts[1] - parts[0]);
    }
    torch::Tensor x0 = (latents - std::sqrt(1 - step.alpha_cumprod) * eps) / std::sqrt(step.alpha_cumprod);
    latents = std::sqrt(step.alpha_cumprod_prev) * x0 + std::sqrt(1 - step.alpha_cumprod_prev) * eps;
  }
  return from_pixels(vae_.decode(latents));
}

std::vector<float> DiffusionPipeline::features(const image::RgbImage& img) const {
  torch::InferenceMode inference;
  // A fixed size (so both images of a comparison give vectors of one length whatever their size).
  // 32: area-averaging to it removes the high frequencies a JPEG re-encode disturbs.
  const int64_t side = 32;
  torch::Tensor latents = vae_.encode(to_pixels(image::resize_image(img, int(side), int(side))));
  latents = latents - latents.mean({2, 3}, true);
  latents = latents.flatten().contiguous();
  return std::vector<float>(latents.data_ptr<float>(), latents.data_ptr<float>() + latents.numel());
}

}  // namespace nineteen::diffusion
