// Loading the catalogue's tasks, and dev-mode reload of changed plugin files.
#include "nineteen/plugin_host/plugin_host.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace nineteen::plugin_host {
namespace fs = std::filesystem;

namespace {
constexpr TaskState kTaskStates[] = {TaskState::loading, TaskState::loaded, TaskState::ready, TaskState::failed,
                                     TaskState::disabled};
}  // namespace

const char* task_state_name(TaskState state) {
  switch (state) {
    case TaskState::loading: return "loading";
    case TaskState::loaded: return "loaded";
    case TaskState::ready: return "ready";
    case TaskState::failed: return "failed";
    case TaskState::disabled: return "disabled";
  }
  return "unknown";
}

TaskState parse_task_state(const std::string& text) {
  std::string names;
  for (TaskState state : kTaskStates) {
    if (text == task_state_name(state)) return state;
    names += (names.empty() ? "" : ", ") + std::string(task_state_name(state));
  }
  throw std::invalid_argument("unknown task state \"" + text + "\" (a task's state is one of: " + names + ")");
}

std::ostream& operator<<(std::ostream& out, TaskState state) { return out << task_state_name(state); }

std::string plugin_file_name(const std::string& plugin_name) { return "nineteen_plugin_" + plugin_name + ".so"; }

std::vector<fs::path> default_plugin_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("NINETEEN_PLUGIN_PATH")) {
    std::stringstream in(env);
    std::string item;
    while (std::getline(in, item, ':')) {
      if (!item.empty()) dirs.emplace_back(item);
    }
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(exe.parent_path().parent_path() / "plugins");
    dirs.push_back(exe.parent_path().parent_path() / "lib" / "nineteen" / "plugins");
  }
  return dirs;
}

namespace {

// A private copy of a plugin file, so the original can be rebuilt in place while the copy is mapped.
// The copy is unlinked as soon as it is loaded: the mapping keeps it alive.
fs::path private_copy(const fs::path& file) {
  static std::atomic<unsigned> counter{0};
  fs::path dir = fs::temp_directory_path() / "nineteen-plugin-copies";
  fs::create_directories(dir);
  fs::path copy = dir / (file.stem().string() + "." + std::to_string(::getpid()) + "." +
                         std::to_string(counter.fetch_add(1)) + ".so");
  fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
  return copy;
}

// Creates one catalogue task on `library` and checks it against the catalogue (no self-test yet).
std::shared_ptr<LiveTask> make_task(PluginLibrary& library, const config::TaskEntry& entry) {
  std::shared_ptr<LiveTask> task;
  try {
    task = library.create_task(entry.name, entry.plugin_config_json);
  } catch (const PluginError& e) {
    // A config the plugin refuses (an unknown or misspelt key, a bad value) is a line of tasks.toml.
    throw PluginError(entry.source + ": " + e.what());
  }
  const TaskInfo& info = task->info();
  auto mismatch = [&](const char* key, const std::string& catalogue, const std::string& plugin) {
    return PluginError(entry.source + ": task \"" + entry.name + "\" key \"" + key + "\" is \"" + catalogue +
                       "\" but the plugin describes \"" + plugin + "\" (remove the key or make them agree)");
  };
  if (entry.kind && *entry.kind != info.kind) throw mismatch("kind", *entry.kind, info.kind);
  if (entry.endpoint && *entry.endpoint != info.endpoint) throw mismatch("endpoint", *entry.endpoint, info.endpoint);
  if (entry.stream && *entry.stream != info.stream) {
    throw mismatch("stream", *entry.stream ? "true" : "false", info.stream ? "true" : "false");
  }
  return task;
}

void self_test(LiveTask& task) {
  try {
    task.self_test();
  } catch (const TaskCallError& e) {
    throw PluginError("task \"" + task.name() + "\" failed its self-test: " + std::string(e.what()));
  }
}

}  // namespace

PluginHost::PluginHost(PluginHostOptions options)
    : options_(std::move(options)), registry_(std::make_shared<TaskRegistry>()) {}

PluginHost::~PluginHost() {
  stop_watching();
  registry_->clear();
}

