// The two samplers' arithmetic, as diffusers computes it (plain numbers, no libtorch):
// DDIMScheduler (eta 0, epsilon prediction) and EulerAncestralDiscreteScheduler, both over the
// betas of scheduler_config.json ("scaled_linear" or "linear") and its timestep_spacing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nineteen/models/diffusion_config.hpp>

namespace nineteen::diffusion {

// ᾱ_t for t in [0, num_train_timesteps): betas by torch.linspace in f32 (of √β for scaled_linear),
// then the cumulative product of 1 − β in f32.
std::vector<float> alphas_cumprod(const models::SchedulerConfig& config);

struct DdimStep {
  int64_t timestep = 0;
  double alpha_cumprod = 0;       // ᾱ_t
  double alpha_cumprod_prev = 0;  // ᾱ of the next (less noisy) timestep, or the final alpha
};

class DdimSchedule {
 public:
  explicit DdimSchedule(const models::SchedulerConfig& config);

  // The steps of a `steps`-step run, noisiest first. With `strength` < 1 (image-to-image), only the
  // last int(steps · strength) of them, as diffusers' img2img does; empty when that is 0.
  std::vector<DdimStep> steps(int64_t steps, double strength = 1.0) const;
  double alpha_cumprod(int64_t timestep) const { return alphas_cumprod_.at(size_t(timestep)); }

 private:
  models::SchedulerConfig config_;
  std::vector<float> alphas_cumprod_;
};

struct EulerStep {
  double timestep = 0;    // what the UNet is given (fractional with "linspace" spacing)
  double sigma = 0;       // σ of this step
  double sigma_next = 0;  // σ of the next one (0 after the last)
};

// EulerAncestralDiscreteScheduler.set_timesteps: σ(t) = √((1 − ᾱ_t) / ᾱ_t) interpolated at the
// run's timesteps, a final 0 appended; the model input is x / √(σ² + 1).
class EulerAncestralSchedule {
 public:
  explicit EulerAncestralSchedule(const models::SchedulerConfig& config);

  std::vector<double> timesteps(int64_t steps) const;  // noisiest first
  std::vector<double> sigmas(int64_t steps) const;     // steps + 1 values, the last 0
  // The scale of the starting noise: max σ ("linspace", "trailing") or √(max σ² + 1) ("leading").
  double init_noise_sigma(int64_t steps) const;
  // The steps a run makes; with `strength` < 1 only the last int(steps · strength).
  std::vector<EulerStep> steps(int64_t steps, double strength = 1.0) const;

 private:
  models::SchedulerConfig config_;
  std::vector<float> alphas_cumprod_;
};

}  // namespace nineteen::diffusion
