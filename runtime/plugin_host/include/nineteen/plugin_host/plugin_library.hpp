// One loaded plugin library: verified (exports, ABI version), initialised, finalised on destruction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nineteen/plugin_api.h"
#include "nineteen/plugin_host/plugin_isolation.hpp"
#include "nineteen/plugin_host/task_call_error.hpp"

namespace boost::dll {
class shared_library;
}

namespace nineteen::plugin_host {

class LiveTask;
class TaskResolver;
class WorkerProxy;

struct AbiVersion {
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
};

AbiVersion host_abi();

struct TaskTypeInfo {
  std::string type;
  std::string description;
};

// Host-side state behind one library's nt_host_api (defined in plugin_library.cpp).
struct HostContext;

class PluginLibrary : public std::enable_shared_from_this<PluginLibrary> {
 public:
  // Loads `file`, checks that it exports exactly the entry symbol, calls the entry, checks the ABI and
  // calls plugin_init. `shown_path` is the path used in messages (the original file when loading a
  // dev-reload copy). `resolver` lets the plugin invoke other tasks. With `isolation.process` the
  // library runs in a supervised worker process (plugin_worker.hpp) and api() forwards to it; when
  // `remove_file_at_end` the worker's file (a private copy) is deleted once the library is closed.
  // Throws PluginError.
  static std::shared_ptr<PluginLibrary> load(const std::filesystem::path& file,
                                             std::weak_ptr<TaskResolver> resolver,
                                             const std::filesystem::path& shown_path = {},
                                             const PluginIsolation& isolation = {},
                                             bool remove_file_at_end = false);
  ~PluginLibrary();  // plugin_finalize, then the library is unloaded

  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const AbiVersion& abi() const { return abi_; }
  const std::filesystem::path& path() const { return shown_path_; }
  const nt_plugin_api& api() const { return *api_; }
  // The worker process's id when isolated (-1 while it restarts), 0 when in-process.
  int worker_pid() const;
  // How many times the worker was restarted after a death.
  unsigned worker_restarts() const;

  std::vector<TaskTypeInfo> task_types() const;

  // Creates a task from its config JSON; the LiveTask keeps this library alive. Throws PluginError.
  std::shared_ptr<LiveTask> create_task(const std::string& task_name, const std::string& config_json);

 private:
  PluginLibrary() = default;

  std::unique_ptr<boost::dll::shared_library> library_;
  std::unique_ptr<HostContext> context_;
  std::unique_ptr<WorkerProxy> worker_;  // isolated: closed before the context it calls back into
  const nt_plugin_api* api_ = nullptr;
  nt_plugin* plugin_ = nullptr;
  std::string name_, version_;
  AbiVersion abi_;
  std::filesystem::path shown_path_;
};

// Exported symbols of a shared library file (defined, default visibility), for the extra-export check.
std::vector<std::string> exported_symbols(const std::filesystem::path& file);

}  // namespace nineteen::plugin_host
