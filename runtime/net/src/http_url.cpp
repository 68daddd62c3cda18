// Parses the http:// and https:// URLs miners and upstream servers are reached at.
#include "nineteen/net/http_url.hpp"

#include <cctype>

namespace nineteen::net {

std::optional<HttpUrl> parse_http_url(const std::string& url, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<HttpUrl> {
    if (error) *error = "URL \"" + url + "\": " + why;
    return std::nullopt;
  };
  HttpUrl out;
  std::size_t scheme_size = 0;
  if (url.compare(0, 7, "http://") == 0) {
    scheme_size = 7;
  } else if (url.compare(0, 8, "https://") == 0) {
    scheme_size = 8;
    out.tls = true;
    out.port = 443;
  } else {
    return fail("expected it to start with http:// or https://");
  }
  std::string rest = url.substr(scheme_size);
  std::size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
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
