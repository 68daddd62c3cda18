// libtorch's intra-op thread count is process-wide: when two tasks of a plugin ask for different
// counts, the last one wins for both. This keeps what was asked and says so when tasks disagree.
#pragma once

#include <mutex>
#include <string>

namespace nineteen::models {

class ComputeThreads {
 public:
  // Records that `task` asked for `threads` (0: no preference). Returns a warning for the log when
  // another task of `plugin` asked for a different count, else "".
  std::string request(const std::string& plugin, const std::string& task, int threads) {
    if (threads <= 0) return "";
    std::lock_guard<std::mutex> lock(mutex_);
    std::string warning;
    if (applied_ > 0 && applied_ != threads) {
      warning = "task \"" + task + "\" sets threads = " + std::to_string(threads) + " but another task set " +
                std::to_string(applied_) + "; libtorch threads are process-wide, so give every " + plugin +
                " task the same value";
    }
    applied_ = threads;
    return warning;
  }

 private:
  std::mutex mutex_;
  int applied_ = 0;
};

}  // namespace nineteen::models
