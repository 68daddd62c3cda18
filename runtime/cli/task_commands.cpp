// `nineteen synth | invoke | check`: one task used locally, without any network; each with --help.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace nineteen::cli {
namespace {

const char* const kSynthHelp = R"(usage: nineteen synth --task NAME --seed N [--tasks FILE] [--plugins DIR]

Prints the synthetic request task NAME makes for seed N (the same seed gives the same bytes).

  --tasks FILE      the catalogue (default: $NINETEEN_TASKS, else ./tasks.toml, else the source tree's)
  --plugins DIRS    folders searched first for nineteen_plugin_<name>.so
)";

const char* const kInvokeHelp =
    R"(usage: nineteen invoke --task NAME --request JSON|@FILE [--tasks FILE] [--plugins DIR]

Serves one request locally, as a miner would, and prints each chunk of the answer as a JSON line.
--request takes the JSON itself or @FILE. `nineteen synth` makes one to start from.

  --tasks FILE      the catalogue (default: $NINETEEN_TASKS, else ./tasks.toml, else the source tree's)
  --plugins DIRS    folders searched first for nineteen_plugin_<name>.so
)";

const char* const kCheckHelp =
    R"(usage: nineteen check --task NAME --request JSON|@FILE --response JSON|@FILE [--tasks FILE] [--plugins DIR]

Checks one answer against the task's reference, as the checker would, and prints its quality (1 right,
0 worthless, below 0 a penalty), the rule that decided it, and the work it represents. The response
is the JSON array of the answer's chunks: `nineteen invoke` lines joined in [...].

  --tasks FILE      the catalogue (default: $NINETEEN_TASKS, else ./tasks.toml, else the source tree's)
  --plugins DIRS    folders searched first for nineteen_plugin_<name>.so
)";

}  // namespace

int synth_command(const std::vector<std::string>& args) {
  const std::string usage = "nineteen synth --task NAME --seed N [--tasks FILE] [--plugins DIR]";
  if (print_help_if_asked(args, kSynthHelp)) return 0;
  CommandLine cl(args);
  cl.allow_only({"task", "seed", "tasks", "plugins"}, usage);
  const std::string name = cl.require("task", usage);
  uint64_t seed = 0;
  try {
    seed = std::stoull(cl.require("seed", usage));
  } catch (const std::logic_error&) {
    throw UsageError("--seed: expected a whole number\nusage: " + usage);
  }
  auto host = open_host(cl);
  std::cout << require_task(*host, name)->synthesize(seed) << "\n";
  return 0;
}

int invoke_command(const std::vector<std::string>& args) {
  const std::string usage = "nineteen invoke --task NAME --request JSON|@FILE [--tasks FILE] [--plugins DIR]";
  if (print_help_if_asked(args, kInvokeHelp)) return 0;
  CommandLine cl(args);
  cl.allow_only({"task", "request", "tasks", "plugins"}, usage);
  const std::string name = cl.require("task", usage);
  const std::string request = read_inline_or_file(cl.require("request", usage), "--request");
  auto host = open_host(cl);
  require_task(*host, name)->serve(request, [](std::string_view chunk) {
    std::cout.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::cout << "\n" << std::flush;
    return true;
  });
  return 0;
}

int check_command(const std::vector<std::string>& args) {
  const std::string usage =
      "nineteen check --task NAME --request JSON|@FILE --response JSON|@FILE [--tasks FILE] [--plugins DIR]\n"
      "  (the response is the JSON array of the answer's chunks, e.g. `nineteen invoke` lines joined in [...])";
  if (print_help_if_asked(args, kCheckHelp)) return 0;
  CommandLine cl(args);
  cl.allow_only({"task", "request", "response", "tasks", "plugins"}, usage);
  const std::string name = cl.require("task", usage);
  const std::string request = read_inline_or_file(cl.require("request", usage), "--request");
  const std::string response = read_inline_or_file(cl.require("response", usage), "--response");
  auto host = open_host(cl);
  auto task = require_task(*host, name);
  auto outcome = task->check({request}, {response}).at(0);
  double work = task->work(request, response);
  std::printf("quality %.4f\nreason %s\nwork %.1f %s\n", outcome.quality, outcome.reason.c_str(), work,
              task->info().work_unit.c_str());
  return 0;
}

}  // namespace nineteen::cli
