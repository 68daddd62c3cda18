// The registry of live tasks by name; swapping an entry lets calls in flight finish on the old task.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nineteen::plugin_host {

class LiveTask;

// What a plugin's `invoke` resolves task names through.
class TaskResolver {
 public:
  virtual ~TaskResolver() = default;
  virtual std::shared_ptr<LiveTask> find(const std::string& name) const = 0;
};

class TaskRegistry : public TaskResolver {
 public:
  std::shared_ptr<LiveTask> find(const std::string& name) const override;
  // Adds or replaces; returns the task it replaced (its last holder may be a call in flight).
  std::shared_ptr<LiveTask> put(std::shared_ptr<LiveTask> task);
  void remove(const std::string& name);
  void clear();
  std::vector<std::string> names() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<LiveTask>> tasks_;
};

}  // namespace nineteen::plugin_host
