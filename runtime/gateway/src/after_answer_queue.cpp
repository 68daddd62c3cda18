// One background thread for post-answer bookkeeping, with a bounded queue.
#include "nineteen/gateway/after_answer_queue.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace nineteen::gateway {
namespace {

void run_guarded(const std::function<void()>& job) {
  try {
    job();
  } catch (const std::exception& e) {
    spdlog::error("gateway: bookkeeping after an answer failed: {}", e.what());
  }
}

}  // namespace

AfterAnswerQueue::AfterAnswerQueue(std::function<void()> on_idle, std::chrono::milliseconds idle_every)
    : on_idle_(std::move(on_idle)), idle_every_(idle_every), thread_([this] { run(); }) {}

AfterAnswerQueue::~AfterAnswerQueue() { stop(); }

void AfterAnswerQueue::post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_ && jobs_.size() < kMaxQueued) {
      jobs_.push_back(std::move(job));
      // No wake-up per job: the thread looks every kPickUpEvery, or at once when a batch is waiting,
      // which saves a context switch per request on a busy machine.
      if (jobs_.size() >= kWakeAt) changed_.notify_all();
      return;
    }
  }
  run_guarded(job);
}

void AfterAnswerQueue::drain() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    wanted_now_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return (jobs_.empty() && running_ == 0) || stopped_; });
  }
  run_guarded(on_idle_);
}

void AfterAnswerQueue::run() {
  auto last_idle = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait_for(lock, std::min<std::chrono::milliseconds>(idle_every_, kPickUpEvery),
                      [&] { return jobs_.size() >= kWakeAt || wanted_now_ || stopping_; });
    wanted_now_ = false;
    while (!jobs_.empty()) {
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      running_++;
      lock.unlock();
      run_guarded(job);
      lock.lock();
      running_--;
    }
    changed_.notify_all();  // drain() waits for an empty queue
    auto now = std::chrono::steady_clock::now();
    if (stopping_ || now - last_idle >= idle_every_) {
      lock.unlock();
      run_guarded(on_idle_);
      lock.lock();
      last_idle = now;
    }
    if (stopping_ && jobs_.empty()) break;
  }
  stopped_ = true;
  changed_.notify_all();
}

void AfterAnswerQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace nineteen::gateway
