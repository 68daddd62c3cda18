// `nineteen`: one binary for every role; this file only dispatches to the subcommands.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "nineteen/net/fatal_signal_log.hpp"

#ifdef NINETEEN_HAS_KEYS
#include "nineteen/keys/keys_command.hpp"
#endif
#ifdef NINETEEN_HAS_MINER
#include "nineteen/miner/miner_commands.hpp"
#endif
#ifdef NINETEEN_HAS_CHAIN
#include "nineteen/chain/chain_command.hpp"
#endif
#ifdef NINETEEN_HAS_CHECKER
#include "nineteen/checker/checker_command.hpp"
#endif
#ifdef NINETEEN_HAS_DEVNET
#include "nineteen/devnet/devnet.hpp"
#endif
#ifdef NINETEEN_HAS_GATEWAY
#include "nineteen/gateway/gateway_server.hpp"
#endif

namespace {

const char* kUsage = R"(usage: nineteen <command> [options]

network
  devnet [--periods K --exit] [--miners B,...]   a whole network on loopback (chain, checker,
                                                 validator, miners with scripted behaviours)

task plugins
  plugin list [--tasks FILE] [--plugins DIR]     the catalogue's tasks and their state
  plugin inspect FILE.so                         ABI, name, version and task types of a plugin
  plugin conformance --task NAME [--tasks FILE]  the checks every task must pass
  plugin watch [--tasks FILE]                    dev mode: reload plugins when their files change
  synth --task NAME --seed N                     a synthetic request
  invoke --task NAME --request JSON|@FILE        serve a request locally (chunks as JSON lines)
  check --task NAME --request JSON|@FILE --response JSON|@FILE
                                                 quality of an answer against the reference
models
  models make tiny-llama|tiny-bert --out DIR [...]
                                                 make a small deterministic model
keys
  keys new --out FILE [--scheme sr25519|ed25519] a new hotkey (sr25519, as Bittensor's, by default)
  keys import --wallet W --hotkey H --out FILE | keys show FILE   a btcli hotkey (or --mnemonic, --seed, --uri)
nodes
  chain --config FILE                            the local chain (development and tests)
  chain register --chain URL --key FILE --stake N --role miner|validator [--ip IP --port P]
  chain show --chain URL                         metagraph and incentives
  miner --config FILE [--dev-reload]             serve tasks to validators
  checker --config FILE                          the checking server
  validator --config FILE                        score miners and set weights (and serve the
                                                 OpenAI-compatible gateway when [gateway] is set)
  apikey create|list|revoke|usage --db FILE      the gateway's API keys
  status URL [--json]                            a gateway's or a miner's status page in the terminal
  query --key FILE --miner URL --task NAME --request JSON|@FILE
                                                 send one signed request to a miner

global options: --log-level trace|debug|info|warn|error (default warn), --version
)";

}  // namespace

int main(int argc, char** argv) {
  // Plugins load libtorch, whose OpenMP threads otherwise spin while idle: on a machine shared with
  // other processes that made 2-thread work up to 35 times slower than 1 thread. libgomp reads this
  // when it is loaded, which is after this line (the host itself never links it). A user's own
  // setting wins.
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  // glibc's mmap threshold otherwise grows with every large free, so the memory of a burst of big
  // requests stays in the heap for good; fixed, blocks of 256 kB and more go back at free.
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_ARENA_MAX, 4);
  nineteen::net::install_fatal_signal_log("nineteen");
  std::vector<std::string> args(argv + 1, argv + argc);
  spdlog::set_level(spdlog::level::warn);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--log-level") {
      spdlog::set_level(spdlog::level::from_str(args[i + 1]));
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      break;
    }
  }
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::cout << "nineteen " << NINETEEN_VERSION << " (plugin ABI " << NT_ABI_MAJOR << "." << NT_ABI_MINOR << ")\n";
    return 0;
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "plugin") return nineteen::cli::plugin_command(rest);
    if (command == "plugin-worker") return nineteen::cli::plugin_worker(rest);  // hidden: started by the host
    if (command == "synth") return nineteen::cli::synth_command(rest);
    if (command == "invoke") return nineteen::cli::invoke_command(rest);
    if (command == "check") return nineteen::cli::check_command(rest);
    if (command == "models") return nineteen::cli::models_command(rest);
    if (command == "status") return nineteen::cli::status_command(rest);
#ifdef NINETEEN_HAS_KEYS
    if (command == "keys") return nineteen::keys::keys_command(rest);
#endif
#ifdef NINETEEN_HAS_MINER
    if (command == "miner") return nineteen::miner::miner_command(rest);
    if (command == "query") return nineteen::miner::query_command(rest);
#endif
#ifdef NINETEEN_HAS_CHAIN
    if (command == "chain") return nineteen::chain::chain_command(rest);
#endif
#ifdef NINETEEN_HAS_CHECKER
    if (command == "checker") return nineteen::checker::checker_command(rest);
#endif
#ifdef NINETEEN_HAS_VALIDATOR
    if (command == "validator") return nineteen::cli::validator_command(rest);
#endif
#ifdef NINETEEN_HAS_DEVNET
    if (command == "devnet") return nineteen::devnet::devnet_command(rest);
#endif
#ifdef NINETEEN_HAS_GATEWAY
    if (command == "apikey") return nineteen::gateway::apikey_command(rest);
#endif
    std::cerr << "nineteen: unknown command \"" << command << "\"\n\n" << kUsage;
    return 2;
  } catch (const nineteen::cli::UsageError& e) {
    std::cerr << "nineteen " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nineteen " << command << ": " << e.what() << "\n";
    return 1;
  }
}
