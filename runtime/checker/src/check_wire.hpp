// The JSON bodies of the checker's HTTP API, written and read by the server and the HTTP client.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "nineteen/checker/check_service.hpp"

namespace nineteen::checker::wire {

// A body that does not have the documented shape; the message names the item and key.
class WireError : public std::runtime_error {
 public:
  WireError(const std::string& message, std::string param) : std::runtime_error(message), param(std::move(param)) {}
  std::string param;  // the offending key, e.g. "items[3].response"
};

// {"items":[{"task":"...","request":"<JSON text>","response":"<JSON text>"}, ...]}
std::string encode_batch(const std::vector<CheckItem>& items);
// Accepts "request" and "response" as strings holding JSON text, or as embedded JSON values
// (objects, arrays, ...), which are written back out as compact JSON text.
std::vector<CheckItem> decode_batch(std::string_view body);

// {"id":"...","status":"pending|done|failed","results":[{"quality":1,"reason":"..."}],"error":null}
// A failed job also has "answer_errors": [null, "answer 1 (...): ...", ...], one per item, a string for
// each answer that failed alone (absent from a checker older than that rule).
std::string encode_status(const std::string& id, const JobStatus& status);
JobStatus decode_status(std::string_view body);

// {"id":"..."}
std::string encode_job_id(const std::string& id);
std::string decode_job_id(std::string_view body);

// The "message" of an OpenAI-shaped error body, or the body itself when it is not one.
std::string error_message(std::string_view body);

}  // namespace nineteen::checker::wire
