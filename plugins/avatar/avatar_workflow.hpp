// The avatar workflow's own steps, apart from the host: reading a request, the structure guide
// (edges of the portrait at low resolution), the init image handed to image-to-image, the request
// for it, procedural portraits for synthetic requests, and the quality rule.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nineteen/image/rgb_image.hpp>

namespace nineteen::avatar {

struct AvatarLimits {
  int max_side = 256;
  int64_t max_steps = 50;
};

struct AvatarRequest {
  image::RgbImage portrait;
  std::string prompt;
  std::string negative_prompt;
  double identity_strength = 0.7;   // how much of the portrait survives: image-to-image strength = 1 − this
  double structure_strength = 0.5;  // how much of the edge guide is blended into the init image
  int64_t steps = 8;
  uint64_t seed = 0;
  int size = 64;                    // the avatar is size × size
};

// Errors (sdk::Error NT_INVALID_ARGUMENT) name the request key and what was expected.
AvatarRequest read_avatar_request(std::string_view json, const AvatarLimits& limits);

// Sobel edge magnitude of the luminance at a quarter of the side, scaled up again: the face's
// structure without its detail.
image::RgbImage structure_guide(const image::RgbImage& face);
// (1 − structure_strength) · face + structure_strength · guide, per channel.
image::RgbImage init_image(const image::RgbImage& face, const image::RgbImage& guide, double structure_strength);
// The image-to-image request the workflow sends for `r`.
std::string image_to_image_request(const AvatarRequest& r);
// Denoising steps the image-to-image task runs for `r` (its work).
double steps_run(const AvatarRequest& r);

// A synthetic portrait (background gradient, face, eyes, mouth) drawn from the seed.
image::RgbImage procedural_portrait(uint64_t seed, int side);

// q from the luminance SSIM s between the reference and the miner's image: 1 if s > 0.95, else s²
// (MECHANISM.md §6 image; the workflow has no feature model of its own, so SSIM alone).
double avatar_quality(double ssim);

}  // namespace nineteen::avatar
