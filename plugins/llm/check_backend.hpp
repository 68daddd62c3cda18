// Checking through an inference engine: the prompt + answer tokens of every answer go to a vLLM or
// SGLang server (or another Nineteen node, which speaks vLLM's extension: prompt_logprob_server.hpp)
// as token ids, and the teacher-forced log-probabilities come back for the §6 rules.
//
// vLLM: POST /v1/completions {"prompt": [[ids], ...], "prompt_logprobs": top_n, "max_tokens": 1,
//   "return_token_ids": true}: choices[i].prompt_logprobs[p] is null for p = 0, else an object
//   {"<token id>": {"logprob", "rank" (1 = most likely), "decoded_token"}} holding the top_n and the
//   token that was there. Ranks are over the whole vocabulary, so exact.
// SGLang: POST /generate {"input_ids": [[ids], ...], "return_logprob": true, "logprob_start_len": [s],
//   "top_logprobs_num": [n], "sampling_params": {"max_new_tokens": 1}}: meta_info.input_token_logprobs
//   [[logprob, id, text], ...] from position s, and input_top_logprobs the n most likely at each. A
//   rank is counted within those n, so n is raised to the answer's rank horizon (answer_check.hpp).
// llama.cpp's server gives log-probabilities only for generated tokens: refused in llm_task_config.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "llm_task_config.hpp"
#include "loaded_model.hpp"
#include "reference_scorer.hpp"

namespace nineteen::net {
class HttpClient;
}

namespace nineteen::llm {

// The text whose tokenization is compared both ways at start: spaces, digits, punctuation,
// accents and CJK, so that a tokenizer of another model family or revision shows a difference.
extern const char* const kTokenizerProbe;

class CheckBackend : public ReferenceScorer {
 public:
  explicit CheckBackend(CheckBackendConfig config);
  ~CheckBackend() override;

  // At start: the engine must serve config.model (its /v1/models, or the "model" its answers name
  // where it has no /v1/models) and tokenize kTokenizerProbe to the same ids as `model`'s tokenizer
  // (with the same BOS). Throws sdk::Error naming the URL and what differs.
  void verify(const LoadedModel& model) const;

  std::vector<models::SequenceScore> score(const std::vector<models::ScoreRequest>& batch, int top_n,
                                           const std::vector<int64_t>& rank_horizons) const override;

  const CheckBackendConfig& config() const { return config_; }

 private:
  std::string post(const std::string& path, const std::string& body) const;
  std::vector<models::SequenceScore> score_vllm(const std::vector<models::ScoreRequest>& batch, int top_n) const;
  std::vector<models::SequenceScore> score_sglang(const std::vector<models::ScoreRequest>& batch, int top_n,
                                                  const std::vector<int64_t>& rank_horizons) const;
  std::vector<int32_t> tokenize_remote(const std::string& text, std::string& answered_model) const;

  CheckBackendConfig config_;
  std::unique_ptr<net::HttpClient> client_;
};

}  // namespace nineteen::llm
