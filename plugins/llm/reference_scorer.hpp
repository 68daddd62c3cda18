// Where the checker's teacher-forced log-probabilities come from: the reference model in this
// process (libtorch), or a checking backend (vLLM, SGLang, another Nineteen node) over HTTP. The
// §6 rules (text_quality.hpp) are applied to either in the same way (answer_check.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include <nineteen/models/llama_model.hpp>

namespace nineteen::llm {

class ReferenceScorer {
 public:
  virtual ~ReferenceScorer() = default;
  // One SequenceScore per request: at every scored position the token's logprob, its rank and the
  // top_n most likely tokens (most likely first). rank_horizons[i] (one per request): ranks below
  // it must be exact; a token ranked at or beyond it may be reported with any rank ≥ the horizon
  // (an engine that only lists the top N reports N). The §6 rules never need more: the checker
  // asks for a horizon above every rank limit it compares with.
  virtual std::vector<models::SequenceScore> score(const std::vector<models::ScoreRequest>& batch, int top_n,
                                                   const std::vector<int64_t>& rank_horizons) const = 0;
};

// The reference model in this process: exact ranks over the whole vocabulary.
class InProcessScorer : public ReferenceScorer {
 public:
  explicit InProcessScorer(const models::LlamaModel& model) : model_(model) {}
  std::vector<models::SequenceScore> score(const std::vector<models::ScoreRequest>& batch, int top_n,
                                           const std::vector<int64_t>& rank_horizons) const override {
    (void)rank_horizons;
    models::ScoreOptions options;
    options.top_n = top_n;
    return model_.score(batch, options);
  }

 private:
  const models::LlamaModel& model_;
};

}  // namespace nineteen::llm
