// One diffusion task's settings, read from its tasks.toml table (as the JSON object the host passes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nineteen/sdk/json.hpp>

#include <nineteen/models/diffusion_config.hpp>

namespace nineteen::diffusion {

enum class ImageTaskType { TextToImage, ImageToImage };

struct DiffusionTaskConfig {
  ImageTaskType type = ImageTaskType::TextToImage;
  // The diffusers folder, used exactly as given (absolute, or relative to the loading process).
  std::string model_dir;
  int threads = 1;                 // libtorch intra-op threads (process-wide); fixed for reproducible images
  int max_side = 512;              // largest width or height a request may ask for
  int64_t max_steps = 50;          // largest steps a request may ask for
  int64_t max_image_bytes = 4 << 20;  // largest init_image (decoded bytes)
  std::string model_name;          // what the descriptor calls the model; default: the folder name
  // "ddim" or "euler-ancestral": the sampler, instead of scheduler_config.json's class.
  std::optional<models::SchedulerKind> scheduler;

  // Errors name the key, e.g. `task "t2i" config key "type": expected "text-to-image" or ...`.
  static DiffusionTaskConfig from_json(const sdk::JsonObject& config);
};

const char* endpoint_of(ImageTaskType type);

}  // namespace nineteen::diffusion
