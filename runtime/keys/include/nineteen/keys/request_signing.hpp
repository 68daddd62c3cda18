// Signed validator → miner requests: building the four headers, and the miner's pure verification.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/replay_cache.hpp"
#include "nineteen/keys/stake_source.hpp"

namespace nineteen::keys {

// Header names on the wire.
inline constexpr const char* kValidatorHotkeyHeader = "validator-hotkey";
inline constexpr const char* kMinerHotkeyHeader = "miner-hotkey";
inline constexpr const char* kNonceHeader = "nonce";
inline constexpr const char* kSignatureHeader = "signature";

struct SignedHeaders {
  std::string validator_hotkey;  // SS58
  std::string miner_hotkey;      // SS58
  std::string nonce;             // "<unix ns>_<random hex>"
  std::string signature;         // "0x" + hex of the signature (the key's scheme) over signing_message(...)
};

// Lower-case hex SHA-256 of `body`.
std::string sha256_hex(std::string_view body);

// The signed bytes: nonce + ":" + miner_hotkey + ":" + sha256_hex(body).
std::string signing_message(const std::string& nonce, const std::string& miner_hotkey, std::string_view body);

// "<unix ns>_<16 random hex digits>".
std::string make_nonce(std::chrono::system_clock::time_point now);

SignedHeaders sign_request(const Hotkey& validator, const std::string& miner_hotkey_ss58, std::string_view body,
                           std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The request as the miner sees it; a header that was absent is nullopt.
struct SignedRequestView {
  std::optional<std::string> validator_hotkey;
  std::optional<std::string> miner_hotkey;
  std::optional<std::string> nonce;
  std::optional<std::string> signature;
  std::string_view body;
};

struct VerifyPolicy {
  std::string own_hotkey_ss58;                   // the miner's own address
  std::chrono::seconds max_clock_skew{120};      // a nonce's time may differ from now by this much
  double min_validator_stake = 0;                // below this: 403
};

struct Verdict {
  int status = 200;               // 200 accepted, 401 not authenticated, 403 not allowed
  std::string reason;             // for the error body; empty when accepted
  std::string code;               // short machine code: "missing_header", "bad_signature", ...
  std::string validator_hotkey;   // the caller, when known
  std::optional<double> stake;    // the caller's stake, when looked up
  bool accepted() const { return status == 200; }
};

// The miner's check, over plain data with the clock given: headers present, miner-hotkey is ours,
// validator-hotkey a valid SS58 address, nonce well-formed and within ±max_clock_skew of `now`,
// signature valid, stake ≥ threshold (403 otherwise), and only then the nonce recorded as used
// (a replay → 401), so forged or refused requests never fill the replay cache.
Verdict verify_signed_request(const SignedRequestView& request, const VerifyPolicy& policy, ReplayCache& replays,
                              StakeSource& stakes, std::chrono::system_clock::time_point now);

}  // namespace nineteen::keys
