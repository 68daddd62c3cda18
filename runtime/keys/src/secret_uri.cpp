// Secret URIs → sr25519 keys: a phrase or 0x-seed, hard junctions (schnorrkel HDKD), an optional password.
#include "nineteen/keys/secret_uri.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "nineteen/keys/bip39.hpp"

namespace nineteen::keys {
namespace {

// Substrate's DeriveJunction: the SCALE encoding of the junction (a u64 when it is a number, else a
// string) padded into 32 bytes, or its blake2b-256 when longer.
Sr25519ChainCode chain_code_of(const std::string& junction) {
  std::vector<std::uint8_t> encoded;
  bool numeric = !junction.empty() && junction.size() <= 20;
  for (char c : junction) numeric = numeric && c >= '0' && c <= '9';
  std::uint64_t number = 0;
  if (numeric) {
    try {
      number = std::stoull(junction);
    } catch (const std::out_of_range&) {
      numeric = false;
    }
  }
  if (numeric) {
    for (int i = 0; i < 8; ++i) encoded.push_back(static_cast<std::uint8_t>(number >> (8 * i)));
  } else {
    const std::size_t n = junction.size();
    if (n < 64) {
      encoded.push_back(static_cast<std::uint8_t>(n << 2));
    } else if (n < 16384) {
      encoded.push_back(static_cast<std::uint8_t>((n << 2) | 1));
      encoded.push_back(static_cast<std::uint8_t>(n >> 6));
    } else {
      throw std::invalid_argument("a derivation junction of " + std::to_string(n) + " characters is too long");
    }
    encoded.insert(encoded.end(), junction.begin(), junction.end());
  }
  Sr25519ChainCode code{};
  if (encoded.size() > code.size()) {
    crypto_generichash(code.data(), code.size(), encoded.data(), encoded.size(), nullptr, 0);
  } else {
    std::memcpy(code.data(), encoded.data(), encoded.size());
  }
  return code;
}

}  // namespace

Hotkey hotkey_from_secret_uri(std::string_view uri) {
  ensure_sodium();
  std::string text(uri);
  std::string password;
  if (std::size_t at = text.find("///"); at != std::string::npos) {
    password = text.substr(at + 3);
    text.resize(at);
  }
  const std::size_t path_at = text.find('/');
  std::string phrase = path_at == std::string::npos ? text : text.substr(0, path_at);
  std::string path = path_at == std::string::npos ? "" : text.substr(path_at);
  while (!phrase.empty() && phrase.back() == ' ') phrase.pop_back();

  Sr25519MiniSecret mini_secret{};
  if (phrase.compare(0, 2, "0x") == 0) {
    auto bytes = from_hex(phrase.substr(2));
    if (!bytes || bytes->size() != 32) {
      throw std::invalid_argument("a secret URI's seed must be 0x and 64 hex digits (a 32-byte mini-secret)");
    }
    std::memcpy(mini_secret.data(), bytes->data(), 32);
    sodium_memzero(bytes->data(), bytes->size());
  } else {
    mini_secret = bip39_mini_secret(phrase.empty() ? kSubstrateDevPhrase : std::string_view(phrase), password);
  }
  sodium_memzero(phrase.data(), phrase.size());

  std::size_t i = 0;
  while (i < path.size()) {
    const bool hard = path.compare(i, 2, "//") == 0;
    const std::size_t start = i + (hard ? 2 : 1);
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string junction = path.substr(start, end - start);
    if (!hard) {
      throw std::invalid_argument("soft derivation \"/" + junction + "\" is not supported (hotkeys need a secret); "
                                  "use a hard junction \"//" + junction + "\"");
    }
    if (junction.empty()) throw std::invalid_argument("a secret URI has an empty \"//\" junction");
    Sr25519SecretKey parent = sr25519_expand_mini_secret(mini_secret);
    mini_secret = sr25519_hard_derive(parent, chain_code_of(junction));
    parent.wipe();
    i = end;
  }
  Hotkey key = Hotkey::from_seed(mini_secret, KeyScheme::sr25519);
  sodium_memzero(mini_secret.data(), mini_secret.size());
  sodium_memzero(password.data(), password.size());
  return key;
}

}  // namespace nineteen::keys
