// PNG through libpng's simplified (png_image) API: no setjmp in our code, errors as text.
#include "nineteen/image/png_codec.hpp"

#include <cstring>

#include <png.h>

#include "nineteen/sdk/error.hpp"

namespace nineteen::image {

bool looks_like_png(std::string_view bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0;
}

std::string encode_png(const RgbImage& image) {
  if (image.width < 1 || image.height < 1 || image.pixels.size() != size_t(image.width) * image.height * 3) {
    throw sdk::Error(NT_INTERNAL, "encode_png: the image has " + std::to_string(image.pixels.size()) +
                                      " bytes for " + std::to_string(image.width) + "x" + std::to_string(image.height));
  }
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = png_uint_32(image.width);
  png.height = png_uint_32(image.height);
  png.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), 0, nullptr)) {
    std::string message = png.message;
    png_image_free(&png);
    throw sdk::Error(NT_INTERNAL, "encode_png: " + message);
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr)) {
    std::string message = png.message;
    png_image_free(&png);
    throw sdk::Error(NT_INTERNAL, "encode_png: " + message);
  }
  out.resize(size);
  return out;
}

RgbImage decode_png(std::string_view bytes, const std::string& what, int max_side) {
  if (!looks_like_png(bytes)) throw sdk::Error(NT_INVALID_ARGUMENT, what + ": not a PNG (no PNG signature)");
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    std::string message = png.message;
    png_image_free(&png);
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": damaged PNG: " + message);
  }
  png.format = PNG_FORMAT_RGB;
  if (png.width < 1 || png.height < 1 || png.width > 65535 || png.height > 65535) {
    png_image_free(&png);
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": PNG size " + std::to_string(png.width) + "x" +
                                              std::to_string(png.height) + " is out of range");
  }
  if (png.width > static_cast<png_uint_32>(max_side) || png.height > static_cast<png_uint_32>(max_side)) {
    png_image_free(&png);
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": " + std::to_string(png.width) + "x" + std::to_string(png.height) +
                                              " pixels; each side may be at most " + std::to_string(max_side));
  }
  RgbImage image(int(png.width), int(png.height));
  png_color black{0, 0, 0};
  if (!png_image_finish_read(&png, &black, image.pixels.data(), 0, nullptr)) {
    std::string message = png.message;
    png_image_free(&png);
    throw sdk::Error(NT_INVALID_ARGUMENT, what + ": damaged PNG: " + message);
  }
  return image;
}

}  // namespace nineteen::image
