// Turning the bytes a client sent (base64 PNG or JPEG) into pixels, with limits and clear errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "nineteen/image/rgb_image.hpp"

namespace nineteen::image {

struct ImageLimits {
  size_t max_bytes = 8u << 20;  // encoded size
  int max_side = 2048;          // width and height, each
};

// PNG or JPEG, told apart by their signatures. Errors (NT_INVALID_ARGUMENT) name `what` and say
// which formats are read, or which limit was passed and by how much.
RgbImage decode_image_bytes(std::string_view bytes, const std::string& what, const ImageLimits& limits = {});

// base64 (or a data URL) → decode_image_bytes.
RgbImage decode_image_base64(std::string_view text, const std::string& what, const ImageLimits& limits = {});

}  // namespace nineteen::image
