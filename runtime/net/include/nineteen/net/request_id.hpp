// Request ids (x-request-id): the client's own when it is safe to echo, else a fresh one, so that a
// user's report and the server's log name the same request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nineteen::net {

// 1 to 128 characters of [A-Za-z0-9._:-]: safe in a header and a log line.
bool well_formed_request_id(std::string_view id);

// "req_" and 32 random hex digits.
std::string new_request_id();

// The id an answer carries: `sent` (the request's header) when well-formed, else a new one.
std::string request_id_for(const std::optional<std::string>& sent);

}  // namespace nineteen::net
