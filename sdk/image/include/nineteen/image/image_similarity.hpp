// How alike two images are: SSIM on luminance at a fixed size, and a cosine between feature
// vectors (the caller's model supplies the features).
#pragma once

#include <vector>

#include "nineteen/image/rgb_image.hpp"

namespace nineteen::image {

// The side both images are resampled to before SSIM, so the score does not depend on the size asked.
constexpr int kSsimSide = 64;

// Mean SSIM (Wang et al. 2004: 11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03, L 255) of the
// BT.601 luminance of both images after resizing each to kSsimSide × kSsimSide. 1 for identical
// images; near 0 for unrelated ones; may be slightly negative (returned as is).
double luminance_ssim(const RgbImage& a, const RgbImage& b);

// Standard deviation of the BT.601 luminance (0..255): near 0 for a blank (flat) image.
double luminance_spread(const RgbImage& image);

// Cosine of the angle between a and b; 0 when either is all zeros. Throws sdk::Error on a length mismatch.
double feature_cosine(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace nineteen::image
