// The gateway's settings: the [gateway] table of the validator's TOML file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace nineteen::gateway {

struct GatewaySettings {
  std::string address = "127.0.0.1";
  uint16_t port = 0;            // 0: the system picks one (printed as "gateway listening on URL")
  int handler_threads = 64;     // requests worked on at once (a stream holds one for its whole run)
  size_t max_body_bytes = 1 << 20;
  int max_attempts = 3;         // contenders tried for one request before answering 503
  double key_cache_s = 2;       // how long a looked-up API key is trusted before it is read again
                                // (a revocation takes effect within this time)
  double usage_flush_s = 1;     // usage is written to the store at most this often (and at stop)
  // HTTPS: PEM files of the certificate chain and its key; both set = the gateway speaks only TLS.
  std::string tls_certificate;
  std::string tls_private_key;
  // The CAs trusted for https:// miners: not a [gateway] key, the validator's `miners_ca_file`.
  std::string miners_ca_file;
};

class GatewaySettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the `table` table (normally "gateway") of the TOML text of `file_name`. nullopt when the file
// has no such table (the gateway is off). Throws GatewaySettingsError naming the file, line and key
// for bad TOML, an unknown key or a value out of range.
std::optional<GatewaySettings> parse_gateway_settings(const std::string& file_name, const std::string& toml_text,
                                                      const std::string& table = "gateway");

}  // namespace nineteen::gateway