fs::path PluginHost::resolve(const std::string& plugin) const {
  const bool is_path = plugin.find('/') != std::string::npos ||
                       (plugin.size() > 3 && plugin.compare(plugin.size() - 3, 3, ".so") == 0);
  std::error_code ec;
  if (is_path) {
    fs::path p(plugin);
    if (p.is_relative()) p = catalog_dir_ / p;
    if (fs::is_regular_file(p, ec)) return fs::absolute(p).lexically_normal();
    throw PluginError("plugin \"" + plugin + "\" not found; searched: " + p.string());
  }
  std::string searched;
  for (const fs::path& dir : options_.search_dirs) {
    fs::path p = dir / plugin_file_name(plugin);
    if (fs::is_regular_file(p, ec)) return fs::absolute(p).lexically_normal();
    searched += (searched.empty() ? "" : ", ") + p.string();
  }
  throw PluginError("plugin \"" + plugin + "\" not found; searched: " +
                    (searched.empty() ? std::string("(no plugin folders; pass --plugins DIR)") : searched));
}

std::shared_ptr<PluginLibrary> PluginHost::load_library(const fs::path& plugin_file) {
  fs::path copy = private_copy(plugin_file);
  try {
    // In-process the mapping keeps the copy alive; a worker needs the file to restart, so it owns it.
    auto lib = PluginLibrary::load(copy, registry_, plugin_file, options_.isolation, options_.isolation.process);
    std::error_code ec;
    if (!options_.isolation.process) fs::remove(copy, ec);
    return lib;
  } catch (...) {
    std::error_code ec;
    fs::remove(copy, ec);
    throw;
  }
}

void PluginHost::set_status(const std::string& task, TaskStatus status) {
  std::lock_guard<std::mutex> lock(mutex_);
  statuses_[task] = std::move(status);
}

std::vector<TaskStatus> PluginHost::statuses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<TaskStatus> out;
  for (const config::TaskEntry& entry : catalog_.tasks) {
    auto it = statuses_.find(entry.name);
    if (it != statuses_.end()) out.push_back(it->second);
  }
  return out;
}

void PluginHost::load(const config::TaskCatalog& catalog) {
  catalog_ = catalog;
  catalog_dir_ = fs::absolute(fs::path(catalog.file)).parent_path();

  std::map<fs::path, std::vector<const config::TaskEntry*>> by_file;
  for (const config::TaskEntry& entry : catalog_.tasks) {
    TaskStatus status;
    status.name = entry.name;
    status.enabled = entry.enabled;
    if (!entry.error.empty()) {
      status.state = TaskState::failed;
      status.reason = entry.error;
    } else {
      try {
        fs::path file = resolve(entry.plugin);
        status.plugin_file = file.string();
        if (entry.enabled) by_file[file].push_back(&entry);
      } catch (const PluginError& e) {
        status.state = TaskState::failed;
        status.reason = e.what();
      }
      if (!entry.enabled && status.state == TaskState::loading) status.state = TaskState::disabled;
    }
    if (!status.reason.empty()) spdlog::error("{}", status.reason);
    set_status(entry.name, status);
  }

  // Tasks are created and registered first, then self-tested (workflows last), so that a workflow's
  // self-test can invoke the tasks it builds on whatever order their plugins load in.
  std::vector<std::shared_ptr<LiveTask>> created;
  for (const auto& [file, entries] : by_file) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stamps_[file] = stamp_of(file);
    }
    std::shared_ptr<PluginLibrary> library;
    std::string library_error;
    try {
      library = options_.dev_reload ? load_library(file) : PluginLibrary::load(file, registry_, {}, options_.isolation);
    } catch (const std::exception& e) {
      library_error = e.what();
      spdlog::error("{}", library_error);
    }
    for (const config::TaskEntry* entry : entries) {
      TaskStatus status;
      status.name = entry->name;
      status.plugin_file = file.string();
      if (library) {
        status.plugin_name = library->name();
        status.plugin_version = library->version();
        status.abi = library->abi();
      }
      if (!library) {
        status.state = TaskState::failed;
        status.reason = library_error;
      } else {
        try {
          std::shared_ptr<LiveTask> task = make_task(*library, *entry);
          status.info = task->info();
          status.state = TaskState::loaded;
          registry_->put(task);
          created.push_back(std::move(task));
        } catch (const std::exception& e) {
          status.state = TaskState::failed;
          status.reason = e.what();
          spdlog::error("{}", status.reason);
        }
      }
      set_status(entry->name, status);
    }
  }
  std::stable_partition(created.begin(), created.end(),
                        [](const std::shared_ptr<LiveTask>& t) { return t->info().kind != "workflow"; });
  for (std::shared_ptr<LiveTask>& task : created) {
    TaskStatus status;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status = statuses_[task->name()];
    }
    try {
      self_test(*task);
      status.state = TaskState::ready;
      status.generation = 1;
    } catch (const std::exception& e) {
      status.state = TaskState::failed;
      status.reason = e.what();
      spdlog::error("{}", status.reason);
      registry_->remove(task->name());
    }
    set_status(task->name(), status);
  }
}

