// Resampling RgbImage to another size: area averaging when shrinking, bilinear when growing.
#pragma once

#include "nineteen/image/rgb_image.hpp"

namespace nineteen::image {

// Deterministic (plain loops, no threads). Throws sdk::Error when a size is < 1 or the source is empty.
RgbImage resize_image(const RgbImage& source, int width, int height);

}  // namespace nineteen::image
