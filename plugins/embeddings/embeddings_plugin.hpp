// The embeddings plugin: task type "embeddings"; tasks on the same model share one load.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nineteen/models/compute_threads.hpp>
#include <nineteen/sdk/task.hpp>

#include "loaded_encoder.hpp"

namespace nineteen::embeddings {

class EmbeddingsPlugin : public sdk::Plugin {
 public:
  using Plugin::Plugin;

  std::vector<sdk::TaskType> task_types() const override;
  // Reads the task's config (EmbeddingsTaskConfig), loads or reuses its model and makes the task.
  std::unique_ptr<sdk::Task> create_task(const std::string& name, const sdk::JsonObject& config) override;

 private:
  EncoderCache models_;
  models::ComputeThreads threads_;
};

}  // namespace nineteen::embeddings
