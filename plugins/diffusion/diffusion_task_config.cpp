// Reading a diffusion task's tasks.toml table with errors that name the key.
#include "diffusion_task_config.hpp"

#include <filesystem>

namespace nineteen::diffusion {

const char* endpoint_of(ImageTaskType type) {
  return type == ImageTaskType::TextToImage ? "/v1/images/generations" : "/v1/images/edits";
}

DiffusionTaskConfig DiffusionTaskConfig::from_json(const sdk::JsonObject& config) {
  config.allow_only({"type", "model_dir", "threads", "max_side", "max_steps", "max_image_bytes", "model_name",
                       "scheduler"});
  DiffusionTaskConfig c;
  const std::string type = config.string("type");
  if (type == "text-to-image") c.type = ImageTaskType::TextToImage;
  else if (type == "image-to-image") c.type = ImageTaskType::ImageToImage;
  else throw config.bad("type", "\"text-to-image\" or \"image-to-image\"", config.require("type"));
  c.model_dir = config.string("model_dir");
  if (c.model_dir.empty()) throw config.bad("model_dir", "a diffusers model folder", config.require("model_dir"));
  c.threads = int(config.integer_or("threads", 1, 1, 1024));
  c.max_side = int(config.integer_or("max_side", 512, 8, 4096));
  c.max_steps = config.integer_or("max_steps", 50, 1, 1000);
  c.max_image_bytes = config.integer_or("max_image_bytes", 4 << 20, 1024, int64_t(1) << 30);
  if (config.has("scheduler")) {
    const std::string sampler = config.string("scheduler");
    if (sampler == "ddim") c.scheduler = models::SchedulerKind::Ddim;
    else if (sampler == "euler-ancestral") c.scheduler = models::SchedulerKind::EulerAncestral;
    else throw config.bad("scheduler", "\"ddim\" or \"euler-ancestral\"", config.require("scheduler"));
  }
  std::string folder = std::filesystem::path(c.model_dir).lexically_normal().filename().string();
  c.model_name = config.string_or("model_name", folder.empty() ? std::string("diffusion") : folder);
  return c;
}

}  // namespace nineteen::diffusion
