// sr25519: schnorrkel's Schnorr signatures on ristretto255, the key scheme of Substrate and Bittensor.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "nineteen/keys/ss58.hpp"

namespace nineteen::keys {

// A 32-byte mini-secret: what a mnemonic or btcli's secretSeed gives.
using Sr25519MiniSecret = std::array<std::uint8_t, 32>;
using Sr25519Signature = std::array<std::uint8_t, 64>;
using Sr25519ChainCode = std::array<std::uint8_t, 32>;

// schnorrkel's SecretKey: a scalar (mod l) and a 32-byte nonce seed.
struct Sr25519SecretKey {
  std::array<std::uint8_t, 32> scalar{};
  std::array<std::uint8_t, 32> nonce{};
  void wipe();
};

// Substrate's signing context.
inline constexpr std::string_view kSubstrateSigningContext = "substrate";

// MiniSecretKey::expand(ExpansionMode::Ed25519), as Substrate uses: sha512, clamp, divide by the
// cofactor 8; the nonce is the upper half of the hash.
Sr25519SecretKey sr25519_expand_mini_secret(const Sr25519MiniSecret& mini_secret);

// The public key (scalar · basepoint, compressed ristretto255).
PublicKey sr25519_public_key(const Sr25519SecretKey& secret);

// schnorrkel SecretKey::to_bytes (scalar ‖ nonce) — btcli's "privateKey" — and its inverse, which
// refuses a scalar that is not reduced mod l (nullopt), as schnorrkel's from_bytes does.
std::array<std::uint8_t, 64> sr25519_secret_to_bytes(const Sr25519SecretKey& secret);
std::optional<Sr25519SecretKey> sr25519_secret_from_bytes(const std::uint8_t* bytes64);

// Signs `message` under signing_context(context).bytes(message). The signature is randomised (a
// fresh nonce each time, from the secret's nonce seed and libsodium randomness) and carries
// schnorrkel's marker bit (byte 63 |= 0x80).
Sr25519Signature sr25519_sign(const Sr25519SecretKey& secret, const PublicKey& public_key, const std::uint8_t* message,
                              std::size_t size, std::string_view context = kSubstrateSigningContext);

// Checks a signature as schnorrkel's PublicKey::verify does: the marker bit must be set, s must be
// canonical, the public key a valid ristretto255 point. Thread-safe; false on any malformed input.
bool sr25519_verify(const PublicKey& public_key, const std::uint8_t* message, std::size_t size,
                    const Sr25519Signature& signature, std::string_view context = kSubstrateSigningContext);

// schnorrkel hard_derive_mini_secret_key(Some(chain_code), b"") — Substrate's "//junction" step.
Sr25519MiniSecret sr25519_hard_derive(const Sr25519SecretKey& parent, const Sr25519ChainCode& chain_code);

}  // namespace nineteen::keys
