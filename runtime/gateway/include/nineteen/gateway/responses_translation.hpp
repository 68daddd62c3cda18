// POST /v1/responses as a stateless translation onto chat completions (as llama.cpp's server does):
// a Responses request becomes a chat request for the task, and the task's chat answer becomes a
// Response object, or, streamed, the Responses API's events (response.created, ...output_text.delta,
// ...output_text.done, response.completed with usage). Nothing is stored, so what needs a stored
// response (previous_response_id, store: true) is refused by name. Pure functions over JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/net/openai_request.hpp"

namespace nineteen::gateway {

// A Responses request, read and translated.
struct ResponsesCall {
  std::string model;
  bool stream = false;
  std::string chat_body;    // the chat completions request it becomes
  std::string response_id;  // "resp_..."
  std::string message_id;   // "msg_...": the one output message
  // The request's settings that every Response object of this call repeats, as JSON members
  // ("instructions", "max_output_tokens", "temperature", "top_p", "metadata", "user").
  std::string echoed_settings;
  std::string text_format = "{\"type\":\"text\"}";  // the request's text.format, echoed
};

struct ResponsesRead {
  std::optional<net::RequestHeadError> refusal;  // a 400 for the user: code, param, message
  ResponsesCall call;                            // set when there is no refusal
};

// Reads a /v1/responses body. Every key is honoured or refused by name: unsupported ones with code
// "unsupported_parameter", unknown ones with "invalid_request".
ResponsesRead read_responses_request(const std::string& body);

// The Responses request key a chat request key came from, for a task's refusal of the translated
// request: "max_tokens" → "max_output_tokens", "messages" → "input", "response_format" →
// "text.format"; others are the same.
std::string responses_key_for(const std::string& chat_key);

// A whole chat.completion answer (as the user would get it) as a Response object.
std::string response_from_chat_completion(const std::string& chat_completion, const ResponsesCall& call);

// Turns a chat stream's chunks (chat.completion.chunk, usage in a chunk of its own) into the
// Responses API's events, numbered by sequence_number.
class ResponsesEventStream {
 public:
  explicit ResponsesEventStream(ResponsesCall call);
  // The events for one chat chunk; the first chunk also opens the response (response.created,
  // response.in_progress, the output item and its text part).
  std::vector<std::string> on_chat_chunk(const std::string& chunk);
  // After the last chunk: the text's done events and response.completed (or response.incomplete
  // when the answer stopped at max_output_tokens), with usage.
  std::vector<std::string> finish();

 private:
  std::string event(const char* type, const std::string& members);
  std::vector<std::string> open();

  ResponsesCall call_;
  bool opened_ = false;
  std::uint64_t sequence_ = 0;
  long long created_at_ = 0;
  std::string text_;
  std::string finish_reason_;
  std::optional<std::string> usage_;  // the Responses usage object, once the chat usage chunk came
};

}  // namespace nineteen::gateway
