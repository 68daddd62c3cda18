// Continuous batching: one decode loop per model serves every concurrent request. Requests join
// the running batch between steps (their prompt prefilled in chunks) and leave it on a stop token,
// a stop string, max_tokens, an error or cancellation; each step runs ONE forward pass over all
// running sequences, so every weight is read once per step for all streams instead of once per
// stream. Each request keeps its own sampler (seeded from its plan), grammar masker and stop
// strings, so its tokens are those it gets alone (greedy ids equal; raw logprobs within float
// rounding of the batched products, see tests/llm/batch_scheduler_test.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <thread>
#include <vector>

#include "loaded_model.hpp"
#include "token_generation.hpp"

namespace nineteen::llm {

struct BatchSettings {
  // Most requests decoded together; more wait for a slot. Below 2 there is no scheduler: each
  // request runs its own loop (token_generation.hpp's generate) on its own thread.
  int max_batch = 8;
  // Tokens per sequence slot (prompt + generated): the task's max_context. A request that would
  // not fit runs its own loop instead.
  int64_t capacity = 0;
  // Most prompt tokens prefilled per step, so a long prompt joining does not stall the running
  // streams for its whole prefill (a longer prompt is prefilled over several steps).
  int64_t prefill_chunk = 256;
};

// Bytes one sequence of `capacity` tokens takes in a KvCache of `config`'s model (keys and values,
// f32, every layer).
int64_t kv_bytes_per_sequence(const models::LlamaConfig& config, int64_t capacity);

// The batch that fits: at most `wanted` sequences of `per_sequence` bytes within `budget` bytes.
// `note` is set, in words for the operator, when the batch had to shrink (or go off: the result is
// then below 2).
int batch_within_budget(int wanted, int64_t per_sequence, int64_t budget, std::string& note);

class BatchScheduler {
 public:
  // Starts the scheduler's thread. `model` must have weights.
  BatchScheduler(std::shared_ptr<const LoadedModel> model, BatchSettings settings);
  // Fails requests still running (sdk::Error UNAVAILABLE) and joins the thread.
  ~BatchScheduler();
  BatchScheduler(const BatchScheduler&) = delete;
  BatchScheduler& operator=(const BatchScheduler&) = delete;

  // As token_generation.hpp's generate, on the shared batch: blocks the calling thread, which
  // gets every token through `on_token` (a slow client delays only its own stream: tokens queue
  // for it). on_token returning false leaves the batch and throws sdk::Cancelled().
  GenerationEnd generate(const GenerationPlan& plan, const std::function<bool(const GeneratedToken&)>& on_token);

  const BatchSettings& settings() const { return settings_; }

  // While paused no step runs: requests queue, and those running wait between steps. For tests
  // (several requests joining at one step) and for draining a node.
  void pause();
  void resume();

  struct Stats {
    uint64_t steps = 0;          // decode passes run
    uint64_t decoded = 0;        // sequence-steps decoded (sum of the batch sizes)
    int64_t most_running = 0;    // the largest batch a decode pass ran
    uint64_t prefills = 0;       // prefill passes (chunks)
    size_t waiting = 0;          // requests queued for a slot now
  };
  Stats stats() const;

 private:
  struct Job;
  void loop();
  void step(std::unique_lock<std::mutex>& lock);
  // Ends the job in `slot` (finished or failed) and keeps the running sequences adjacent.
  void remove(size_t slot);
  void finish(Job& job, std::exception_ptr error);
  void sample(Job& job, const float* logits, int64_t vocab);

  std::shared_ptr<const LoadedModel> model_;
  BatchSettings settings_;
  // max_batch × capacity slots, made on the first request (a big model's cache is gigabytes).
  std::optional<models::KvCache> cache_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> waiting_;  // guarded by mutex_
  bool stopping_ = false;                     // guarded by mutex_
  bool paused_ = false;                       // guarded by mutex_
  Stats stats_;                               // guarded by mutex_
  // Owned by the scheduler thread: slot i holds running_[i]; the first `decoding_` are decoding,
  // the one after them (if any) is part-way through its prompt.
  std::vector<std::shared_ptr<Job>> running_;
  size_t decoding_ = 0;
  std::thread thread_;
};

// One scheduler per (model, settings), shared by the tasks on that model (a chat and a
// completions task on one model batch together) while any of them holds it. Thread-safe.
class BatchSchedulers {
 public:
  std::shared_ptr<BatchScheduler> get(const std::shared_ptr<const LoadedModel>& model, const BatchSettings& settings);

 private:
  std::mutex mutex_;
  std::map<std::tuple<const LoadedModel*, int, int64_t, int64_t>, std::weak_ptr<BatchScheduler>> schedulers_;
};

}  // namespace nineteen::llm
