// The decode loop: prefill the prompt, then sample one token at a time with the KV cache until a
// stop token, a stop string or max_tokens. Knows nothing of JSON; the task turns steps into chunks.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nineteen/models/sampler.hpp>

#include "loaded_model.hpp"
#include "structured_output.hpp"

namespace nineteen::llm {

struct GeneratedToken {
  models::TokenChoice choice;  // id, raw-distribution logprob, top alternatives
  std::string delta;           // visible text this token releases (see StreamedText)
};

struct GenerationEnd {
  std::string finish_reason;               // "stop" or "length"
  std::optional<int32_t> stop_token;       // the stop token sampled (not emitted)
  std::optional<std::string> stop_string;  // the stop string matched (its text is not shown)
  std::string tail;                        // text still held back at the end, to show last
  int64_t generated = 0;                   // emitted tokens
};

struct GenerationPlan {
  std::vector<int32_t> prompt;
  int64_t max_tokens = 1;
  models::SamplingParams sampling;
  std::vector<std::string> stop_strings;
  // Structured outputs: each step samples from the logits masked by this grammar (null: none).
  std::shared_ptr<const grammar::Grammar> grammar;
  std::shared_ptr<const grammar::VocabularyTrie> vocabulary;
  GrammarSettings grammar_settings;
};

// Runs the plan. `on_token` gets every emitted token in order; returning false cancels (generate
// then throws sdk::Cancelled()). Deterministic for a given plan (the sampler is seeded from it).
GenerationEnd generate(const LoadedModel& model, const GenerationPlan& plan,
                       const std::function<bool(const GeneratedToken&)>& on_token);

// A lazy miner's answer, for test networks: random tokens with a made-up logprob, without running
// the model (seeded from the plan, so it is repeatable). Checking must give it 0.
GenerationEnd make_up_tokens(const LoadedModel& model, const GenerationPlan& plan,
                             const std::function<bool(const GeneratedToken&)>& on_token);

}  // namespace nineteen::llm
