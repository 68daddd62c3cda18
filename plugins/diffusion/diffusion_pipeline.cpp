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

namespace {
models::DiffusionConfig with_sampler(models::DiffusionConfig c, std::optional<models::SchedulerKind> sampler) {
  if (sampler) c.scheduler.kind = *sampler;
  return c;
}
}  // namespace

uint64_t step_noise_seed(uint64_t seed, int64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * uint64_t(index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

DiffusionPipeline::DiffusionPipeline(const std::string& model_dir, std::optional<models::SchedulerKind> sampler)
    : config_(with_sampler(models::DiffusionConfig::from_model_dir(model_dir), sampler)),
      text_encoder_(model_dir, config_.text),
      unet_(model_dir, config_.unet),
      vae_(model_dir, config_.vae),
      schedule_(config_.scheduler),
      euler_(config_.scheduler) {}

int64_t DiffusionPipeline::size_multiple() const {
  return config_.vae.downscale() * (int64_t(1) << (config_.unet.block_out_channels.size() - 1));
}

int64_t DiffusionPipeline::denoising_steps(const GenerationSettings& s) const {
  const double strength = s.init_image ? s.strength : 1.0;
  return config_.scheduler.kind == models::SchedulerKind::EulerAncestral ? int64_t(euler_.steps(s.steps, strength).size())
                                                                         : int64_t(schedule_.steps(s.steps, strength).size());
}

image::RgbImage DiffusionPipeline::generate(const GenerationSettings& s) const {
  torch::InferenceMode inference;
  const bool euler = config_.scheduler.kind == models::SchedulerKind::EulerAncestral;
  const double strength = s.init_image ? s.strength : 1.0;
  const std::vector<DdimStep> ddim_steps = euler ? std::vector<DdimStep>{} : schedule_.steps(s.steps, strength);
  const std::vector<EulerStep> euler_steps = euler ? euler_.steps(s.steps, strength) : std::vector<EulerStep>{};
  const size_t step_count = euler ? euler_steps.size() : ddim_steps.size();
  std::optional<image::RgbImage> init;
  if (s.init_image) init = image::resize_image(*s.init_image, s.width, s.height);
  if (init && step_count == 0) return *init;

  const int64_t f = config_.vae.downscale(), channels = config_.vae.latent_channels;
  const int64_t h = s.height / f, w = s.width / f;
  auto noise_of = [&](uint64_t seed) {
    std::vector<float> values = latent_noise(seed, size_t(channels * h * w));
    return torch::from_blob(values.data(), {1, channels, h, w}, torch::kFloat32).clone();
  };
  torch::Tensor noise = noise_of(s.seed);
  torch::Tensor latents;
  if (init) {
    torch::Tensor encoded = vae_.encode(to_pixels(*init));
    if (euler) {
      latents = encoded + noise * euler_steps.front().sigma;  // EulerAncestral add_noise: x0 + σ·ε
    } else {
      const double a = ddim_steps.front().alpha_cumprod;
      latents = std::sqrt(a) * encoded + std::sqrt(1 - a) * noise;
    }
  } else {
    // init_noise_sigma: 1 for DDIM, Euler's largest σ (or √(σ² + 1) with "leading" spacing).
    latents = euler ? noise * euler_.init_noise_sigma(s.steps) : noise;
  }

  const bool guided = s.cfg_scale > 1.0;
  torch::Tensor context = guided ? text_encoder_.encode({s.negative_prompt, s.prompt}) : text_encoder_.encode({s.prompt});
  auto predict = [&](const torch::Tensor& input_latents, double timestep) {
    torch::Tensor input = guided ? torch::cat({input_latents, input_latents}) : input_latents;
    torch::Tensor eps = unet_.predict_noise(input, timestep, context);
    if (guided) {
      auto parts = eps.chunk(2);
      eps = parts[0] + s.cfg_scale * (parts[1] - parts[0]);
    }
    return eps;
  };
  if (euler) {
    // EulerAncestralDiscreteScheduler.step (epsilon): x0 = x − σ·ε; σ_up = √(σ_next²(σ² − σ_next²)/σ²),
    // σ_down = √(σ_next² − σ_up²); x ← x + (x − x0)/σ · (σ_down − σ) + σ_up · fresh noise.
    const int64_t first = s.steps - int64_t(euler_steps.size());
    for (size_t i = 0; i < euler_steps.size(); ++i) {
      const EulerStep& step = euler_steps[i];
      torch::Tensor eps = predict(latents / std::sqrt(step.sigma * step.sigma + 1), step.timestep);
      torch::Tensor x0 = latents - step.sigma * eps;
      const double from = step.sigma, to = step.sigma_next;
      const double up = std::sqrt(to * to * (from * from - to * to) / (from * from));
      const double down = std::sqrt(to * to - up * up);
      latents = latents + (latents - x0) / from * (down - from);
      if (up > 0) latents = latents + noise_of(step_noise_seed(s.seed, first + int64_t(i))) * up;
    }
  } else {
    for (const DdimStep& step : ddim_steps) {
      torch::Tensor eps = predict(latents, double(step.timestep));
      torch::Tensor x0 = (latents - std::sqrt(1 - step.alpha_cumprod) * eps) / std::sqrt(step.alpha_cumprod);
      latents = std::sqrt(step.alpha_cumprod_prev) * x0 + std::sqrt(1 - step.alpha_cumprod_prev) * eps;
    }
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
