// Synthetic requests for checking miners: varied prompts and sampling settings drawn from fixed
// distributions, a pure function of the seed (same seed → same request on every machine).
//
// Distributions (also what organic traffic is assumed to look like):
//   temperature  0 with p 0.25, else uniform in [0.10, 1.00], two decimals
//   top_p        1 with p 0.7, else 0.9 or 0.95
//   max_tokens   log-uniform in [16, 1024] (mean ≈ 290, near the catalogue's volume_per_request),
//                then capped by the task's max_tokens_limit and by what the context leaves
//   seed         uniform in [0, 2^31)
// Chat prompts: one of 16 instruction templates × 40 topics × audiences/forms/tones/personas, an
// optional passage of 2-8 sentences, a system prompt with p 0.5, and a previous exchange
// (user, assistant, follow-up) with p 0.3. Completion prompts: one of 9 openings (prose, Q&A,
// lists, letters, code) over the same topics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nineteen/text/chat_template.hpp>

#include "llm_task_config.hpp"

namespace nineteen::llm {

struct SyntheticRequest {
  std::vector<text::ChatMessage> messages;  // chat
  std::string prompt;                       // completions
  double temperature = 0;
  double top_p = 1;
  int64_t max_tokens = 16;
  uint64_t seed = 0;
};

// `shorter` > 0 asks for a shorter prompt (no passage, no history), for models with small contexts.
SyntheticRequest synthesize_request(LlmTaskType type, uint64_t seed, int shorter = 0);

}  // namespace nineteen::llm
