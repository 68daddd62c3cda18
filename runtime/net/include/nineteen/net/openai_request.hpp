// Small edits and reads of OpenAI-shaped request bodies that every hop (validator, gateway, miner) needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nineteen::net {

// Sets (or replaces) the "model" member of a JSON object; returns the text unchanged when it is not one.
std::string with_model(const std::string& request_json, const std::string& model);
// Whether the JSON object has "stream": true.
bool wants_stream(const std::string& request_json);

// What every hop reads of a request before choosing a task: the body as a bounded JSON object
// (sdk::parse_json_bounded: depth, UTF-8), "model" and "stream".
struct RequestHead {
  std::optional<std::string> model;  // absent when the body has no "model"
  bool stream = false;
};

// A request refused before any task saw it: an OpenAI error's parts.
struct RequestHeadError {
  std::string message;
  std::string code;   // "invalid_json" or "invalid_request"
  std::string param;  // the key at fault; empty for the body as a whole
};

struct RequestHeadRead {
  std::optional<RequestHead> head;
  std::optional<RequestHeadError> error;  // set exactly when head is not
};

// Reads the head of a request body. "model" must be a string of printable characters (a control
// character such as "\u0000" would let "chat\u0000evil" pass as "chat" in C-string code) of at
// most 256 bytes; "stream" true, false or null.
RequestHeadRead read_request_head(std::string_view body);

}  // namespace nineteen::net
