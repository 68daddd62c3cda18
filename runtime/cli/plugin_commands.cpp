// `nineteen plugin list | inspect | conformance | watch`, each with --help.
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "nineteen/plugin_host/conformance.hpp"
#include "nineteen/plugin_host/plugin_worker.hpp"

namespace nineteen::cli {

bool print_help_if_asked(const std::vector<std::string>& args, const char* text) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << text;
      return true;
    }
  }
  return false;
}

namespace {

const char* const kListHelp = R"(usage: nineteen plugin list [--tasks FILE] [--plugins DIR[:DIR...]]

Loads every task of the catalogue (its plugin, its config, its self-test) and prints one row per task:
the plugin file, ABI, kind, endpoint, the weight as written, its SHARE of the incentive (the weight
normalised over the tasks that are ready: a task that failed gets none), max_capacity,
volume_per_request, and the state. A task that failed is followed by the reason.
Exit status 1 when any task failed.

  --tasks FILE      the catalogue (default: $NINETEEN_TASKS, else ./tasks.toml, else the source tree's)
  --plugins DIRS    folders searched first for nineteen_plugin_<name>.so (then $NINETEEN_PLUGIN_PATH,
                    <exe>/../plugins, <exe>/../lib/nineteen/plugins)
)";

std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

int list(const std::vector<std::string>& args) {
  if (print_help_if_asked(args, kListHelp)) return 0;
  const std::string usage = "nineteen plugin list [--tasks FILE] [--plugins DIR[:DIR...]]";
  CommandLine cl(args);
  cl.allow_only({"tasks", "plugins"}, usage);
  auto host = open_host(cl);
  auto statuses = host->statuses();
  // The share each ready task gets of the incentive, as the validator normalises weights.
  double ready_weight = 0;
  for (const auto& s : statuses) {
    if (s.state == plugin_host::TaskState::ready) ready_weight += host->catalog().find(s.name)->weight;
  }
  std::cout << "catalogue: " << host->catalog().file << "\n";
  std::cout << std::left << std::setw(26) << "TASK" << std::setw(36) << "PLUGIN" << std::setw(6) << "ABI"
            << std::setw(10) << "KIND" << std::setw(26) << "ENDPOINT" << std::setw(8) << "WEIGHT" << std::setw(7)
            << "SHARE" << std::setw(10) << "CAPACITY" << std::setw(9) << "VOL/REQ" << std::setw(8) << "ENABLED"
            << "STATUS\n";
  int failed = 0;
  for (const auto& s : statuses) {
    const config::TaskEntry& entry = *host->catalog().find(s.name);
    const double share = (s.state == plugin_host::TaskState::ready && ready_weight > 0) ? entry.weight / ready_weight : 0.0;
    char share_text[16];
    std::snprintf(share_text, sizeof share_text, "%.3f", share);
    std::string plugin = s.plugin_file.empty() ? "-" : std::filesystem::path(s.plugin_file).filename().string();
    std::cout << std::left << std::setw(26) << s.name << std::setw(36) << plugin << std::setw(6)
              << (s.abi.major ? s.abi.str() : "-") << std::setw(10) << (s.info.kind.empty() ? "-" : s.info.kind)
              << std::setw(26) << (s.info.endpoint.empty() ? "-" : s.info.endpoint) << std::setw(8)
              << number_text(entry.weight) << std::setw(7) << share_text << std::setw(10)
              << number_text(entry.max_capacity) << std::setw(9) << number_text(entry.volume_per_request)
              << std::setw(8) << (s.enabled ? "yes" : "no") << plugin_host::task_state_name(s.state) << "\n";
    if (!s.reason.empty()) {
      std::cout << "    " << s.reason << "\n";
      ++failed;
    }
  }
  std::cout << statuses.size() << " task(s), " << failed
            << " failed; SHARE is the weight normalised over the ready tasks (sum "
            << (ready_weight > 0 ? "1" : "0") << ")\n";
  return failed ? 1 : 0;
}

const char* const kInspectHelp = R"(usage: nineteen plugin inspect FILE.so

Loads one plugin file without any catalogue and prints its name, version, the ABI it was built
with (and the host's), and the task types it offers. Nothing is created or run.
)";

int inspect(const std::vector<std::string>& args) {
  if (print_help_if_asked(args, kInspectHelp)) return 0;
  const std::string usage = "nineteen plugin inspect FILE.so";
  CommandLine cl(args);
  if (cl.positional().size() != 1) throw UsageError("expected one plugin file\nusage: " + usage);
  const std::string file = cl.positional()[0];
  auto library = plugin_host::PluginLibrary::load(file, std::weak_ptr<plugin_host::TaskResolver>());
  std::cout << "file:    " << file << "\n"
            << "plugin:  " << library->name() << " " << library->version() << "\n"
            << "ABI:     " << library->abi().str() << " (host " << plugin_host::host_abi().str() << ")\n"
            << "tasks:\n";
  for (const auto& t : library->task_types()) std::cout << "  " << t.type << ": " << t.description << "\n";
  return 0;
}

const char* const kConformanceHelp =
    R"(usage: nineteen plugin conformance --task NAME [--tasks FILE] [--plugins DIR] [--seeds N]

Runs the checks every task must pass, each printed PASS or FAIL: the task loads; the same seed
synthesises the same request and other seeds other ones; the task's own answers check >= 0.99,
batched as one by one, while perturbed answers and another request's answer check lower; work is
finite and >= 0; serve refuses malformed requests; and load -> init -> finalize -> reload cycles
work (from private copies of the file). Exit status 1 when any check fails.

