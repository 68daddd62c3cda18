// One LLM task (chat or completions on one model): serve as a miner, check as a validator,
// synthesize requests, count work.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <nineteen/sdk/task.hpp>

#include "llm_task_config.hpp"
#include "loaded_model.hpp"

namespace nineteen::llm {

class LlmTask : public sdk::Task {
 public:
  // Throws sdk::Error naming the key when max_context or max_tokens_limit do not fit the model,
  // or when a chat task's model has no chat template.
  LlmTask(std::string name, LlmTaskConfig config, std::shared_ptr<const LoadedModel> model);

  sdk::TaskDescriptor describe() const override;
  std::string synthesize(uint64_t seed) override;
  void serve(std::string_view request, sdk::Call& call) override;
  // MECHANISM.md §6: one teacher-forced pass over prompt + answer tokens for all answers together.
  std::vector<sdk::CheckResult> check(const std::vector<std::string_view>& requests,
                                      const std::vector<std::string_view>& responses) override;
  // Generated tokens (the answer's token ids); 0 for an unreadable answer.
  double work(std::string_view request, std::string_view response) override;
  // A short synthetic request (at most 16 tokens) served and checked, so loading stays quick.
  void self_test() override;

  int64_t max_context() const { return max_context_; }
  int64_t max_tokens_limit() const { return max_tokens_limit_; }

 private:
  std::string synthetic_json(uint64_t seed, int64_t max_tokens_cap) const;

  std::string name_;
  LlmTaskConfig config_;
  std::shared_ptr<const LoadedModel> model_;
  int64_t max_context_ = 0;
  int64_t max_tokens_limit_ = 0;
  std::atomic<uint64_t> answers_{0};
};

}  // namespace nineteen::llm
