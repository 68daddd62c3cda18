// Reading an OpenAI-style images request (generations, or edits as JSON) into GenerationSettings,
// within the task's limits; every error names the key and the allowed range.
#pragma once

#include <string_view>

#include "diffusion_pipeline.hpp"
#include "diffusion_task_config.hpp"

namespace nineteen::diffusion {

struct ImageRequestLimits {
  int max_side = 512;
  int size_multiple = 8;  // the pipeline's
  int64_t max_steps = 50;
  int64_t max_image_bytes = 4 << 20;
};

// Keys: prompt (required), negative_prompt, steps (default 8), cfg_scale (default 7.5, 0..30),
// width, height (default 64; multiples of size_multiple), seed (default 0, 0..2^53); image-to-image
// also init_image (base64 PNG or JPEG, required) and strength (default 0.75, 0..1). n, if given,
// must be 1 and response_format, if given, "b64_json"; model and user are ignored.
GenerationSettings read_image_request(std::string_view request, ImageTaskType type, const ImageRequestLimits& limits);

}  // namespace nineteen::diffusion
