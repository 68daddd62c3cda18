// The plugin host: loads the catalogue's plugins, creates and self-tests their tasks, and (in dev
// mode) reloads a plugin when its file changes, without stopping calls in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nineteen/config/task_catalog.hpp"
#include "nineteen/plugin_host/live_task.hpp"
#include "nineteen/plugin_host/plugin_library.hpp"
#include "nineteen/plugin_host/task_registry.hpp"

namespace nineteen::plugin_host {

struct PluginHostOptions {
  // Folders searched, in order, for nineteen_plugin_<name>.so.
  std::vector<std::filesystem::path> search_dirs;
  // Load private copies of plugin files so they can be rebuilt in place, and allow reload_changed().
  bool dev_reload = false;
  // Where plugins run: in supervised worker processes (isolation.process) or in this process.
  PluginIsolation isolation;
};

// Where one catalogue entry stands. Written out (plugin list, status pages, logs) only through
// task_state_name; text is read back only through parse_task_state.
enum class TaskState {
  loading,   // enabled and found, not yet created
  loaded,    // created, self-test not yet passed
  ready,     // created and self-tested: serving
  failed,    // see TaskStatus::reason
  disabled,  // enabled = false in the catalogue
};

const char* task_state_name(TaskState state);  // "loading", "loaded", "ready", "failed", "disabled"
// The state a task_state_name text names; throws std::invalid_argument naming the accepted texts.
TaskState parse_task_state(const std::string& text);
std::ostream& operator<<(std::ostream& out, TaskState state);  // task_state_name, for streams and tests

// One catalogue entry's state, for `nineteen plugin list` and the nodes' status pages.
struct TaskStatus {
  std::string name;
  std::string plugin_file;  // resolved file, or empty when not found
  std::string plugin_name, plugin_version;
  AbiVersion abi;
  bool enabled = true;
  TaskState state = TaskState::loading;
  std::string reason;  // why it failed
  TaskInfo info;       // when ready
  unsigned generation = 0;  // how many times this task was (re)loaded
};

struct ReloadResult {
  bool reloaded = false;
  std::string message;
};

std::string plugin_file_name(const std::string& plugin_name);

// The default search path: $NINETEEN_PLUGIN_PATH (colon-separated), then <exe dir>/../plugins and
// <exe dir>/../lib/nineteen/plugins.
std::vector<std::filesystem::path> default_plugin_dirs();

class PluginHost {
 public:
  explicit PluginHost(PluginHostOptions options);
  ~PluginHost();  // stops watching; destroys tasks, then finalises and unloads libraries

  // Loads every enabled entry; a bad plugin or task is recorded in its status, never fatal to others.
  void load(const config::TaskCatalog& catalog);

  std::shared_ptr<LiveTask> task(const std::string& name) const { return registry_->find(name); }
  std::vector<TaskStatus> statuses() const;
  const config::TaskCatalog& catalog() const { return catalog_; }

  // Finds the file for a catalogue `plugin` value (a name or a path). Throws PluginError listing every
  // path searched.
  std::filesystem::path resolve(const std::string& plugin) const;

  // Loads the current file of `plugin_file` again beside the old one; creates and self-tests its
  // tasks; on success switches new calls to them (old calls finish on the old code). On any failure
  // the old tasks keep serving and the result says why. Needs dev_reload.
  ReloadResult reload(const std::filesystem::path& plugin_file);
  // Polls the plugin files and reloads those that changed (and stayed unchanged for one interval).
  void start_watching(std::chrono::milliseconds interval = std::chrono::milliseconds(300));
  void stop_watching();

  // A fresh, independent load of a plugin file (a private copy in dev mode), for conformance cycles.
  std::shared_ptr<PluginLibrary> load_library(const std::filesystem::path& plugin_file);

 private:
  struct FileStamp {
    std::filesystem::file_time_type mtime{};
    uintmax_t size = 0;
    bool operator==(const FileStamp& o) const { return mtime == o.mtime && size == o.size; }
  };
  static FileStamp stamp_of(const std::filesystem::path& file);
  void watch_loop(std::chrono::milliseconds interval);
  void set_status(const std::string& task, TaskStatus status);

  PluginHostOptions options_;
  std::shared_ptr<TaskRegistry> registry_;
  config::TaskCatalog catalog_;
  std::filesystem::path catalog_dir_;

  mutable std::mutex mutex_;                     // guards statuses_ and stamps_
  std::map<std::string, TaskStatus> statuses_;   // by task name
  std::map<std::filesystem::path, FileStamp> stamps_;  // plugin files as last loaded
  std::mutex reload_mutex_;                      // one reload at a time

  std::atomic<bool> watching_{false};
  std::thread watcher_;
};

}  // namespace nineteen::plugin_host
