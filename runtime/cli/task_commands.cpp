// `nineteen synth | invoke | check`: one task used locally, without any network.
#include <cstdio>
#include <iostream>

#include "commands.hpp"

namespace nineteen::cli {

int synth_command(const std::vector<std::string>& args) {
  const std::string usage = "nineteen synth --task NAME --seed N [--tasks FILE] [--plugins DIR]";
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
