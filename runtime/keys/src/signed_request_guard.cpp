// Connects the pure signature check to net::Request / net::Response.
#include "nineteen/keys/signed_request_guard.hpp"

#include "nineteen/net/openai_error.hpp"

namespace nineteen::keys {

SignedRequestGuard::SignedRequestGuard(VerifyPolicy policy, StakeSource& stakes, std::size_t replay_entries,
                                       Clock clock)
    : policy_(std::move(policy)),
      stakes_(stakes),
      replays_(replay_entries,
               std::chrono::duration_cast<std::chrono::nanoseconds>(policy_.max_clock_skew).count()),
      clock_(std::move(clock)) {}

Verdict SignedRequestGuard::check(const net::Request& request) {
  SignedRequestView view;
  view.validator_hotkey = request.headers.get(kValidatorHotkeyHeader);
  view.miner_hotkey = request.headers.get(kMinerHotkeyHeader);
  view.nonce = request.headers.get(kNonceHeader);
  view.signature = request.headers.get(kSignatureHeader);
  view.body = request.body;
  return verify_signed_request(view, policy_, replays_, stakes_, clock_());
}

net::Response refusal_response(const Verdict& verdict) {
  net::ErrorBody error;
  error.message = verdict.reason;
  error.code = verdict.code;
  return net::error_response(verdict.status, error);
}

void add_signature_headers(net::Headers& headers, const Hotkey& validator, const std::string& miner_hotkey_ss58,
                           std::string_view body, std::chrono::system_clock::time_point now) {
  SignedHeaders signed_headers = sign_request(validator, miner_hotkey_ss58, body, now);
  headers.set(kValidatorHotkeyHeader, signed_headers.validator_hotkey);
  headers.set(kMinerHotkeyHeader, signed_headers.miner_hotkey);
  headers.set(kNonceHeader, signed_headers.nonce);
  headers.set(kSignatureHeader, signed_headers.signature);
}

}  // namespace nineteen::keys
