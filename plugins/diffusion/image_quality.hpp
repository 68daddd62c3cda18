// The §6 image rule as a pure function: similarity s from luminance SSIM and the feature cosine,
// then q = 1 if s > 0.95 else s².
#pragma once

#include <string>

#include <nineteen/sdk/task.hpp>

namespace nineteen::diffusion {

// s = max(0, (ssim + cosine) / 2): the mean, so a JPEG re-encode (SSIM ≈ 0.99, cosine ≈ 0.94)
// still passes while either measure alone near 0 (another seed, a blank image) sinks it.
double image_similarity_score(double ssim, double cosine);

// The quality and the reason the checker records, e.g. "s 0.967 (ssim 0.990, cosine 0.944) > 0.95".
sdk::CheckResult image_quality(double ssim, double cosine);

}  // namespace nineteen::diffusion
