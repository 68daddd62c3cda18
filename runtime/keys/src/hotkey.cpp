// Hotkeys of either scheme: ed25519 through libsodium, sr25519 through sr25519.cpp.
#include "nineteen/keys/hotkey.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace nineteen::keys {

void ensure_sodium() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  if (!ok) throw std::runtime_error("libsodium failed to initialise (no secure random source?)");
}

const char* scheme_name(KeyScheme scheme) { return scheme == KeyScheme::sr25519 ? "sr25519" : "ed25519"; }

std::optional<KeyScheme> parse_scheme(std::string_view name) {
  if (name == "sr25519") return KeyScheme::sr25519;
  if (name == "ed25519") return KeyScheme::ed25519;
  return std::nullopt;
}

Hotkey Hotkey::generate(KeyScheme scheme) {
  ensure_sodium();
  Seed seed;
  randombytes_buf(seed.data(), seed.size());
  Hotkey key = from_seed(seed, scheme);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Hotkey Hotkey::from_seed(const Seed& seed, KeyScheme scheme) {
  ensure_sodium();
  Hotkey key;
  key.scheme_ = scheme;
  key.seed_ = seed;
  key.has_seed_ = true;
  if (scheme == KeyScheme::ed25519) {
    crypto_sign_seed_keypair(key.public_key_.data(), key.secret_key_.data(), seed.data());
  } else {
    key.sr25519_secret_ = sr25519_expand_mini_secret(seed);
    key.public_key_ = sr25519_public_key(key.sr25519_secret_);
  }
  return key;
}

Hotkey Hotkey::from_sr25519_secret(const Sr25519SecretKey& secret) {
  Hotkey key;
  key.scheme_ = KeyScheme::sr25519;
  key.sr25519_secret_ = secret;
  key.public_key_ = sr25519_public_key(secret);
  return key;
}

Signature Hotkey::sign(std::string_view message) const {
  return sign(reinterpret_cast<const std::uint8_t*>(message.data()), message.size());
}

Signature Hotkey::sign(const std::uint8_t* data, std::size_t size) const {
  if (scheme_ == KeyScheme::sr25519) return sr25519_sign(sr25519_secret_, public_key_, data, size);
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, data, size, secret_key_.data());
  return signature;
}

bool verify_signature(KeyScheme scheme, const PublicKey& public_key, std::string_view message,
                      const Signature& signature) {
  ensure_sodium();
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (scheme == KeyScheme::sr25519) return sr25519_verify(public_key, data, message.size(), signature);
  return crypto_sign_verify_detached(signature.data(), data, message.size(), public_key.data()) == 0;
}

bool verify_signature(const PublicKey& public_key, std::string_view message, const Signature& signature) {
  return verify_signature(KeyScheme::sr25519, public_key, message, signature) ||
         verify_signature(KeyScheme::ed25519, public_key, message, signature);
}

}  // namespace nineteen::keys
