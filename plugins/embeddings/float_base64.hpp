// OpenAI's encoding_format "base64": a vector's little-endian float32 bytes in standard base64.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::embeddings {

std::string floats_to_base64(const float* values, size_t count);
// nullopt when `text` is not padded standard base64 or its bytes are not a whole number of floats.
std::optional<std::vector<float>> base64_to_floats(std::string_view text);

}  // namespace nineteen::embeddings
