// Every subcommand of `nineteen`: each takes the words after its name and returns the exit code
// (0 ok, 1 failed, 2 bad usage); output to stdout, errors to stderr. They all live in runtime/cli/
// (one `*_command.cpp` each) and are listed once, with their usage, in command_table.cpp. A command
// stays in the namespace of the layer it drives.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace nineteen::cli {

using Args = std::vector<std::string>;

int plugin_command(const Args& args);
// The hidden `plugin-worker` command: one isolated plugin's worker process (plugin_worker.hpp).
int plugin_worker(const Args& args);
int synth_command(const Args& args);
int invoke_command(const Args& args);
int check_command(const Args& args);
int models_command(const Args& args);
int validator_command(const Args& args);
int status_command(const Args& args);

}  // namespace nineteen::cli

namespace nineteen::keys {
// {"new", "--out", FILE, ...}, {"import", ...} or {"show", FILE} (see the usage text).
int keys_command(const std::vector<std::string>& args);
}  // namespace nineteen::keys

namespace nineteen::chain {
//   --config FILE                                      serve the chain until SIGINT/SIGTERM
//   register --chain URL --key FILE --stake N --role miner|validator [--ip IP --port P] [--coldkey SS58]
//   show --chain URL                                   print the metagraph and the last incentives
// 1 also for a refused registration.
int chain_command(const std::vector<std::string>& args);
}  // namespace nineteen::chain

namespace nineteen::checker {
// --config FILE [--port N]. Prints "checker listening on http://ADDR:PORT" once serving; 0 after a
// clean stop. Throws (with a message naming the file and key) for a config that cannot be used.
int checker_command(const std::vector<std::string>& args);
}  // namespace nineteen::checker

namespace nineteen::miner {
// --config FILE [--dev-reload] [--port N]
int miner_command(const std::vector<std::string>& args);
// --key FILE --miner URL --task NAME --request JSON|@FILE [--miner-hotkey ADDR]
int query_command(const std::vector<std::string>& args);
}  // namespace nineteen::miner

namespace nineteen::devnet {
int devnet_command(const std::vector<std::string>& args);
}  // namespace nineteen::devnet

namespace nineteen::gateway {
// create|list|revoke|usage --db FILE ...
int apikey_command(const std::vector<std::string>& args);
}  // namespace nineteen::gateway

namespace nineteen::cli {

// One row of the command table: the name typed, the usage lines shown under its group (synopsis and
// summary pairs; a summary may hold '\n'), and the function it runs. A row with no usage is hidden.
struct Command {
  const char* name;
  const char* group;
  std::vector<std::pair<const char*, const char*>> usage;
  int (*run)(const Args& args);
};

// The table, in the order `nineteen help` prints it.
const std::vector<Command>& command_table();
// The whole usage text, made from the table.
std::string usage_text();
// Runs args[0] with the rest; prints the usage for none, help and unknown names. Returns the exit code.
int run_command_line(const Args& args);

}  // namespace nineteen::cli
