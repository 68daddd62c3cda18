// Fuzz target: decoding a PNG or JPEG sent in a request (image::decode_image_bytes, libpng and
// libjpeg underneath), within the limits the image tasks use.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nineteen/image/image_decoding.hpp"
#include "nineteen/sdk/error.hpp"

namespace image = nineteen::image;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  image::ImageLimits limits;
  limits.max_side = 512;  // keeps one run's memory small; the same code path as the default's
  try {
    const image::RgbImage decoded = image::decode_image_bytes(bytes, "image", limits);
    if (decoded.width <= 0 || decoded.height <= 0 || decoded.width > limits.max_side ||
        decoded.height > limits.max_side ||
        decoded.pixels.size() != static_cast<std::size_t>(decoded.width) * decoded.height * 3) {
      std::abort();
    }
  } catch (const nineteen::sdk::Error&) {
  }
  return 0;
}
