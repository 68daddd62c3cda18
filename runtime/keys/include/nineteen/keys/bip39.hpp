// BIP39 mnemonics the Substrate way: words → entropy → PBKDF2 mini-secret (not the BIP39 seed).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nineteen/keys/sr25519.hpp"

namespace nineteen::keys {

// The 2048 English words, in order (index = the 11-bit value).
const std::array<const char*, 2048>& bip39_english_words();

// Words (12, 15, 18, 21 or 24, separated by whitespace) → entropy bytes, with the checksum
// checked. Throws std::invalid_argument naming the bad word, the count, or a checksum mismatch.
std::vector<std::uint8_t> bip39_mnemonic_to_entropy(std::string_view phrase);

// Entropy → words (the inverse; entropy of 16, 20, 24, 28 or 32 bytes).
std::string bip39_entropy_to_mnemonic(const std::vector<std::uint8_t>& entropy);

// substrate-bip39 mini_secret_from_entropy: PBKDF2-HMAC-SHA512(entropy, "mnemonic" + password,
// 2048 rounds), the first 32 bytes.
Sr25519MiniSecret bip39_mini_secret(std::string_view phrase, std::string_view password = "");

// PBKDF2-HMAC-SHA512 (RFC 8018) over libsodium's HMAC.
void pbkdf2_hmac_sha512(const std::uint8_t* password, std::size_t password_size, const std::uint8_t* salt,
                        std::size_t salt_size, std::uint32_t iterations, std::uint8_t* out, std::size_t out_size);

}  // namespace nineteen::keys
