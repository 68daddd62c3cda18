// From a request to prompt token ids, and how many tokens the answer may have.
#pragma once

#include <cstdint>
#include <vector>

#include "generation_request.hpp"
#include "loaded_model.hpp"

namespace nineteen::llm {

// Chat: the model's chat template with the assistant header, encoded with special tokens parsed
// (as Hugging Face's apply_chat_template does). Completions: the prompt with the model's BOS in
// front when it has one (as the Llama tokenizers' post-processor adds it). Throws sdk::Error
// NT_INVALID_ARGUMENT naming "messages"/"prompt" when nothing is left to condition on.
std::vector<int32_t> encode_prompt(const LoadedModel& model, const GenerationRequest& request);

// The answer's token budget: the request's max_tokens, or when absent as many as fit, up to the
// task's limit. Throws sdk::Error NT_INVALID_ARGUMENT when the prompt leaves no room in
// max_context or prompt + max_tokens exceeds it (naming the key and the numbers).
int64_t resolve_max_tokens(const GenerationRequest& request, int64_t prompt_length, int64_t max_context,
                           int64_t max_tokens_limit);

}  // namespace nineteen::llm
