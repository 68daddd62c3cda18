// Fuzz target: the miner's reading of a signed validator request (keys::verify_signed_request):
// the four headers, one per line (validator-hotkey, miner-hotkey, nonce, signature), then the body.
// An input whose first line is "sign" instead signs its body properly and checks it is accepted
// once and then refused as a replay.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/replay_cache.hpp"
#include "nineteen/keys/request_signing.hpp"

namespace keys = nineteen::keys;

namespace {

// Every validator has stake 1000, except addresses ending in 'x', which are unknown.
class FixedStakes : public keys::StakeSource {
 public:
  std::optional<double> stake_of(const std::string& hotkey) override {
    if (!hotkey.empty() && hotkey.back() == 'x') return std::nullopt;
    return 1000.0;
  }
};

const keys::Hotkey& key_with_seed(std::uint8_t byte) {
  static const keys::Hotkey miner = keys::Hotkey::from_seed(keys::Seed{1});
  static const keys::Hotkey validator = keys::Hotkey::from_seed(keys::Seed{2});
  return byte == 1 ? miner : validator;
}

// The fixed "now" of every verification: 2026-01-01T00:00:00Z.
constexpr std::chrono::system_clock::time_point kNow{std::chrono::seconds(1767225600)};

std::optional<std::string> next_line(std::string_view& rest) {
  if (rest.empty()) return std::nullopt;
  const std::size_t end = rest.find('\n');
  std::string line(rest.substr(0, end));
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  if (line == "-") return std::nullopt;  // "-": the header is absent
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  FixedStakes stakes;
  keys::ReplayCache replays(64, std::chrono::nanoseconds(std::chrono::seconds(240)).count());
  keys::VerifyPolicy policy;
  policy.own_hotkey_ss58 = key_with_seed(1).ss58_address();
  policy.min_validator_stake = 10;

  if (rest.substr(0, 5) == "sign\n") {
    const std::string_view body = rest.substr(5);
    const keys::SignedHeaders headers = keys::sign_request(key_with_seed(2), policy.own_hotkey_ss58, body, kNow);
    const keys::SignedRequestView view{headers.validator_hotkey, headers.miner_hotkey, headers.nonce,
                                       headers.signature, body};
    if (!keys::verify_signed_request(view, policy, replays, stakes, kNow).accepted()) std::abort();
    if (keys::verify_signed_request(view, policy, replays, stakes, kNow).status != 401) std::abort();
    return 0;
  }

  keys::SignedRequestView view;
  view.validator_hotkey = next_line(rest);
  view.miner_hotkey = next_line(rest);
  view.nonce = next_line(rest);
  view.signature = next_line(rest);
  view.body = rest;
  const keys::Verdict verdict = keys::verify_signed_request(view, policy, replays, stakes, kNow);
  if (verdict.status != 200 && verdict.status != 401 && verdict.status != 403) std::abort();
  if (!verdict.accepted() && verdict.reason.empty()) std::abort();
  return 0;
}
