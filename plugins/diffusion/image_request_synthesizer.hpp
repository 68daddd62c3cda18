// Synthetic images requests drawn from the distributions organic ones come from: varied prompts,
// sizes, steps, guidance and seeds; image-to-image init images drawn procedurally (never fetched).
#pragma once

#include <cstdint>
#include <string>

#include <nineteen/image/rgb_image.hpp>

#include "image_request.hpp"

namespace nineteen::diffusion {

// A function of the seed alone. Sizes stay within limits (64…min(256, max_side), multiples of
// size_multiple), steps within 4…min(20, max_steps).
std::string synthesize_image_request(uint64_t seed, ImageTaskType type, const ImageRequestLimits& limits);

// Gradients, discs and bars in seeded colours: an init image with structure to keep.
image::RgbImage procedural_image(uint64_t seed, int width, int height);

}  // namespace nineteen::diffusion
