// One embeddings task (/v1/embeddings on one model): serve as a miner, check as a validator,
// synthesize requests, count work.
#pragma once

#include <memory>
#include <string>

#include <nineteen/sdk/task.hpp>

#include "embeddings_request.hpp"
#include "embeddings_task_config.hpp"
#include "loaded_encoder.hpp"

namespace nineteen::embeddings {

class EmbeddingsTask : public sdk::Task {
 public:
  // Throws sdk::Error naming max_input_tokens when it exceeds what the model can take.
  EmbeddingsTask(std::string name, EmbeddingsTaskConfig config, std::shared_ptr<const LoadedEncoder> model);

  sdk::TaskDescriptor describe() const override;
  std::string synthesize(uint64_t seed) override;
  // Tokenizes every input (truncated to max_input_tokens), embeds them in passes of max_batch and
  // emits one chunk: the whole OpenAI response object.
  void serve(std::string_view request, sdk::Call& call) override;
  void validate(std::string_view request) override { parse(request); }
  // Recomputes every vector of every answer (all in one set of batched passes) and scores each
  // answer by its worst vector's cosine (embedding_quality.hpp); a wrong count, shape or format,
  // or an unreadable answer scores 0 with the reason.
  std::vector<sdk::CheckResult> check(const std::vector<std::string_view>& requests,
                                      const std::vector<std::string_view>& responses) override;
  // Input tokens ([CLS]/[SEP] included, after truncation), counted from the request with the
  // task's tokenizer, not taken from the miner's usage; 0 when the answer is unreadable.
  double work(std::string_view request, std::string_view response) override;

  int64_t max_input_tokens() const { return max_input_tokens_; }

 private:
  EmbeddingsRequest parse(std::string_view request) const;
  std::vector<std::vector<int32_t>> tokenize(const EmbeddingsRequest& request) const;

  std::string name_;
  EmbeddingsTaskConfig config_;
  std::shared_ptr<const LoadedEncoder> model_;
  int64_t max_input_tokens_ = 0;
};

}  // namespace nineteen::embeddings
