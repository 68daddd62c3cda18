// An ed25519 hotkey (libsodium): the identity a node signs requests with.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "nineteen/keys/ss58.hpp"

namespace nineteen::keys {

using Seed = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

class Hotkey {
 public:
  // A new key from the system's secure random source.
  static Hotkey generate();
  // The key for a given seed (deterministic; for tests and for loading files).
  static Hotkey from_seed(const Seed& seed);

  const Seed& seed() const { return seed_; }
  const PublicKey& public_key() const { return public_key_; }
  std::string ss58_address() const { return ss58_encode(public_key_); }

  Signature sign(std::string_view message) const;

 private:
  Hotkey() = default;
  Seed seed_{};
  PublicKey public_key_{};
  std::array<std::uint8_t, 64> secret_key_{};  // libsodium's seed || public key form
};

// Checks an ed25519 signature of `message` by `public_key`.
bool verify_signature(const PublicKey& public_key, std::string_view message, const Signature& signature);

// Throws std::runtime_error when libsodium cannot start (no entropy source).
void ensure_sodium();

}  // namespace nineteen::keys
