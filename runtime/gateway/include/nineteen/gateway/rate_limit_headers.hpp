// The x-ratelimit-* headers of an answer, from where the API key's limits stand (OpenAI's names:
// x-ratelimit-limit-requests, -remaining-requests, -reset-requests, and the same for tokens).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nineteen/gateway/api_key_gate.hpp"

namespace nineteen::gateway {

// A duration as OpenAI writes its reset times: "250ms", "1s", "20s", "6m0s", "1h2m3s"; "0s" for none.
std::string reset_duration_text(double seconds);

// Three headers per limit: limit and remaining as whole numbers (remaining rounded down), the reset time.
std::vector<std::pair<std::string, std::string>> rate_limit_headers(const std::vector<KeyLimitState>& limits);

}  // namespace nineteen::gateway
