// The OpenAI images answer: writing {"created", "data":[{"b64_json"}]} and reading the image back
// out of a miner's answer (the JSON array of chunks check and work receive).
#pragma once

#include <string>
#include <string_view>

#include <nineteen/image/rgb_image.hpp>

namespace nineteen::diffusion {

std::string write_image_answer(const image::RgbImage& image, int64_t created);

// The first chunk's data[0].b64_json, decoded (PNG or JPEG). Throws sdk::Error(NT_INVALID_ARGUMENT)
// saying which part of the answer is missing or broken.
image::RgbImage read_answer_image(std::string_view response_chunks);

}  // namespace nineteen::diffusion
