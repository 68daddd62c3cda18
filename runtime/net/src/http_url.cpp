// Parses the http:// URLs miners and upstream servers are reached at.
#include "nineteen/net/http_url.hpp"

#include <cctype>

namespace nineteen::net {

std::optional<HttpUrl> parse_http_url(const std::string& url, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<HttpUrl> {
    if (error) *error = "URL \"" + url + "\": " + why;
    return std::nullopt;
  };
  const std::string scheme = "http://";
  if (url.compare(0, 8, "https://") == 0) return fail("https is not supported; use http:// (or a TLS proxy)");
  if (url.compare(0, scheme.size(), scheme) != 0) return fail("expected it to start with http://");
  std::string rest = url.substr(scheme.size());
  std::size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!out.target.empty() && out.target[0] == '?') out.target = "/" + out.target;
  if (authority.find('@') != std::string::npos) return fail("user info in the URL is not supported");
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string::npos) return fail("unclosed '[' in the host");
    out.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("expected ':' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return fail("empty port after ':'");
    }
  } else {
    std::size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail("empty port after ':'");
    }
  }
  if (out.host.empty()) return fail("missing host");
  if (!port_text.empty()) {
    if (port_text.size() > 5) return fail("port \"" + port_text + "\" is not in 1..65535");
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return fail("port \"" + port_text + "\" is not a number");
    }
    int port = std::stoi(port_text);
    if (port < 1 || port > 65535) return fail("port \"" + port_text + "\" is not in 1..65535");
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

}  // namespace nineteen::net
