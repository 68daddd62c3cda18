// The embeddings plugin: task type "embeddings"; tasks on the same model share one load.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

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
  std::mutex threads_mutex_;
  int applied_threads_ = 0;  // libtorch threads are process-wide: the last task's setting wins
};

}  // namespace nineteen::embeddings
