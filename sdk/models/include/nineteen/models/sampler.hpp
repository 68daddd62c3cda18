// Choosing the next token from logits: greedy, or temperature / top-k / top-p sampling with a
// per-request seeded generator, reporting logprobs of the raw model distribution.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "nineteen/models/llama_model.hpp"

namespace nineteen::models {

struct SamplingParams {
  double temperature = 1.0;  // 0 = greedy (argmax, the lowest id on ties)
  double top_p = 1.0;        // in (0, 1]; 1 = off
  int64_t top_k = 0;         // 0 = off
  uint64_t seed = 0;
  int top_logprobs = 0;      // how many alternatives to report with each token

  // Throws sdk::Error (NT_INVALID_ARGUMENT) naming the field when a value is out of range.
  void validate() const;
};

// The chosen token, its log-probability under the raw model distribution (log_softmax of the
// logits, before temperature, top-k and top-p, as vLLM reports it) and the top_logprobs most
// likely tokens of that same distribution, most likely first.
struct TokenChoice {
  int32_t token = 0;
  float logprob = 0.0f;
  std::vector<TokenLogprob> top;
};

// One request's sampler. Its generator is seeded from params.seed alone and advanced exactly once
// per sampled token, so the same logits sequence and seed give the same tokens whatever else the
// process does. Not thread-safe; make one per request.
class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);

  // Picks the next token from `vocab` logits (non-finite logits are never chosen).
  TokenChoice next(const float* logits, int64_t vocab);

  const SamplingParams& params() const { return params_; }

 private:
  SamplingParams params_;
  std::mt19937_64 generator_;
  std::vector<int32_t> order_;     // scratch: candidate ids, reused between tokens
  std::vector<double> weights_;    // scratch: candidate weights
};

}  // namespace nineteen::models
