// The registry of live tasks by name.
#include "nineteen/plugin_host/task_registry.hpp"

#include "nineteen/plugin_host/live_task.hpp"

namespace nineteen::plugin_host {

std::shared_ptr<LiveTask> TaskRegistry::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tasks_.find(name);
  return it == tasks_.end() ? nullptr : it->second;
}

std::shared_ptr<LiveTask> TaskRegistry::put(std::shared_ptr<LiveTask> task) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<LiveTask>& slot = tasks_[task->name()];
  std::shared_ptr<LiveTask> old = std::move(slot);
  slot = std::move(task);
  return old;  // destroyed by the caller outside the lock (or by the last call holding it)
}

void TaskRegistry::remove(const std::string& name) {
  std::shared_ptr<LiveTask> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tasks_.find(name);
    if (it == tasks_.end()) return;
    old = std::move(it->second);
    tasks_.erase(it);
  }
}

void TaskRegistry::clear() {
  std::map<std::string, std::shared_ptr<LiveTask>> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old.swap(tasks_);
  }
}

std::vector<std::string> TaskRegistry::names() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, task] : tasks_) out.push_back(name);
  return out;
}

}  // namespace nineteen::plugin_host
