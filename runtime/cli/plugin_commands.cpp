// `nineteen plugin list | inspect | conformance`.
#include <csignal>
#include <iomanip>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "nineteen/plugin_host/conformance.hpp"

namespace nineteen::cli {
namespace {

int list(const std::vector<std::string>& args) {
  const std::string usage = "nineteen plugin list [--tasks FILE] [--plugins DIR[:DIR...]]";
  CommandLine cl(args);
  cl.allow_only({"tasks", "plugins"}, usage);
  auto host = open_host(cl);
  auto statuses = host->statuses();
  std::cout << "catalogue: " << host->catalog().file << "\n";
  std::cout << std::left << std::setw(26) << "TASK" << std::setw(36) << "PLUGIN" << std::setw(6) << "ABI"
            << std::setw(10) << "KIND" << std::setw(26) << "ENDPOINT" << std::setw(8) << "ENABLED"
            << "STATUS\n";
  int failed = 0;
  for (const auto& s : statuses) {
    std::string plugin = s.plugin_file.empty() ? "-" : std::filesystem::path(s.plugin_file).filename().string();
    std::cout << std::left << std::setw(26) << s.name << std::setw(36) << plugin << std::setw(6)
              << (s.abi.major ? s.abi.str() : "-") << std::setw(10) << (s.info.kind.empty() ? "-" : s.info.kind)
              << std::setw(26) << (s.info.endpoint.empty() ? "-" : s.info.endpoint) << std::setw(8)
              << (s.enabled ? "yes" : "no") << s.state << "\n";
    if (!s.reason.empty()) {
      std::cout << "    " << s.reason << "\n";
      ++failed;
    }
  }
  double total = 0;
  for (const auto& t : host->catalog().tasks) total += t.normalised_weight;
  std::cout << statuses.size() << " task(s), " << failed << " failed; weights normalised over enabled tasks (sum "
            << total << ")\n";
  return failed ? 1 : 0;
}

int inspect(const std::vector<std::string>& args) {
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

int conformance(const std::vector<std::string>& args) {
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
int watch(const std::vector<std::string>& args) {
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
      std::cout << s.name << ": " << s.state << " (generation " << s.generation << ", " << s.plugin_name << " "
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
  if (args.empty()) throw UsageError("expected list, inspect, conformance or watch");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return list(rest);
  if (args[0] == "inspect") return inspect(rest);
  if (args[0] == "conformance") return conformance(rest);
  if (args[0] == "watch") return watch(rest);
  throw UsageError("unknown plugin command \"" + args[0] + "\" (expected list, inspect, conformance or watch)");
}

}  // namespace nineteen::cli
