// SS58 addresses (Substrate's base58 form of a public key with a network prefix and checksum).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace nineteen::keys {

using PublicKey = std::array<std::uint8_t, 32>;

// Bittensor and generic Substrate use prefix 42 ("5..." addresses).
constexpr std::uint16_t kSs58Prefix = 42;

// Encodes a 32-byte public key. `prefix` must be 0..16383 (one byte below 64, two bytes above).
std::string ss58_encode(const PublicKey& public_key, std::uint16_t prefix = kSs58Prefix);

struct Ss58Decoded {
  PublicKey public_key{};
  std::uint16_t prefix = 0;
};

// Decodes and checks an address: base58 alphabet, length, prefix form, checksum, and (when
// `expected_prefix` is given) the prefix. On failure returns nullopt and says why in `error`.
std::optional<Ss58Decoded> ss58_decode(const std::string& address, std::string* error = nullptr,
                                       std::optional<std::uint16_t> expected_prefix = kSs58Prefix);

bool is_valid_ss58(const std::string& address);

// Lower-case hex of bytes, and its inverse (nullopt for odd length or a non-hex character).
std::string to_hex(const std::uint8_t* data, std::size_t size);
std::optional<std::string> from_hex(const std::string& hex);

}  // namespace nineteen::keys
