// Reads the [gateway] table of the validator's settings; errors name the file, line and key.
#include "nineteen/gateway/gateway_settings.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include <toml++/toml.h>

namespace nineteen::gateway {

std::optional<GatewaySettings> parse_gateway_settings(const std::string& file_name, const std::string& toml_text,
                                                      const std::string& table) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file_name << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": not valid TOML: " << e.description();
    throw GatewaySettingsError(out.str());
  }
  const toml::node* node = root.get(table);
  if (!node) return std::nullopt;
  const toml::table* g = node->as_table();
  if (!g) {
    throw GatewaySettingsError(file_name + ":" + std::to_string(node->source().begin.line) + ": \"" + table +
                               "\" must be a table ([" + table + "] with address, port, ...)");
  }
  static const std::vector<std::string> known = {"address",       "port",           "handler_threads",
                                                 "max_body_bytes", "max_attempts", "key_cache_s",
                                                 "usage_flush_s", "tls_certificate", "tls_private_key"};
  for (const auto& [key, value] : *g) {
    if (std::find(known.begin(), known.end(), std::string(key.str())) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw GatewaySettingsError(file_name + ":" + std::to_string(value.source().begin.line) + ": unknown key \"" +
                                 table + "." + std::string(key.str()) + "\" (known: " + list + ")");
    }
  }
  auto fail = [&](const toml::node& n, const std::string& key, const std::string& expected) {
    throw GatewaySettingsError(file_name + ":" + std::to_string(n.source().begin.line) + ": key \"" + table + "." +
                               key + "\": expected " + expected);
  };
  auto number = [&](const char* key, double fallback, double lo, double hi, bool integer) {
    const toml::node* n = g->get(key);
    if (!n) return fallback;
    std::ostringstream range;
    range << (integer ? "an integer" : "a number") << " from " << lo << " to " << hi;
    if (integer ? !n->is_integer() : !n->is_number()) fail(*n, key, range.str());
    double v = *n->value<double>();
    if (!std::isfinite(v) || v < lo || v > hi) fail(*n, key, range.str());
    return v;
  };

  GatewaySettings s;
  if (const toml::node* n = g->get("address")) {
    if (!n->is_string() || n->value<std::string>()->empty()) fail(*n, "address", "an IP address string, e.g. \"0.0.0.0\"");
    s.address = *n->value<std::string>();
  }
  s.port = static_cast<uint16_t>(number("port", s.port, 0, 65535, true));
  s.handler_threads = static_cast<int>(number("handler_threads", s.handler_threads, 1, 4096, true));
  s.max_body_bytes = static_cast<size_t>(number("max_body_bytes", static_cast<double>(s.max_body_bytes), 1024, 1 << 30, true));
  s.max_attempts = static_cast<int>(number("max_attempts", s.max_attempts, 1, 100, true));
  s.key_cache_s = number("key_cache_s", s.key_cache_s, 0, 3600, false);
  s.usage_flush_s = number("usage_flush_s", s.usage_flush_s, 0.01, 3600, false);
  for (const auto& [key, field] : {std::pair<const char*, std::string*>{"tls_certificate", &s.tls_certificate},
                                   std::pair<const char*, std::string*>{"tls_private_key", &s.tls_private_key}}) {
    if (const toml::node* n = g->get(key)) {
      if (!n->is_string() || n->value<std::string>()->empty()) fail(*n, key, "the path of a PEM file");
      *field = *n->value<std::string>();
    }
  }
  if (s.tls_certificate.empty() != s.tls_private_key.empty()) {
    throw GatewaySettingsError(file_name + ": [" + table + "] sets only one of tls_certificate and tls_private_key;" +
                               " HTTPS needs both (or neither, for plain HTTP)");
  }
  return s;
}

}  // namespace nineteen::gateway
