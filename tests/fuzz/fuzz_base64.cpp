// Fuzz target: base64 as requests carry images (image::base64_decode); what decodes must encode
// back to text that decodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nineteen/image/base64.hpp"
#include "nineteen/sdk/error.hpp"

namespace image = nineteen::image;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const std::string bytes = image::base64_decode(text, "image");
    if (image::base64_decode(image::base64_encode(bytes), "again") != bytes) std::abort();
  } catch (const nineteen::sdk::Error&) {
  }
  // Any bytes but none (refused as "empty base64") encode and decode back.
  if (!text.empty() && image::base64_decode(image::base64_encode(text), "raw") != text) std::abort();
  return 0;
}
