// The validator's side of the LLM task: miners' answers → qualities, from one batched
// teacher-forced pass of the reference model over every prompt + answer.
//
// How an answer's end is scored: finish_reason "stop" with stop_reason a token id (or null) means
// the miner sampled a stop token; that token (or, when null, the model's end of turn for chat /
// first eos for completions) is appended and its reference rank decides the early-stop rule.
// finish_reason "stop" with stop_reason a string means a stop string from the request ended the
// answer: the string must be one of the request's and appear in the answer's visible text; no stop
// token is scored. finish_reason "length" needs exactly max_tokens tokens.
#pragma once

#include <string_view>
#include <vector>

#include <nineteen/sdk/task.hpp>

#include "llm_task_config.hpp"
#include "loaded_model.hpp"
#include "reference_scorer.hpp"
#include "structured_output.hpp"
#include "text_quality.hpp"

namespace nineteen::llm {

struct CheckLimits {
  int64_t max_context = 0;
  int64_t max_tokens_limit = 0;
  int distance_top_n = 20;  // outside the reference's top this many, a token's distance is 1
  // Structured outputs: the masks are replayed (the task's grammar settings and vocabulary trie).
  GrammarSettings grammar;
  std::shared_ptr<const grammar::VocabularyTrie> vocabulary;
};

std::vector<sdk::CheckResult> check_answers(const LoadedModel& model, LlmTaskType type, const CheckLimits& limits,
                                            const std::vector<std::string_view>& requests,
                                            const std::vector<std::string_view>& responses,
                                            const TextQualityRules& rules = {});

// The same rules with the log-probabilities from `scorer` (a checking backend, or the in-process
// model as above). `model` gives the tokenizer, chat template and stop tokens; its weights are not used.
std::vector<sdk::CheckResult> check_answers(const LoadedModel& model, const ReferenceScorer& scorer, LlmTaskType type,
                                            const CheckLimits& limits, const std::vector<std::string_view>& requests,
                                            const std::vector<std::string_view>& responses,
                                            const TextQualityRules& rules = {});

// The rank below which a scorer must report exact ranks for an answer at `temperature`, so that
// every §6 comparison (rank rule; early stop when `stop_scored`) reads the same as with exact ranks.
int64_t rank_horizon(double temperature, bool stop_scored, const TextQualityRules& rules = {});

}  // namespace nineteen::llm
