// DDIM and Euler-ancestral timesteps and noise levels, computed as diffusers' scheduling_ddim.py and
// scheduling_euler_ancestral_discrete.py do (f32 betas and cumulative product, numpy's spacings).
#include "ddim_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::diffusion {

std::vector<float> alphas_cumprod(const models::SchedulerConfig& config) {
  const int64_t n = config.num_train_timesteps;
  const double a = config.scaled_linear ? std::sqrt(config.beta_start) : config.beta_start;
  const double b = config.scaled_linear ? std::sqrt(config.beta_end) : config.beta_end;
  std::vector<float> out;
  float product = 1.f;
  for (int64_t i = 0; i < n; ++i) {
    float root = float(a + (b - a) * double(i) / double(n - 1));
    float beta = config.scaled_linear ? root * root : root;
    product *= 1.f - beta;
    out.push_back(product);
  }
  return out;
}

namespace {

// The run's timesteps, noisiest first, by timestep_spacing (diffusers' set_timesteps):
//   linspace: linspace(0, T − 1, n) reversed (rounded to integers for DDIM, kept as f32 for Euler)
//   leading:  round(arange(n) · (T // n)) reversed, + steps_offset
//   trailing: round(arange(T, 0, −T / n)) − 1
std::vector<double> spaced_timesteps(const models::SchedulerConfig& c, int64_t n, bool integers) {
  const int64_t T = c.num_train_timesteps;
  const std::string spacing = c.spacing();
  std::vector<double> out;
  if (spacing == "linspace") {
    for (int64_t i = n - 1; i >= 0; --i) {
      const double t = n == 1 ? 0.0 : double(T - 1) * double(i) / double(n - 1);
      out.push_back(integers ? std::nearbyint(t) : double(float(t)));
    }
  } else if (spacing == "trailing") {
    const double ratio = double(T) / double(n);
    for (double t = double(T); t > 0 && int64_t(out.size()) < n; t -= ratio) out.push_back(std::nearbyint(t) - 1);
  } else {
    const int64_t ratio = T / n;
    for (int64_t i = n - 1; i >= 0; --i) out.push_back(double(i * ratio + c.steps_offset));
  }
  return out;
}

}  // namespace

DdimSchedule::DdimSchedule(const models::SchedulerConfig& config)
    : config_(config), alphas_cumprod_(alphas_cumprod(config)) {}

std::vector<DdimStep> DdimSchedule::steps(int64_t steps, double strength) const {
  const int64_t ratio = config_.num_train_timesteps / steps;
  const double final_alpha = config_.set_alpha_to_one ? 1.0 : double(alphas_cumprod_.front());
  std::vector<DdimStep> out;
  for (double t : spaced_timesteps(config_, steps, true)) {
    DdimStep s;
    s.timestep = std::min(int64_t(t), config_.num_train_timesteps - 1);
    s.alpha_cumprod = alphas_cumprod_[size_t(s.timestep)];
    // DDIMScheduler.step: prev_timestep = t − T // n, whatever the spacing.
    const int64_t prev = s.timestep - ratio;
    s.alpha_cumprod_prev = prev >= 0 ? double(alphas_cumprod_[size_t(prev)]) : final_alpha;
    out.push_back(s);
  }
  const int64_t kept = std::min<int64_t>(int64_t(double(steps) * strength), steps);
  out.erase(out.begin(), out.begin() + (steps - kept));
  return out;
}

EulerAncestralSchedule::EulerAncestralSchedule(const models::SchedulerConfig& config)
    : config_(config), alphas_cumprod_(alphas_cumprod(config)) {}

std::vector<double> EulerAncestralSchedule::timesteps(int64_t steps) const {
  return spaced_timesteps(config_, steps, false);
}

std::vector<double> EulerAncestralSchedule::sigmas(int64_t steps) const {
  // sigmas = ((1 − ᾱ) / ᾱ) ** 0.5 over every training timestep (f32), np.interp at the run's
  // timesteps, then [0] appended and the whole cast to f32.
  std::vector<float> full;
  for (float a : alphas_cumprod_) full.push_back(std::sqrt((1.f - a) / a));
  std::vector<double> out;
  for (double t : timesteps(steps)) {
    const double clamped = std::clamp(t, 0.0, double(full.size() - 1));
    const size_t lo = size_t(std::floor(clamped)), hi = std::min(lo + 1, full.size() - 1);
    const double frac = clamped - double(lo);
    out.push_back(double(float(double(full[lo]) + (double(full[hi]) - double(full[lo])) * frac)));
  }
  out.push_back(0.0);
  return out;
}

double EulerAncestralSchedule::init_noise_sigma(int64_t steps) const {
  const std::vector<double> s = sigmas(steps);
  const double max_sigma = *std::max_element(s.begin(), s.end());
  return config_.spacing() == "leading" ? std::sqrt(max_sigma * max_sigma + 1) : max_sigma;
}

std::vector<EulerStep> EulerAncestralSchedule::steps(int64_t steps, double strength) const {
  const std::vector<double> t = timesteps(steps), s = sigmas(steps);
  const int64_t kept = std::min<int64_t>(int64_t(double(steps) * strength), steps);
  std::vector<EulerStep> out;
  for (int64_t i = steps - kept; i < steps; ++i) out.push_back({t[size_t(i)], s[size_t(i)], s[size_t(i) + 1]});
  return out;
}

}  // namespace nineteen::diffusion
