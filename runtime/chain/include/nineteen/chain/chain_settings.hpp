// The local chain's settings file (TOML, table [chain]), with errors naming the file and the key.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "nineteen/chain/chain.hpp"

namespace nineteen::chain {

struct ChainSettings {
  std::string address = "127.0.0.1";  // loopback by default: a dev chain is not for the open internet
  std::uint16_t port = 9944;          // 0 = any free port (tests)
  std::string db = "chain.sqlite";    // relative paths are relative to the settings file's folder
  // Substrate's JSON-RPC subset on ws://address:rpc_port (0 = any free port), what SubtensorChain talks
  // to; unset = HTTP only.
  std::optional<std::uint16_t> rpc_port;
  std::uint16_t netuid = 1;  // the one subnet the JSON-RPC face serves
  ChainParams params;                 // block_time_s, tempo, rate_limit, version_key
};

class ChainSettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads
//   [chain]
//   address = "127.0.0.1"   port = 9944   db = "chain.sqlite"   rpc_port = 9945   netuid = 1
//   block_time_s = 12       tempo = 360   rate_limit = 150   version_key = 0
// Every key is optional; an unknown key, a wrong type or an out-of-range value is an error such as
// `chain.toml: key "chain.block_time_s": expected a number > 0, got "fast"`.
ChainSettings load_chain_settings(const std::string& path);
// The same from text; relative db paths stay as written. `file_name` names it in errors.
ChainSettings parse_chain_settings(const std::string& toml_text, const std::string& file_name);

}  // namespace nineteen::chain
