// The command table of `nineteen` (as git's): one row a command, from which both the dispatch and
// the usage text are made, so a command cannot be reachable and unlisted, or listed and unreachable.
#include <iostream>
#include <sstream>

#include "commands.hpp"

namespace nineteen::cli {

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = {
      {"devnet", "network",
       {{"devnet [--periods K --exit] [--miners B,...]",
         "a whole network on loopback (chain, checker,\nvalidator, miners with scripted behaviours)"}},
       devnet::devnet_command},
      {"plugin", "task plugins",
       {{"plugin list [--tasks FILE] [--plugins DIR]", "the catalogue's tasks and their state"},
        {"plugin inspect FILE.so", "ABI, name, version and task types of a plugin"},
        {"plugin conformance --task NAME [--tasks FILE]", "the checks every task must pass"},
        {"plugin watch [--tasks FILE]", "dev mode: reload plugins when their files change"}},
       plugin_command},
      {"plugin-worker", "", {}, plugin_worker},  // hidden: started by the host
      {"synth", "task plugins", {{"synth --task NAME --seed N", "a synthetic request"}}, synth_command},
      {"invoke", "task plugins",
       {{"invoke --task NAME --request JSON|@FILE", "serve a request locally (chunks as JSON lines)"}},
       invoke_command},
      {"check", "task plugins",
       {{"check --task NAME --request JSON|@FILE --response JSON|@FILE",
         "quality of an answer against the reference"}},
       check_command},
      {"models", "models",
       {{"models make tiny-llama|tiny-bert --out DIR [...]", "make a small deterministic model"}},
       models_command},
      {"keys", "keys",
       {{"keys new --out FILE [--scheme sr25519|ed25519]", "a new hotkey (sr25519, as Bittensor's, by default)"},
        {"keys import --wallet W --hotkey H --out FILE | keys show FILE",
         "a btcli hotkey (or --mnemonic, --seed, --uri)"}},
       keys::keys_command},
      {"chain", "nodes",
       {{"chain --config FILE", "the local chain (development and tests)"},
        {"chain register --chain URL --key FILE --stake N --role miner|validator [--ip IP --port P]", ""},
        {"chain show --chain URL", "metagraph and incentives"}},
       chain::chain_command},
      {"miner", "nodes", {{"miner --config FILE [--dev-reload]", "serve tasks to validators"}}, miner::miner_command},
      {"checker", "nodes", {{"checker --config FILE", "the checking server"}}, checker::checker_command},
      {"validator", "nodes",
       {{"validator --config FILE",
         "score miners and set weights (and serve the\nOpenAI-compatible gateway when [gateway] is set)"}},
       validator_command},
      {"apikey", "nodes", {{"apikey create|list|revoke|usage --db FILE", "the gateway's API keys"}}, gateway::apikey_command},
      {"status", "nodes", {{"status URL [--json]", "a gateway's or a miner's status page in the terminal"}}, status_command},
      {"query", "nodes",
       {{"query --key FILE --miner URL --task NAME --request JSON|@FILE", "send one signed request to a miner"}},
       miner::query_command},
  };
  return table;
}

std::string usage_text() {
  constexpr size_t kColumn = 49;  // where the summaries start
  std::ostringstream out;
  out << "usage: nineteen <command> [options]\n";
  std::string group;
  for (const auto& command : command_table()) {
    if (command.usage.empty()) continue;
    if (group != command.group) {
      group = command.group;
      out << "\n" << group << "\n";
    }
    for (const auto& [synopsis, summary] : command.usage) {
      std::string line = std::string("  ") + synopsis;
      std::istringstream summary_lines(summary);
      std::string part;
      bool first = true;
      while (std::getline(summary_lines, part)) {
        if (first && line.size() + 1 <= kColumn) {
          line.append(kColumn - line.size(), ' ');
        } else {
          out << line << "\n";
          line.assign(kColumn, ' ');
        }
        line += part;
        first = false;
      }
      out << line << "\n";
    }
  }
  out << "\nglobal options: --log-level trace|debug|info|warn|error (default warn), --version\n";
  return out.str();
}

int run_command_line(const Args& args) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage_text();
    return args.empty() ? 2 : 0;
  }
  const std::string& name = args[0];
  const Args rest(args.begin() + 1, args.end());
  for (const auto& command : command_table()) {
    if (name != command.name) continue;
    try {
      return command.run(rest);
    } catch (const UsageError& e) {
      std::cerr << "nineteen " << name << ": " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "nineteen " << name << ": " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "nineteen: unknown command \"" << name << "\"\n\n" << usage_text();
  return 2;
}

}  // namespace nineteen::cli
