// Where a node runs its plugins: in supervised worker processes (a crash, hang or leak costs the
// calls in flight on that plugin, never the node) or in the node's own process (development).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nineteen::plugin_host {

struct PluginIsolation {
  // true: each plugin library runs in its own `nineteen plugin-worker` process (see plugin_worker.hpp).
  bool process = false;
  // The worker program; empty: default_worker_executable().
  std::filesystem::path worker_executable;
  // A worker whose resident memory passes this is killed and restarted (0: no limit).
  double memory_limit_mb = 0;
  // A call other than serve that has not returned after this long gets its worker killed (a hang).
  double call_timeout_s = 600;
  // A serve call still running this long after its cancellation gets its worker killed (a hang).
  double cancel_grace_s = 10;
  // Restart backoff: the first restart waits backoff_min_s, each quick death doubles it up to max.
  double backoff_min_s = 0.1;
  double backoff_max_s = 10;
};

// The settings keys every node (miner, validator, checker) reads into a PluginIsolation.
inline std::vector<std::string> plugin_isolation_keys() {
  return {"plugin_isolation", "plugin_memory_limit_mb", "plugin_call_timeout_s", "plugin_cancel_grace_s"};
}

// `keys` and those keys, for a settings table's allow_only.
inline std::vector<std::string> with_plugin_isolation_keys(std::vector<std::string> keys) {
  for (std::string& key : plugin_isolation_keys()) keys.push_back(std::move(key));
  return keys;
}

// Reads those keys from a node's settings table (a config::SettingsTable). Isolation is on unless
// plugin_isolation = "in-process".
template <typename Table>
PluginIsolation read_plugin_isolation(const Table& t) {
  PluginIsolation p;
  const std::string mode = t.string("plugin_isolation").value_or("process");
  if (mode != "process" && mode != "in-process") {
    t.fail(*t.get("plugin_isolation"), "plugin_isolation",
           "\"process\" (each plugin in a supervised worker process, the default) or \"in-process\" (development)");
  }
  p.process = mode == "process";
  p.memory_limit_mb = t.number("plugin_memory_limit_mb", 0, 1e9).value_or(p.memory_limit_mb);
  p.call_timeout_s = t.number("plugin_call_timeout_s", 0.1, 86400).value_or(p.call_timeout_s);
  p.cancel_grace_s = t.number("plugin_cancel_grace_s", 0.01, 3600).value_or(p.cancel_grace_s);
  return p;
}

// $NINETEEN_PLUGIN_WORKER, else this program when it is `nineteen`, else a `nineteen` beside it.
std::filesystem::path default_worker_executable();

}  // namespace nineteen::plugin_host
