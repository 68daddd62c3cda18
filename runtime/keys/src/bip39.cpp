// BIP39 words ↔ entropy and Substrate's mnemonic → mini-secret (substrate-bip39).
#include "nineteen/keys/bip39.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "nineteen/keys/hotkey.hpp"

namespace nineteen::keys {
namespace {

std::vector<std::string> split_words(std::string_view phrase) {
  std::vector<std::string> words;
  std::string current;
  for (char c : phrase) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

int word_index(const std::string& word) {
  const auto& words = bip39_english_words();
  auto it = std::lower_bound(words.begin(), words.end(), word,
                             [](const char* a, const std::string& b) { return std::strcmp(a, b.c_str()) < 0; });
  if (it == words.end() || word != *it) return -1;
  return static_cast<int>(it - words.begin());
}

std::uint8_t checksum_bits(const std::vector<std::uint8_t>& entropy) {
  std::uint8_t hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, entropy.data(), entropy.size());
  const std::size_t bits = entropy.size() / 4;  // ENT/32 bits, 4..8
  return static_cast<std::uint8_t>(hash[0] >> (8 - bits));
}

}  // namespace

std::vector<std::uint8_t> bip39_mnemonic_to_entropy(std::string_view phrase) {
  ensure_sodium();
  std::vector<std::string> words = split_words(phrase);
  const std::size_t n = words.size();
  if (n < 12 || n > 24 || n % 3 != 0) {
    throw std::invalid_argument("a mnemonic has 12, 15, 18, 21 or 24 words; this one has " + std::to_string(n));
  }
  std::vector<bool> bits;
  bits.reserve(n * 11);
  for (std::size_t i = 0; i < n; ++i) {
    int index = word_index(words[i]);
    if (index < 0) {
      throw std::invalid_argument("word " + std::to_string(i + 1) + " \"" + words[i] +
                                  "\" is not in the BIP39 English wordlist (a typo?)");
    }
    for (int b = 10; b >= 0; --b) bits.push_back(((index >> b) & 1) != 0);
  }
  const std::size_t checksum_size = n * 11 / 33;
  const std::size_t entropy_bits = n * 11 - checksum_size;
  std::vector<std::uint8_t> entropy(entropy_bits / 8, 0);
  for (std::size_t i = 0; i < entropy_bits; ++i) {
    if (bits[i]) entropy[i / 8] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
  }
  std::uint8_t given = 0;
  for (std::size_t i = 0; i < checksum_size; ++i) given = static_cast<std::uint8_t>((given << 1) | bits[entropy_bits + i]);
  std::fill(bits.begin(), bits.end(), false);
  if (given != checksum_bits(entropy)) {
    sodium_memzero(entropy.data(), entropy.size());
    throw std::invalid_argument("the mnemonic's checksum does not match (a word is wrong or the order is changed)");
  }
  for (auto& w : words) sodium_memzero(w.data(), w.size());
  return entropy;
}

std::string bip39_entropy_to_mnemonic(const std::vector<std::uint8_t>& entropy) {
  ensure_sodium();
  if (entropy.size() < 16 || entropy.size() > 32 || entropy.size() % 4 != 0) {
    throw std::invalid_argument("BIP39 entropy is 16, 20, 24, 28 or 32 bytes, not " + std::to_string(entropy.size()));
  }
  const std::size_t checksum_size = entropy.size() / 4;
  const std::uint8_t checksum = checksum_bits(entropy);
  auto bit = [&](std::size_t i) -> int {
    if (i < entropy.size() * 8) return (entropy[i / 8] >> (7 - i % 8)) & 1;
    return (checksum >> (checksum_size - 1 - (i - entropy.size() * 8))) & 1;
  };
  std::string phrase;
  const std::size_t words = (entropy.size() * 8 + checksum_size) / 11;
  for (std::size_t w = 0; w < words; ++w) {
    int index = 0;
    for (std::size_t b = 0; b < 11; ++b) index = (index << 1) | bit(w * 11 + b);
    if (w) phrase.push_back(' ');
    phrase += bip39_english_words()[static_cast<std::size_t>(index)];
  }
  return phrase;
}

void pbkdf2_hmac_sha512(const std::uint8_t* password, std::size_t password_size, const std::uint8_t* salt,
                        std::size_t salt_size, std::uint32_t iterations, std::uint8_t* out, std::size_t out_size) {
  ensure_sodium();
  // HMAC keys longer than the block are hashed first; libsodium's init does that for us.
  crypto_auth_hmacsha512_state keyed;
  crypto_auth_hmacsha512_init(&keyed, password, password_size);
  std::uint8_t u[crypto_auth_hmacsha512_BYTES], t[crypto_auth_hmacsha512_BYTES];
  for (std::uint32_t block = 1; out_size > 0; ++block) {
    const std::uint8_t counter[4] = {static_cast<std::uint8_t>(block >> 24), static_cast<std::uint8_t>(block >> 16),
                                     static_cast<std::uint8_t>(block >> 8), static_cast<std::uint8_t>(block)};
    crypto_auth_hmacsha512_state state = keyed;
    crypto_auth_hmacsha512_update(&state, salt, salt_size);
    crypto_auth_hmacsha512_update(&state, counter, sizeof counter);
    crypto_auth_hmacsha512_final(&state, u);
    std::memcpy(t, u, sizeof t);
    for (std::uint32_t i = 1; i < iterations; ++i) {
      state = keyed;
      crypto_auth_hmacsha512_update(&state, u, sizeof u);
      crypto_auth_hmacsha512_final(&state, u);
      for (std::size_t j = 0; j < sizeof t; ++j) t[j] ^= u[j];
    }
    const std::size_t take = std::min(out_size, sizeof t);
    std::memcpy(out, t, take);
    out += take;
    out_size -= take;
  }
  sodium_memzero(u, sizeof u);
  sodium_memzero(t, sizeof t);
  sodium_memzero(&keyed, sizeof keyed);
}

Sr25519MiniSecret bip39_mini_secret(std::string_view phrase, std::string_view password) {
  std::vector<std::uint8_t> entropy = bip39_mnemonic_to_entropy(phrase);
  std::string salt = "mnemonic" + std::string(password);
  std::uint8_t seed[64];
  pbkdf2_hmac_sha512(entropy.data(), entropy.size(), reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size(),
                     2048, seed, sizeof seed);
  Sr25519MiniSecret mini_secret{};
  std::memcpy(mini_secret.data(), seed, mini_secret.size());
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(entropy.data(), entropy.size());
  sodium_memzero(salt.data(), salt.size());
  return mini_secret;
}

}  // namespace nineteen::keys
