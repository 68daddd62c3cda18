// Plugin-wide state of the diffusion plugin: the task types and the pipelines shared by model folder.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nineteen/models/compute_threads.hpp>
#include <nineteen/sdk/task.hpp>

#include "diffusion_pipeline.hpp"

namespace nineteen::diffusion {

class DiffusionPlugin : public sdk::Plugin {
 public:
  using Plugin::Plugin;
  std::vector<sdk::TaskType> task_types() const override;
  std::unique_ptr<sdk::Task> create_task(const std::string& name, const sdk::JsonObject& config) override;

 private:
  std::mutex mutex_;
  // Tasks on one folder (text-to-image and image-to-image) share its weights while either lives.
  std::map<std::string, std::weak_ptr<const DiffusionPipeline>> pipelines_;
  models::ComputeThreads threads_;
};

}  // namespace nineteen::diffusion