  --task NAME       the catalogue task to check
  --tasks FILE      the catalogue (default: $NINETEEN_TASKS, else ./tasks.toml, else the source tree's)
  --plugins DIRS    folders searched first for nineteen_plugin_<name>.so
  --seeds N         how many synthetic requests to try (default 3)
)";

int conformance(const std::vector<std::string>& args) {
  if (print_help_if_asked(args, kConformanceHelp)) return 0;
  const std::string usage = "nineteen plugin conformance --task NAME [--tasks FILE] [--plugins DIR] [--seeds N]";
  CommandLine cl(args);
  cl.allow_only({"task", "tasks", "plugins", "seeds"}, usage);
  const std::string name = cl.require("task", usage);
  int seeds = std::stoi(cl.get("seeds").value_or("3"));
  auto host = open_host(cl, /*dev_reload=*/true);
  auto report = plugin_host::run_conformance(*host, name, seeds);
  for (const auto& c : report.checks) {
    std::cout << (c.passed ? "PASS " : "FAIL ") << c.name << ": " << c.detail << "\n";
  }
  std::cout << (report.passed() ? "conformance passed" : "conformance FAILED") << " for task " << name << "\n";
  return report.passed() ? 0 : 1;
}

// Dev mode: loads the catalogue from private copies of the plugin files, reloads a plugin whenever its
// file changes (rebuild in another terminal), and prints each task's state after every change.
const char* const kWatchHelp = R"(usage: nineteen plugin watch [--tasks FILE] [--plugins DIR] [--interval-ms N]

Dev mode: loads the catalogue's tasks from private copies of their plugin files, then polls the
files. When one changes (you rebuilt it in another terminal) and stays unchanged for one interval,
its tasks are created and self-tested again from the new file: on success new calls go to the new
code, on failure the old version keeps serving and the reason is printed. Each task's state and
generation are printed after every change. Ctrl-C stops.

  --tasks FILE      the catalogue (default: $NINETEEN_TASKS, else ./tasks.toml, else the source tree's)
  --plugins DIRS    folders searched first for nineteen_plugin_<name>.so (e.g. your build folder)
  --interval-ms N   how often the files are polled (default 300)
)";

int watch(const std::vector<std::string>& args) {
  if (print_help_if_asked(args, kWatchHelp)) return 0;
  const std::string usage = "nineteen plugin watch [--tasks FILE] [--plugins DIR] [--interval-ms N]";
  CommandLine cl(args);
  cl.allow_only({"tasks", "plugins", "interval-ms"}, usage);
  int interval = std::stoi(cl.get("interval-ms").value_or("300"));
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // the watcher thread inherits the mask

  auto host = open_host(cl, /*dev_reload=*/true);
  auto print = [&] {
    for (const auto& s : host->statuses()) {
      std::cout << s.name << ": " << plugin_host::task_state_name(s.state) << " (generation " << s.generation << ", " << s.plugin_name << " "
                << s.plugin_version << ")" << (s.reason.empty() ? "" : " " + s.reason) << "\n";
    }
    std::cout << std::flush;
  };
  print();
  host->start_watching(std::chrono::milliseconds(interval));
  std::cout << "watching the plugin files; Ctrl-C stops" << std::endl;

  std::atomic<bool> stopping{false};
  std::thread printer([&] {
    std::vector<unsigned> last;
    while (!stopping) {
      std::vector<unsigned> now;
      for (const auto& s : host->statuses()) now.push_back(s.generation);
      if (!last.empty() && now != last) print();
      last = now;
      std::this_thread::sleep_for(std::chrono::milliseconds(interval));
    }
  });
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  stopping = true;
  printer.join();
  host->stop_watching();
  return 0;
}

}  // namespace

int plugin_command(const std::vector<std::string>& args) {
  const char* const help = R"(usage: nineteen plugin list|inspect|conformance|watch [options]

  list [--tasks FILE] [--plugins DIR]     the catalogue's tasks: state, weight, share, capacity
  inspect FILE.so                         ABI, name, version and task types of a plugin file
  conformance --task NAME [--tasks FILE]  the checks every task must pass
  watch [--tasks FILE] [--plugins DIR]    dev mode: reload plugins when their files change

`nineteen plugin <command> --help` says more about each.
)";
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::cout << help;
    return 0;
  }
  if (args.empty()) throw UsageError("expected list, inspect, conformance or watch");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return list(rest);
  if (args[0] == "inspect") return inspect(rest);
  if (args[0] == "conformance") return conformance(rest);
  if (args[0] == "watch") return watch(rest);
  throw UsageError("unknown plugin command \"" + args[0] + "\" (expected list, inspect, conformance or watch)");
}

int plugin_worker(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  return plugin_host::plugin_worker_command(static_cast<int>(argv.size()), argv.data());
}

}  // namespace nineteen::cli
