// Combining SSIM and the feature cosine into a check quality.
#include "image_quality.hpp"

#include <algorithm>
#include <cstdio>

namespace nineteen::diffusion {

double image_similarity_score(double ssim, double cosine) { return std::max(0.0, (ssim + cosine) / 2); }

sdk::CheckResult image_quality(double ssim, double cosine) {
  const double s = image_similarity_score(ssim, cosine);
  char reason[128];
  std::snprintf(reason, sizeof reason, "s %.3f (ssim %.3f, cosine %.3f) %s", s, ssim, cosine,
                s > 0.95 ? "> 0.95" : "<= 0.95: q = s^2");
  return {s > 0.95 ? 1.0 : s * s, reason};
}

}  // namespace nineteen::diffusion
