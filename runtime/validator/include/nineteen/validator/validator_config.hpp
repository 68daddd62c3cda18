// The validator's settings file (TOML).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nineteen/plugin_host/plugin_isolation.hpp"
#include "nineteen/scoring/mechanism_settings.hpp"

namespace nineteen::validator {

struct ValidatorConfig {
  std::string file;
  std::string hotkey_file;
  std::string chain_url;                // http:// (the local chain) or ws:// / wss:// (Subtensor JSON-RPC)
  std::optional<std::uint16_t> netuid;  // the subnet; required for ws:// and wss://
  std::string checker = "inline";  // "inline" (in this process), else checker_urls are used
  std::vector<std::string> checker_urls;  // `nineteen checker` servers; batches spread over them
  double check_fraction = 1;       // the share of synthetic answers sampled for checking (organic: all)
  // Miners serving HTTPS (tls_certificate in their settings): reach every miner at https://ip:port,
  // trusting miners_ca_file (PEM; empty = the system's CAs). The gateway's miner calls follow.
  bool miners_https = false;
  std::string miners_ca_file;
  std::string db;                  // the SQLite store
  double db_max_mb = 0;            // a cap on the store's size (0: none); past it writes fail as on a full disk
  std::string tasks_file;
  std::vector<std::string> plugin_dirs;
  // Where plugins run (keys plugin_isolation, plugin_memory_limit_mb, ...): worker processes by default.
  plugin_host::PluginIsolation isolation = plugin_host::PluginIsolation{true};
  double period_s = 3600;               // MECHANISM.md §3
  double answer_timeout_s = 60;         // a whole answer; time to first chunk is the task's timeout_s
  size_t senders = 16;                  // synthetic requests in flight at once
  size_t answers_kept_per_task = 1000;  // answers waiting for the checker; the oldest are dropped
  size_t check_batch = 16;
  int checker_workers = 1;              // inline checker
  double weights_every_s = 0;           // 0: after every period
  uint64_t version_key = 0;
  size_t history_periods = 24;          // periods folded into P_h
  scoring::MechanismSettings mechanism;
};

class ValidatorConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

ValidatorConfig load_validator_config(const std::string& path);
ValidatorConfig parse_validator_config(const std::string& toml_text, const std::string& file_name);

}  // namespace nineteen::validator
