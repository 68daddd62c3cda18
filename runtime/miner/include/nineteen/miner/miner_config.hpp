// The miner's settings file (TOML): identity, address, which tasks it serves and how much.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nineteen/plugin_host/plugin_isolation.hpp"

namespace nineteen::miner {

// How one task is served. Defaults come from the catalogue entry.
struct MinerTaskSettings {
  std::string name;
  size_t concurrency = 4;        // requests at once; beyond it the miner answers 429 at once
  double capacity = -1;          // volume per scoring period; < 0 means the catalogue's max_capacity
  std::map<std::string, double> capacity_per_validator;  // fixed volumes by validator hotkey (SS58)
  std::optional<std::string> upstream;        // e.g. "http://127.0.0.1:8000": forward instead of the plugin
  std::optional<std::string> upstream_model;  // the model name the upstream expects
  // Scripted behaviours for test networks (a real miner leaves them at 0).
  double fail_rate = 0;         // share of requests answered 500
  int chunk_delay_ms = 0;       // sleep before each chunk (a fixed delay)
  // A slow miner: each chunk is held back (slowdown − 1) × the time it took to make, so answers take
  // about `slowdown` times as long as this machine's honest ones; the added wait never takes an answer
  // past 80 % of the task's timeout_s (slow, not broken). 1 = no slowdown.
  double slowdown = 1;
  uint64_t behaviour_seed = 0;  // seeds the fail_rate draw
};

struct MinerConfig {
  std::string file;              // where it was read from (for messages)
  std::string hotkey_file;
  std::string address = "127.0.0.1";
  std::string external_ip;       // published on the chain; empty: `address`
  uint16_t port = 0;
  std::string tasks_file;        // the catalogue
  std::vector<std::string> plugin_dirs;
  // Where plugins run (keys plugin_isolation, plugin_memory_limit_mb, ...): worker processes by default.
  plugin_host::PluginIsolation isolation = plugin_host::PluginIsolation{true};
  std::optional<std::string> nodes_file;  // validator stakes (JSON node list) until a chain is given
  std::optional<std::string> chain_url;  // http:// (the local chain) or ws:// / wss:// (Subtensor JSON-RPC)
  std::optional<std::uint16_t> netuid;    // the subnet; required for ws:// and wss://
  double min_validator_stake = 0;
  int handler_threads = 32;
  size_t max_body_bytes = 4 * 1024 * 1024;
  bool dev_reload = false;
  // false: serve unsigned requests, as a plain OpenAI-compatible server (e.g. the upstream of another
  // miner on a private address). Never on an address validators reach.
  bool require_signatures = true;
  // GET / and GET /status.json (the miner's own page) answer loopback clients only unless true: they
  // tell who the miner's validators are and how it is doing.
  bool status_page_public = false;
  // HTTPS: PEM files of the certificate chain and its key; both set = the miner speaks only TLS
  // (validators then reach it with `miners_https = true`).
  std::string tls_certificate;
  std::string tls_private_key;
  // https:// upstreams: the CAs to trust (PEM); empty = the system's.
  std::string upstream_ca_file;
  // Tasks served. Empty `[miner.tasks]` means every enabled task of the catalogue, with defaults.
  std::vector<MinerTaskSettings> tasks;
};

class MinerConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Relative paths are resolved against the config file's folder.
MinerConfig load_miner_config(const std::string& path);
MinerConfig parse_miner_config(const std::string& toml_text, const std::string& file_name);

}  // namespace nineteen::miner
