// Runs the bookkeeping that follows an answer (outcomes to the validator, usage to the store) on one
// background thread, so that the user's answer never waits for a store write or a work count.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace nineteen::gateway {

class AfterAnswerQueue {
 public:
  // `on_idle` runs on the queue's thread every `idle_every` (and after each drained batch once that
  // long has passed): the usage flush.
  AfterAnswerQueue(std::function<void()> on_idle, std::chrono::milliseconds idle_every);
  ~AfterAnswerQueue();  // stop()
  AfterAnswerQueue(const AfterAnswerQueue&) = delete;
  AfterAnswerQueue& operator=(const AfterAnswerQueue&) = delete;

  // Queues `job`; it runs within kPickUpEvery. When the queue is over its bound (the validator is far behind), runs it on the
  // caller's thread instead, so memory stays bounded. After stop(), runs it on the caller's thread.
  void post(std::function<void()> job);
  // Waits until every job posted so far has run, then runs on_idle once.
  void drain();
  // Runs what is queued, then on_idle, and ends the thread. Safe to call more than once.
  void stop();

  static constexpr std::size_t kMaxQueued = 10000;
  static constexpr std::size_t kWakeAt = 64;  // queued jobs that wake the thread at once
  static constexpr std::chrono::milliseconds kPickUpEvery{20};  // otherwise jobs wait at most this

 private:
  void run();
  std::function<void()> on_idle_;
  std::chrono::milliseconds idle_every_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  std::size_t running_ = 0;
  bool wanted_now_ = false;  // drain() is waiting
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace nineteen::gateway
