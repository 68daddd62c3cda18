// Splitting an http:// or https:// URL into scheme, host, port and target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nineteen::net {

struct HttpUrl {
  std::string host;    // "127.0.0.1", "miner.example", "::1" (without brackets)
  uint16_t port = 80;  // 443 for https:// without a port
  bool tls = false;    // https://
  std::string target;  // "/v1/chat/completions?x=1"; "/" when the URL has no path
};

// Parses "http[s]://host[:port][/path]". Returns nullopt and fills `error` (when given) for anything
// else: another scheme, a missing host, a port outside 1..65535.
std::optional<HttpUrl> parse_http_url(const std::string& url, std::string* error = nullptr);

}  // namespace nineteen::net
