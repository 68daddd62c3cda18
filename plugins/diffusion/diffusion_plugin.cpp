// The diffusion plugin's task types and task creation.
#include "diffusion_plugin.hpp"

#include <torch/torch.h>

#include "diffusion_task.hpp"

namespace nineteen::diffusion {

std::vector<sdk::TaskType> DiffusionPlugin::task_types() const {
  return {{"text-to-image", "OpenAI images generations (/v1/images/generations) on a latent-diffusion model in the "
                            "diffusers layout; keys: model_dir, threads, max_side, max_steps, max_image_bytes, model_name, scheduler "
                            "(ddim or euler-ancestral; default: scheduler_config.json's)"},
          {"image-to-image", "OpenAI images edits as JSON (/v1/images/edits): init_image (base64 PNG/JPEG) and "
                             "strength; same keys"}};
}

std::unique_ptr<sdk::Task> DiffusionPlugin::create_task(const std::string& name, const sdk::JsonObject& config) {
  DiffusionTaskConfig c = DiffusionTaskConfig::from_json(config);
  std::lock_guard<std::mutex> lock(mutex_);
  if (std::string warning = threads_.request("diffusion", name, c.threads); !warning.empty()) host().warn(warning);
  // Images are reproducible for one thread count; a fixed count keeps serve and check alike.
  at::set_num_threads(c.threads);
  const std::string key = c.model_dir + (c.scheduler ? std::string("#") + models::scheduler_class_name(*c.scheduler) : "");
  std::shared_ptr<const DiffusionPipeline> pipeline = pipelines_[key].lock();
  if (!pipeline) {
    try {
      pipeline = std::make_shared<const DiffusionPipeline>(c.model_dir, c.scheduler);
    } catch (const sdk::Error& e) {
      throw sdk::Error(e.code(), "task \"" + name + "\": " + e.what());
    }
    pipelines_[key] = pipeline;
  }
  return std::make_unique<DiffusionTask>(name, std::move(c), std::move(pipeline));
}

}  // namespace nineteen::diffusion
