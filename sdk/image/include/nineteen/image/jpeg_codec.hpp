// JPEG encoding and decoding (libjpeg) to and from RgbImage.
#pragma once

#include <string>
#include <string_view>

#include "nineteen/image/rgb_image.hpp"

namespace nineteen::image {

// Baseline JPEG at `quality` (1..100).
std::string encode_jpeg(const RgbImage& image, int quality);

// Greyscale or colour JPEG, converted to RGB. Throws sdk::Error(NT_INVALID_ARGUMENT) naming `what`
// when the bytes are not a JPEG, are damaged, or declare a side over `max_side` (checked on the
// header, before anything the size of the image is allocated).
RgbImage decode_jpeg(std::string_view bytes, const std::string& what, int max_side = 65535);

bool looks_like_jpeg(std::string_view bytes);

}  // namespace nineteen::image
