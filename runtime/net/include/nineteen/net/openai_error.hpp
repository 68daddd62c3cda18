// Errors in OpenAI's nested JSON shape: {"error":{"message","type","param","code"}}.
#pragma once

#include <optional>
#include <string>

#include "nineteen/net/http_message.hpp"

namespace nineteen::net {

struct ErrorBody {
  std::string message;
  std::string type;  // "invalid_request_error", "authentication_error", ...; empty = from the status
  std::optional<std::string> param;
  std::optional<std::string> code;  // e.g. "not_found", "body_too_large"; null when absent
};

// OpenAI's `type` for an HTTP status (400 → invalid_request_error, 401 → authentication_error, ...).
const char* error_type_for_status(int status);

// The JSON text of the error; an empty `type` is filled from `status`.
std::string error_json(int status, const ErrorBody& error);

// A whole JSON error response.
Response error_response(int status, const ErrorBody& error);
Response error_response(int status, std::string message, std::optional<std::string> code = std::nullopt);

}  // namespace nineteen::net
