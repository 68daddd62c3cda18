// An OpenAI chat or completions request, read and validated (every error names the request key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nineteen/models/sampler.hpp>
#include <nineteen/text/chat_template.hpp>

#include "llm_task_config.hpp"
#include "structured_output.hpp"
#include "tool_calls.hpp"

namespace nineteen::llm {

struct GenerationRequest {
  LlmTaskType type = LlmTaskType::Chat;
  std::vector<text::ChatMessage> messages;  // chat
  std::string prompt;                       // completions
  // temperature (default 1), top_p, top_k (0 or -1 = off), top_logprobs, seed.
  models::SamplingParams sampling;
  bool has_seed = false;       // without one the server draws a seed per request
  int64_t max_tokens = 0;      // 0 = not given: as many as the context allows, up to the task's limit
  std::vector<std::string> stop;
  bool stream = false;
  bool logprobs = false;
  // response_format / guided_json / guided_choice / grammar, compiled; null when none.
  std::shared_ptr<const grammar::Grammar> grammar;
  // tools, tool_choice, parallel_tool_calls (chat); with "required" or a named function, `grammar`
  // is the call's.
  ToolRequest tools;

  // Reads `json`. `max_tokens_limit` is the task's ceiling for max_tokens. Throws sdk::Error
  // NT_INVALID_ARGUMENT naming the key: `request key "max_tokens": expected an integer from 1 to 256, got 0`.
  // `grammar` shapes the masks of structured outputs (the task's settings); `tool_format` is the
  // model's (tool_format_of its chat template): the forced call's grammar and the answer's parsing.
  static GenerationRequest parse(std::string_view json, LlmTaskType type, int64_t max_tokens_limit,
                                 const GrammarSettings& grammar = {}, ToolFormat tool_format = ToolFormat::Llama3);
};

// The sampling keys parse() honours with any valid value (for GET /v1/models); the penalties, taken
// only at their neutral values, are not among them.
std::vector<std::string> sampling_parameters(LlmTaskType type);

}  // namespace nineteen::llm
