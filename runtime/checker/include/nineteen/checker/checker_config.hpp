// The checking server's settings file (TOML, a [checker] table): address, catalogue, plugins, queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "nineteen/checker/checker_queue.hpp"
#include "nineteen/plugin_host/plugin_isolation.hpp"

namespace nineteen::checker {

struct CheckerConfig {
  std::string file;  // where it was read from (for messages)
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: the system picks one (printed at start)
  std::string tasks_file;                 // the catalogue; default "tasks.toml" beside the config
  std::vector<std::string> plugin_dirs;   // searched before the default plugin folders
  // Where plugins run (keys plugin_isolation, plugin_memory_limit_mb, ...): worker processes by default.
  plugin_host::PluginIsolation isolation = plugin_host::PluginIsolation{true};
  std::vector<std::string> only_tasks;    // when set, only these catalogue tasks are loaded
  CheckerSettings settings;
  int handler_threads = 8;
  size_t max_body_bytes = 64 * 1024 * 1024;  // a batch of long answers is big
};

class CheckerConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Relative paths are resolved against the config file's folder. Errors name the file, line, key
// and what was expected.
CheckerConfig load_checker_config(const std::string& path);
CheckerConfig parse_checker_config(const std::string& toml_text, const std::string& file_name);

}  // namespace nineteen::checker
