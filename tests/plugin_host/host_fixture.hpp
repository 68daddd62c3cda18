// Helpers for host tests: temp folders, catalogues written to disk, and the fixture plugin paths.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "nineteen/config/task_catalog.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"

namespace host_test {
namespace fs = std::filesystem;
using nineteen::plugin_host::TaskState;

inline fs::path fixture(const std::string& name) {
  return fs::path(FIXTURE_PLUGIN_DIR) / ("nineteen_plugin_fixture_" + name + ".so");
}

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("nineteen-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }

 private:
  fs::path path_;
};

inline std::unique_ptr<nineteen::plugin_host::PluginHost> host_with(const TempDir& dir, const std::string& toml,
                                                                    bool dev_reload = false) {
  nineteen::plugin_host::PluginHostOptions options;
  options.search_dirs = {dir.path(), SHIPPED_PLUGIN_DIR, FIXTURE_PLUGIN_DIR};
  options.dev_reload = dev_reload;
  auto host = std::make_unique<nineteen::plugin_host::PluginHost>(options);
  host->load(nineteen::config::load_task_catalog(dir.write("tasks.toml", toml).string()));
  return host;
}

inline nineteen::plugin_host::TaskStatus status_of(const nineteen::plugin_host::PluginHost& host,
                                                   const std::string& name) {
  for (const auto& s : host.statuses()) {
    if (s.name == name) return s;
  }
  return {};
}

}  // namespace host_test
