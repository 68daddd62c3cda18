// Prompt tokens and the token budget of an answer.
#include "prompt_encoding.hpp"

#include <algorithm>

#include <nineteen/sdk/error.hpp>

namespace nineteen::llm {

using sdk::Error;

std::vector<int32_t> encode_prompt(const LoadedModel& model, const GenerationRequest& request) {
  std::vector<int32_t> ids;
  if (request.type == LlmTaskType::Chat) {
    if (!model.chat_template) {
      throw Error(NT_UNIMPLEMENTED, "this model has no chat template: " + model.chat_template_error);
    }
    ids = model.tokenizer.encode(render_chat_prompt(*model.chat_template, request.messages, request.tools), true);
  } else {
    // The special tokens the model's tokenizer adds around a text, as vLLM and llama.cpp add them
    // (special_token_frame.hpp); a prompt that spells its BOS itself does not get a second.
    const text::SpecialTokenFrame& frame = model.completion_frame;
    std::vector<int32_t> text = model.tokenizer.encode(request.prompt, true);
    const bool spelt = !frame.prefix.empty() && text.size() >= frame.prefix.size() &&
                       std::equal(frame.prefix.begin(), frame.prefix.end(), text.begin());
    ids = spelt ? text : frame.frame(text);
  }
  if (ids.empty()) {
    throw Error(NT_INVALID_ARGUMENT, std::string("request key \"") +
                                         (request.type == LlmTaskType::Chat ? "messages" : "prompt") +
                                         "\": encodes to no tokens (and the model has no BOS token to start from)");
  }
  return ids;
}

int64_t resolve_max_tokens(const GenerationRequest& request, int64_t prompt_length, int64_t max_context,
                           int64_t max_tokens_limit) {
  const char* prompt_key = request.type == LlmTaskType::Chat ? "messages" : "prompt";
  const int64_t room = max_context - prompt_length;
  if (room < 1) {
    throw Error(NT_INVALID_ARGUMENT, std::string("request key \"") + prompt_key + "\": the prompt is " +
                                         std::to_string(prompt_length) + " tokens; this task's max_context is " +
                                         std::to_string(max_context) + ", leaving no room for an answer");
  }
  if (request.max_tokens == 0) return std::min(room, max_tokens_limit);
  if (request.max_tokens > room) {
    throw Error(NT_INVALID_ARGUMENT, "request key \"max_tokens\": " + std::to_string(request.max_tokens) +
                                         " tokens after a prompt of " + std::to_string(prompt_length) +
                                         " exceed this task's max_context " + std::to_string(max_context) +
                                         "; ask for at most " + std::to_string(room));
  }
  return request.max_tokens;
}

}  // namespace nineteen::llm
