// `nineteen plugin list | inspect | conformance`.
#include <iomanip>
#include <iostream>

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

}  // namespace

int plugin_command(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("expected list, inspect or conformance");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return list(rest);
  if (args[0] == "inspect") return inspect(rest);
  if (args[0] == "conformance") return conformance(rest);
  throw UsageError("unknown plugin command \"" + args[0] + "\" (expected list, inspect or conformance)");
}

}  // namespace nineteen::cli
