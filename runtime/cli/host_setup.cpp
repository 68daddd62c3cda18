// Finding the catalogue and plugin folders for the task subcommands.
#include <filesystem>
#include <sstream>

#include "commands.hpp"
#include "nineteen/config/task_catalog.hpp"

namespace nineteen::cli {
namespace fs = std::filesystem;

std::string tasks_file(const CommandLine& cl) {
  if (auto t = cl.get("tasks")) return *t;
  if (const char* env = std::getenv("NINETEEN_TASKS")) return env;
  if (fs::exists("tasks.toml")) return "tasks.toml";
  return NINETEEN_SOURCE_TASKS;
}

std::unique_ptr<plugin_host::PluginHost> open_host(const CommandLine& cl, bool dev_reload) {
  plugin_host::PluginHostOptions options;
  if (auto dirs = cl.get("plugins")) {
    std::stringstream in(*dirs);
    std::string dir;
    while (std::getline(in, dir, ':')) {
      if (!dir.empty()) options.search_dirs.emplace_back(dir);
    }
  }
  for (const fs::path& dir : plugin_host::default_plugin_dirs()) options.search_dirs.push_back(dir);
  options.dev_reload = dev_reload;
  auto host = std::make_unique<plugin_host::PluginHost>(options);
  host->load(config::load_task_catalog(tasks_file(cl)));
  return host;
}

std::shared_ptr<plugin_host::LiveTask> require_task(plugin_host::PluginHost& host, const std::string& name) {
  if (auto task = host.task(name)) return task;
  for (const plugin_host::TaskStatus& s : host.statuses()) {
    if (s.name == name) {
      throw UsageError("task \"" + name + "\" is " + plugin_host::task_state_name(s.state) + (s.reason.empty() ? "" : ": " + s.reason));
    }
  }
  std::string known;
  for (const plugin_host::TaskStatus& s : host.statuses()) known += (known.empty() ? "" : ", ") + s.name;
  throw UsageError("no task \"" + name + "\" in " + host.catalog().file + " (tasks: " + known + ")");
}

}  // namespace nineteen::cli
