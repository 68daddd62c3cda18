// Building and checking the signature headers of validator → miner requests (ARCHITECTURE.md §6).
#include "nineteen/keys/request_signing.hpp"

#include <sodium.h>

#include <cctype>
#include <cmath>
#include <cstdio>

namespace nineteen::keys {
namespace {

std::int64_t unix_ns(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Verdict refuse(int status, std::string code, std::string reason, std::string validator = {}) {
  Verdict v;
  v.status = status;
  v.code = std::move(code);
  v.reason = std::move(reason);
  v.validator_hotkey = std::move(validator);
  return v;
}

// Parses "<unix ns>_<letters and digits>"; the timestamp on success.
std::optional<std::int64_t> parse_nonce(const std::string& nonce) {
  std::size_t sep = nonce.find('_');
  if (sep == std::string::npos || sep == 0 || sep > 19) return std::nullopt;
  std::string random = nonce.substr(sep + 1);
  if (random.empty() || random.size() > 64) return std::nullopt;
  // fiber sends 10 characters of [A-Za-z0-9]; we send hex. Accept both.
  for (char c : random) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
  }
  std::int64_t ns = 0;
  for (std::size_t i = 0; i < sep; ++i) {
    char c = nonce[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (ns > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    ns = ns * 10 + (c - '0');
  }
  return ns;
}

}  // namespace

std::string sha256_hex(std::string_view body) {
  ensure_sodium();
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  return to_hex(hash, sizeof hash);
}

std::string signing_message(const std::string& nonce, const std::string& miner_hotkey, std::string_view body) {
  return nonce + ":" + miner_hotkey + ":" + sha256_hex(body);
}

std::string make_nonce(std::chrono::system_clock::time_point now) {
  ensure_sodium();
  std::uint8_t random[8];
  randombytes_buf(random, sizeof random);
  return std::to_string(unix_ns(now)) + "_" + to_hex(random, sizeof random);
}

SignedHeaders sign_request(const Hotkey& validator, const std::string& miner_hotkey_ss58, std::string_view body,
                           std::chrono::system_clock::time_point now) {
  SignedHeaders h;
  h.validator_hotkey = validator.ss58_address();
  h.miner_hotkey = miner_hotkey_ss58;
  h.nonce = make_nonce(now);
  Signature signature = validator.sign(signing_message(h.nonce, miner_hotkey_ss58, body));
  h.signature = "0x" + to_hex(signature.data(), signature.size());  // as fiber sends it
  return h;
}

Verdict verify_signed_request(const SignedRequestView& request, const VerifyPolicy& policy, ReplayCache& replays,
                              StakeSource& stakes, std::chrono::system_clock::time_point now) {
  std::string missing;
  auto need = [&](const std::optional<std::string>& value, const char* name) {
    if (!value || value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(name);
  };
  need(request.validator_hotkey, kValidatorHotkeyHeader);
  need(request.miner_hotkey, kMinerHotkeyHeader);
  need(request.nonce, kNonceHeader);
  need(request.signature, kSignatureHeader);
  if (!missing.empty()) {
    return refuse(401, "missing_header",
                  "missing header(s): " + missing +
                      "; a validator request carries validator-hotkey, miner-hotkey, nonce and signature");
  }
  const std::string& validator = *request.validator_hotkey;
  if (*request.miner_hotkey != policy.own_hotkey_ss58) {
    return refuse(401, "wrong_miner",
                  "the request is addressed to miner " + *request.miner_hotkey + ", but this miner is " +
                      policy.own_hotkey_ss58,
                  validator);
  }
  std::string address_error;
  auto decoded = ss58_decode(validator, &address_error);
  if (!decoded) return refuse(401, "bad_validator_hotkey", "header validator-hotkey: " + address_error, validator);

  auto nonce_ns = parse_nonce(*request.nonce);
  if (!nonce_ns) {
    return refuse(401, "bad_nonce",
                  "header nonce \"" + request.nonce->substr(0, 100) +
                      "\" is not of the form <unix time in ns>_<random letters or digits>",
                  validator);
  }
  const std::int64_t now_ns = unix_ns(now);
  const std::int64_t skew_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(policy.max_clock_skew).count();
  const double off_s = (static_cast<double>(*nonce_ns) - static_cast<double>(now_ns)) / 1e9;
  if (std::fabs(off_s) * 1e9 > static_cast<double>(skew_ns)) {
    char off[32];
    std::snprintf(off, sizeof off, "%+.0f", off_s);
    return refuse(401, "stale_nonce",
                  "the nonce's time is " + std::string(off) + " s from the miner's clock (allowed ±" +
                      std::to_string(policy.max_clock_skew.count()) + " s); check both clocks (NTP)",
                  validator);
  }
  const std::string& signature_text = *request.signature;
  auto signature_bytes = from_hex(signature_text.compare(0, 2, "0x") == 0 ? signature_text.substr(2) : signature_text);
  if (!signature_bytes || signature_bytes->size() != 64) {
    return refuse(401, "bad_signature", "header signature must be 0x and 128 hex digits (an sr25519 or ed25519 signature)",
                  validator);
  }
  Signature signature;
  std::copy(signature_bytes->begin(), signature_bytes->end(), signature.begin());
  if (!verify_signature(decoded->public_key, signing_message(*request.nonce, *request.miner_hotkey, request.body),
                        signature)) {
    return refuse(401, "bad_signature",
                  "the signature does not match validator-hotkey " + validator +
                      " over nonce:miner-hotkey:sha256(body) (wrong key, or the body was changed)",
                  validator);
  }
  std::optional<double> stake = stakes.stake_of(validator);
  if (!stake) {
    return refuse(403, "not_a_validator", "hotkey " + validator + " is not a registered validator", validator);
  }
  if (*stake < policy.min_validator_stake) {
    Verdict v = refuse(403, "stake_too_low",
                       "validator " + validator + " has stake " + std::to_string(*stake) +
                           ", below this miner's threshold of " + std::to_string(policy.min_validator_stake),
                       validator);
    v.stake = stake;
    return v;
  }
  switch (replays.check_and_insert(validator, *request.nonce, *nonce_ns, now_ns)) {
    case ReplayCache::Outcome::fresh: break;
    case ReplayCache::Outcome::replayed:
      return refuse(401, "replayed_nonce", "nonce " + *request.nonce + " was already used; sign each request anew",
                    validator);
    case ReplayCache::Outcome::below_floor:
      return refuse(401, "nonce_not_verifiable",
                    "nonce " + *request.nonce + " is older than the miner's replay cache can vouch for; retry with a "
                    "fresh nonce",
                    validator);
  }
  Verdict ok;
  ok.validator_hotkey = validator;
  ok.stake = stake;
  return ok;
}

}  // namespace nineteen::keys
