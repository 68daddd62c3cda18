// Client image bytes → pixels: format by signature, size limits before and after decoding.
#include "nineteen/image/image_decoding.hpp"

#include "nineteen/image/base64.hpp"
#include "nineteen/image/jpeg_codec.hpp"
#include "nineteen/image/png_codec.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::image {

RgbImage decode_image_bytes(std::string_view bytes, const std::string& what, const ImageLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": " + std::to_string(bytes.size()) + " bytes; the limit is " +
                                              std::to_string(limits.max_bytes));
  }
  RgbImage image;
  if (looks_like_png(bytes)) {
    image = decode_png(bytes, what, limits.max_side);
  } else if (looks_like_jpeg(bytes)) {
    image = decode_jpeg(bytes, what, limits.max_side);
  } else {
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": not a PNG or JPEG image (" + std::to_string(bytes.size()) +
                                              " bytes without either signature)");
  }
  if (image.width > limits.max_side || image.height > limits.max_side) {
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": " + std::to_string(image.width) + "x" +
                                              std::to_string(image.height) + " pixels; each side may be at most " +
                                              std::to_string(limits.max_side));
  }
  return image;
}

RgbImage decode_image_base64(std::string_view text, const std::string& what, const ImageLimits& limits) {
  // Base64 is 4/3 of the bytes: refuse a huge string before decoding it.
  if (text.size() / 4 * 3 > limits.max_bytes + 3) {
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": about " + std::to_string(text.size() / 4 * 3) +
                                              " bytes of base64; the limit is " + std::to_string(limits.max_bytes));
  }
  return decode_image_bytes(base64_decode(text, what), what, limits);
}

}  // namespace nineteen::image