ReloadResult PluginHost::reload(const fs::path& plugin_file) {
  std::lock_guard<std::mutex> reload_lock(reload_mutex_);
  if (!options_.dev_reload) return {false, "reload needs dev mode (--dev-reload)"};
  const fs::path file = fs::absolute(plugin_file).lexically_normal();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stamps_[file] = stamp_of(file);
  }
  std::vector<const config::TaskEntry*> entries;
  for (const config::TaskEntry& entry : catalog_.tasks) {
    if (!entry.enabled || !entry.error.empty()) continue;
    try {
      if (resolve(entry.plugin) == file) entries.push_back(&entry);
    } catch (const PluginError&) {
    }
  }
  if (entries.empty()) return {false, file.string() + ": no enabled task uses this plugin"};

  std::shared_ptr<PluginLibrary> library;
  std::vector<std::shared_ptr<LiveTask>> fresh;
  try {
    library = load_library(file);
    for (const config::TaskEntry* entry : entries) fresh.push_back(make_task(*library, *entry));
    for (std::shared_ptr<LiveTask>& task : fresh) self_test(*task);
  } catch (const std::exception& e) {
    std::string message = "reload of " + file.string() + " failed, the previous version keeps serving: " + e.what();
    spdlog::error("{}", message);
    return {false, message};
  }
  for (std::shared_ptr<LiveTask>& task : fresh) {
    TaskStatus status;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status = statuses_[task->name()];
    }
    status.state = TaskState::ready;
    status.reason.clear();
    status.info = task->info();
    status.plugin_name = library->name();
    status.plugin_version = library->version();
    status.abi = library->abi();
    status.generation += 1;
    set_status(task->name(), status);
    // The replaced task is destroyed when its last call in flight lets go of it.
    registry_->put(std::move(task));
  }
  std::string message = "reloaded " + file.string() + " (" + library->name() + " " + library->version() + ", " +
                        std::to_string(fresh.size()) + " task(s))";
  spdlog::info("{}", message);
  return {true, message};
}

PluginHost::FileStamp PluginHost::stamp_of(const fs::path& file) {
  std::error_code ec;
  FileStamp s;
  s.mtime = fs::last_write_time(file, ec);
  s.size = ec ? 0 : fs::file_size(file, ec);
  return s;
}

void PluginHost::start_watching(std::chrono::milliseconds interval) {
  if (watching_.exchange(true)) return;
  watcher_ = std::thread([this, interval] { watch_loop(interval); });
}

void PluginHost::stop_watching() {
  if (!watching_.exchange(false)) return;
  if (watcher_.joinable()) watcher_.join();
}

void PluginHost::watch_loop(std::chrono::milliseconds interval) {
  std::map<fs::path, FileStamp> pending;  // changed, waiting to be unchanged for one interval
  while (watching_) {
    std::this_thread::sleep_for(interval);
    std::map<fs::path, FileStamp> known;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      known = stamps_;
    }
    for (const auto& [file, loaded] : known) {
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) continue;  // mid-rebuild
      FileStamp now = stamp_of(file);
      if (now == loaded) {
        pending.erase(file);
        continue;
      }
      auto it = pending.find(file);
      if (it != pending.end() && it->second == now) {
        pending.erase(it);
        reload(file);
      } else {
        pending[file] = now;
      }
    }
  }
}

}  // namespace nineteen::plugin_host
