// The serving side of the checking-backend protocol: vLLM's scoring extension on /v1/completions,
// so a Nineteen node (a miner with this plugin, require_signatures = false on a private address)
// can be the check_backend of another validator's checker (check_backend.hpp is the client).
//
// Request: {"model", "prompt": "text" | [ids] | [[ids], ...], "prompt_logprobs": k (0..20),
//   "max_tokens": 0 | 1, "echo", "return_token_ids", "temperature", "top_p", "top_k", "seed",
//   "add_special_tokens" (text prompts; default true: the BOS in front), "stream": false, "n": 1}.
// Nothing is generated (the sampling keys are read and have nothing to act on): every choice has
// "text": "", "token_ids": [], "finish_reason": "length".
// Answer: one choice per prompt, in order, each with "prompt_token_ids" and "prompt_logprobs":
//   [null, {"<id>": {"logprob", "rank", "decoded_token"}, ...}, ...]: at every position after the
//   first, the k most likely tokens and the token that was there, rank 1 = most likely (vLLM's
//   shape), from one batched teacher-forced pass of this process's model.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loaded_model.hpp"

namespace nineteen::llm {

// Whether a completions request asks for prompt_logprobs (a top-level key): the scoring extension.
bool is_prompt_logprobs_request(std::string_view request_json);

struct PromptLogprobLimits {
  int64_t max_context = 0;        // tokens of one prompt
  int max_prompts = 64;           // prompts in one request
  int64_t max_total_tokens = 0;   // tokens of all prompts of one request; 0 = 16 × max_context
};

// Reads and checks the request (every error names the key and says what to send instead). The
// task's validate (the gateway's question) refuses these requests: see LlmTask::validate.
void validate_prompt_logprobs(const LoadedModel& model, std::string_view request_json, const PromptLogprobLimits& limits);

// The whole answer (a text_completion object; "model" is the request's, else model_name). Needs the
// model's weights.
std::string serve_prompt_logprobs(const LoadedModel& model, const std::string& model_name, std::string_view request_json,
                                  const PromptLogprobLimits& limits);

}  // namespace nineteen::llm
