// ed25519 keys and signatures through libsodium.
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

Hotkey Hotkey::generate() {
  ensure_sodium();
  Seed seed;
  randombytes_buf(seed.data(), seed.size());
  Hotkey key = from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Hotkey Hotkey::from_seed(const Seed& seed) {
  ensure_sodium();
  Hotkey key;
  key.seed_ = seed;
  crypto_sign_seed_keypair(key.public_key_.data(), key.secret_key_.data(), seed.data());
  return key;
}

Signature Hotkey::sign(std::string_view message) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_key_.data());
  return signature;
}

bool verify_signature(const PublicKey& public_key, std::string_view message, const Signature& signature) {
  ensure_sodium();
  return crypto_sign_verify_detached(signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}

}  // namespace nineteen::keys
