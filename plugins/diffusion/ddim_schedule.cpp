// DDIM timesteps and ᾱ values, computed as diffusers does (f32 betas, cumulative product in f32).
#include "ddim_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::diffusion {

DdimSchedule::DdimSchedule(const models::DdimConfig& config) : config_(config) {
  const int64_t n = config.num_train_timesteps;
  const double a = std::sqrt(config.beta_start), b = std::sqrt(config.beta_end);
  float product = 1.f;
  for (int64_t i = 0; i < n; ++i) {
    float root = float(a + (b - a) * double(i) / double(n - 1));
    product *= 1.f - root * root;
    alphas_cumprod_.push_back(product);
  }
}

std::vector<DdimStep> DdimSchedule::steps(int64_t steps, double strength) const {
  const int64_t ratio = config_.num_train_timesteps / steps;
  const double final_alpha = config_.set_alpha_to_one ? 1.0 : alphas_cumprod_.front();
  std::vector<DdimStep> out;
  for (int64_t i = steps - 1; i >= 0; --i) {
    DdimStep s;
    s.timestep = std::min(i * ratio + config_.steps_offset, config_.num_train_timesteps - 1);
    s.alpha_cumprod = alphas_cumprod_[size_t(s.timestep)];
    const int64_t prev = s.timestep - ratio;
    s.alpha_cumprod_prev = prev >= 0 ? alphas_cumprod_[size_t(prev)] : final_alpha;
    out.push_back(s);
  }
  const int64_t kept = std::min<int64_t>(int64_t(double(steps) * strength), steps);
  out.erase(out.begin(), out.begin() + (steps - kept));
  return out;
}

}  // namespace nineteen::diffusion
