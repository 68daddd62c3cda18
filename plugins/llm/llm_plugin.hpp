// The llm plugin: task types "chat" and "completions"; tasks on the same model share one load.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nineteen/models/compute_threads.hpp>
#include <nineteen/sdk/task.hpp>

#include "batch_scheduler.hpp"
#include "loaded_model.hpp"

namespace nineteen::llm {

class LlmPlugin : public sdk::Plugin {
 public:
  using Plugin::Plugin;

  std::vector<sdk::TaskType> task_types() const override;
  // Reads the task's config (LlmTaskConfig), loads or reuses its model and makes the task.
  std::unique_ptr<sdk::Task> create_task(const std::string& name, const sdk::JsonObject& config) override;

 private:
  ModelCache models_;
  BatchSchedulers schedulers_;
  models::ComputeThreads threads_;
};

}  // namespace nineteen::llm
