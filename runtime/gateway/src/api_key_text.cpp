// Key text, hash and Bearer parsing for the gateway's API keys.
#include "nineteen/gateway/api_key_text.hpp"

#include <sys/random.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "nineteen/keys/request_signing.hpp"

namespace nineteen::gateway {

std::string new_api_key() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot read the system's random source (getrandom): ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string key = "nt-";
  for (unsigned char b : bytes) {
    key += hex[b >> 4];
    key += hex[b & 15];
  }
  return key;
}

std::string api_key_hash(std::string_view key) { return keys::sha256_hex(key); }

std::optional<std::string> bearer_token(std::string_view authorization) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  std::string_view s = trim(authorization);
  constexpr std::string_view scheme = "bearer";
  if (s.size() <= scheme.size()) return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != scheme[i]) return std::nullopt;
  }
  if (!std::isspace(static_cast<unsigned char>(s[scheme.size()]))) return std::nullopt;
  std::string_view token = trim(s.substr(scheme.size()));
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

}  // namespace nineteen::gateway
