// PNG encoding and decoding (libpng's simplified API) to and from RgbImage.
#pragma once

#include <string>
#include <string_view>

#include "nineteen/image/rgb_image.hpp"

namespace nineteen::image {

// 8-bit RGB PNG. The same image always gives the same bytes.
std::string encode_png(const RgbImage& image);

// Any PNG libpng reads (palette, grey, alpha, 16-bit), converted to 8-bit RGB (alpha composited on
// black). Throws sdk::Error(NT_INVALID_ARGUMENT) naming `what` when the bytes are not a PNG, are
// damaged, or declare a side over `max_side` (checked on the header, before the pixels are allocated:
// a 100-byte PNG may declare 65535x65535, 12.9 GB of RGB).
RgbImage decode_png(std::string_view bytes, const std::string& what, int max_side = 65535);

bool looks_like_png(std::string_view bytes);

}  // namespace nineteen::image
