// The miner's door: verifies a net::Request's signature headers and answers 401/403 in OpenAI's shape.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "nineteen/keys/request_signing.hpp"
#include "nineteen/net/http_message.hpp"

namespace nineteen::keys {

class SignedRequestGuard {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `stakes` must outlive the guard. The replay cache holds up to `replay_entries` nonces.
  SignedRequestGuard(VerifyPolicy policy, StakeSource& stakes, std::size_t replay_entries = 100'000,
                     Clock clock = [] { return std::chrono::system_clock::now(); });

  // Accepted: the verdict (with the caller's hotkey and stake). Refused: the verdict too; turn it
  // into a response with refusal_response(). Thread-safe.
  Verdict check(const net::Request& request);

 private:
  VerifyPolicy policy_;
  StakeSource& stakes_;
  ReplayCache replays_;
  Clock clock_;
};

// The 401/403 answer for a refused verdict, e.g.
// {"error":{"message":"nonce ... is 300 s away from the miner's clock ...","type":"authentication_error",...}}.
net::Response refusal_response(const Verdict& verdict);

// Adds the four signature headers for `body` to `headers` (the validator side).
void add_signature_headers(net::Headers& headers, const Hotkey& validator, const std::string& miner_hotkey_ss58,
                           std::string_view body,
                           std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace nineteen::keys
