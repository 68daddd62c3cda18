// A hotkey: the identity a node signs with — sr25519 (Substrate/Bittensor, the default) or ed25519 (older files).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nineteen/keys/ss58.hpp"
#include "nineteen/keys/sr25519.hpp"

namespace nineteen::keys {

using Seed = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

enum class KeyScheme { sr25519, ed25519 };

// "sr25519" / "ed25519", and back (nullopt for anything else).
const char* scheme_name(KeyScheme scheme);
std::optional<KeyScheme> parse_scheme(std::string_view name);

class Hotkey {
 public:
  // A new key from the system's secure random source.
  static Hotkey generate(KeyScheme scheme = KeyScheme::sr25519);
  // The key for a given seed (deterministic). For sr25519 the seed is the mini-secret (btcli's
  // secretSeed), expanded in Ed25519 mode as Substrate does; for ed25519 it is RFC 8032's seed.
  static Hotkey from_seed(const Seed& seed, KeyScheme scheme = KeyScheme::sr25519);
  // An sr25519 key from schnorrkel's expanded secret (btcli's privateKey), when no mini-secret is known.
  static Hotkey from_sr25519_secret(const Sr25519SecretKey& secret);

  KeyScheme scheme() const { return scheme_; }
  // The seed, or all zeros for an sr25519 key made from_sr25519_secret (see has_seed()).
  const Seed& seed() const { return seed_; }
  bool has_seed() const { return has_seed_; }
  const PublicKey& public_key() const { return public_key_; }
  std::string ss58_address() const { return ss58_encode(public_key_); }
  // sr25519 only: schnorrkel's secret (scalar ‖ nonce); zeros for ed25519.
  const Sr25519SecretKey& sr25519_secret() const { return sr25519_secret_; }

  // Signs with the key's scheme (sr25519: context "substrate", randomised). Thread-safe.
  Signature sign(std::string_view message) const;
  Signature sign(const std::uint8_t* data, std::size_t size) const;

 private:
  Hotkey() = default;
  KeyScheme scheme_ = KeyScheme::ed25519;
  bool has_seed_ = false;
  Seed seed_{};
  PublicKey public_key_{};
  std::array<std::uint8_t, 64> secret_key_{};  // ed25519: libsodium's seed || public key form
  Sr25519SecretKey sr25519_secret_{};
};

// Checks a signature of `message` by `public_key`. An SS58 address or raw key does not say which
// scheme made it, so this tries sr25519 first (what Bittensor wallets use), then ed25519 (older
// nineteen keys). The two cannot be confused: an sr25519 signature carries a marker bit that an
// ed25519 signature's canonical s never has.
bool verify_signature(const PublicKey& public_key, std::string_view message, const Signature& signature);
// Checks with one named scheme only.
bool verify_signature(KeyScheme scheme, const PublicKey& public_key, std::string_view message,
                      const Signature& signature);

// Throws std::runtime_error when libsodium cannot start (no entropy source).
void ensure_sodium();

}  // namespace nineteen::keys
