// One LLM task (chat or completions on one model): serve as a miner, check as a validator,
// synthesize requests, count work.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <nineteen/sdk/task.hpp>

#include "batch_scheduler.hpp"
#include "check_backend.hpp"
#include "generation_request.hpp"
#include "llm_task_config.hpp"
#include "loaded_model.hpp"

namespace nineteen::llm {

class LlmTask : public sdk::Task {
 public:
  // Throws sdk::Error naming the key when max_context or max_tokens_limit do not fit the model,
  // or when a chat task's model has no chat template.
  // With `schedulers` and config.batch >= 2, generation runs in the model's shared continuous
  // batch (batch_scheduler.hpp); otherwise each request runs its own decode loop.
  LlmTask(std::string name, LlmTaskConfig config, std::shared_ptr<const LoadedModel> model,
          BatchSchedulers* schedulers = nullptr);
  // A task checked through config.check_backend: `model` was loaded without weights, the check
  // goes to the engine, and serving is refused (a miner serves such a model through `upstream`).

  sdk::TaskDescriptor describe() const override;
  std::string synthesize(uint64_t seed) override;
  void serve(std::string_view request, sdk::Call& call) override;
  // The request's keys and values, and a prompt that can fit max_context, without tokenizing it.
  void validate(std::string_view request) override;
  // MECHANISM.md §6: one teacher-forced pass over prompt + answer tokens for all answers together.
  std::vector<sdk::CheckResult> check(const std::vector<std::string_view>& requests,
                                      const std::vector<std::string_view>& responses) override;
  // Generated tokens (the answer's token ids); 0 for an unreadable answer.
  double work(std::string_view request, std::string_view response) override;
  // A short synthetic request (at most 16 tokens) served and checked, so loading stays quick.
  void self_test() override;

  int64_t max_context() const { return max_context_; }
  const LoadedModel& model() const { return *model_; }
  int64_t max_tokens_limit() const { return max_tokens_limit_; }
  // The shared batch this task's requests decode in; null when batching is off.
  BatchScheduler* scheduler() const { return scheduler_.get(); }
  // Why the batch is smaller than `batch` asked (kv_cache_mb), in words; empty when it is not.
  const std::string& batching_note() const { return batching_note_; }

 private:
  std::string synthetic_json(uint64_t seed, int64_t max_tokens_cap) const;
  GenerationRequest read_request(std::string_view request_json) const;

  std::string name_;
  LlmTaskConfig config_;
  std::shared_ptr<const LoadedModel> model_;
  int64_t max_context_ = 0;
  int64_t max_tokens_limit_ = 0;
  // No token spells more bytes than the vocabulary's longest, so a prompt longer than this cannot
  // fit max_context: refused before tokenizing (a 900 kB prompt would otherwise cost its full
  // tokenization and its memory before the context check).
  size_t max_prompt_bytes_ = 0;
  std::atomic<uint64_t> answers_{0};
  std::unique_ptr<CheckBackend> backend_;  // set when config.check_backend is
  std::shared_ptr<BatchScheduler> scheduler_;  // set when batching is on
  std::string batching_note_;
  // The vocabulary's byte trie, for structured outputs' token masks.
  std::shared_ptr<const grammar::VocabularyTrie> vocabulary_;
};

}  // namespace nineteen::llm
