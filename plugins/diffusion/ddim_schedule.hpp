// DDIMScheduler arithmetic (scaled_linear betas, "leading" spacing, eta 0, epsilon prediction):
// which timesteps a run visits and the coefficients of each step. Plain numbers, no libtorch.
#pragma once

#include <cstdint>
#include <vector>

#include <nineteen/models/diffusion_config.hpp>

namespace nineteen::diffusion {

struct DdimStep {
  int64_t timestep = 0;
  double alpha_cumprod = 0;       // ᾱ_t
  double alpha_cumprod_prev = 0;  // ᾱ of the next (less noisy) timestep, or the final alpha
};

class DdimSchedule {
 public:
  explicit DdimSchedule(const models::DdimConfig& config);

  // The steps of a `steps`-step run, noisiest first. With `strength` < 1 (image-to-image), only the
  // last int(steps · strength) of them, as diffusers' img2img does; empty when that is 0.
  std::vector<DdimStep> steps(int64_t steps, double strength = 1.0) const;
  double alpha_cumprod(int64_t timestep) const { return alphas_cumprod_.at(size_t(timestep)); }

 private:
  models::DdimConfig config_;
  std::vector<double> alphas_cumprod_;
};

}  // namespace nineteen::diffusion
