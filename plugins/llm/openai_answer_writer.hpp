// Writes a generation as OpenAI JSON: one chunk per token when streaming, one object otherwise.
//
// Shapes (chat; completions use "text_completion", "text" and the legacy logprobs arrays):
//   token chunk  {"id","object":"chat.completion.chunk","created","model","choices":[{"index":0,
//                 "delta":{"content":"..."},"token_ids":[id],"logprobs":{"content":[{"token","logprob",
//                 "bytes","top_logprobs":[...]}]},"finish_reason":null}]}
//   final chunk  the same with "delta":{} (or the text held back until the end), "token_ids":[],
//                "finish_reason":"stop"|"length", "stop_reason": stop token id | stop string | null,
//                and "usage"
//   whole answer {"object":"chat.completion", ... "message":{"role":"assistant","content"},
//                 "token_ids":[...], "logprobs":{"content":[...]}, "finish_reason", "stop_reason", "usage"}
// "token_ids" (vLLM's return_token_ids field) is always present so a checker never re-tokenizes
// text; "logprobs" is null unless the request asked for it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llm_task_config.hpp"
#include "loaded_model.hpp"
#include "token_generation.hpp"
#include "tool_calls.hpp"

namespace nineteen::llm {

struct AnswerHeader {
  LlmTaskType type = LlmTaskType::Chat;
  std::string id;
  int64_t created = 0;
  std::string model;
  bool logprobs = false;
};

class OpenAiAnswerWriter {
 public:
  OpenAiAnswerWriter(AnswerHeader header, const LoadedModel& model) : header_(std::move(header)), model_(model) {}

  // One streamed token.
  std::string token_chunk(const GeneratedToken& token);
  // The streamed answer's last chunk; with `call`, its delta carries the call's arguments.
  std::string final_chunk(const GenerationEnd& end, int64_t prompt_tokens, const ToolCall* call = nullptr);
  // A streamed tool call's first delta: {"tool_calls":[{"index":0,"id","type":"function",
  // "function":{"name","arguments":""}}]} (OpenAI's chunk shape; the arguments follow).
  std::string tool_call_head(const ToolCall& call);
  // A non-streamed answer: every token and the end in one object; with `call`, the message has
  // "content": null and "tool_calls".
  std::string whole(const std::vector<GeneratedToken>& tokens, const GenerationEnd& end, int64_t prompt_tokens,
                    const ToolCall* call = nullptr);

 private:
  // Every shape above: `end` is null for a token chunk; `streamed` picks delta vs message. `call`:
  // 0 none, 1 the head delta, 2 the arguments delta, 3 the whole call (message).
  std::string write(const std::vector<GeneratedToken>& tokens, const std::string& text, const GenerationEnd* end,
                    int64_t prompt_tokens, bool streamed, const ToolCall* call = nullptr, int call_part = 0);

  AnswerHeader header_;
  const LoadedModel& model_;
  int64_t text_offset_ = 0;  // bytes of visible text so far (legacy completions' text_offset)
};

}  // namespace nineteen::llm
