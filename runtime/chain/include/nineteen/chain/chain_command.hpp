// `nineteen chain …`: serve the local chain, register a node on it, show its metagraph.
#pragma once

#include <string>
#include <vector>

namespace nineteen::chain {

// `args` are the words after "chain":
//   --config FILE                                      serve the chain until SIGINT/SIGTERM
//   register --chain URL --key FILE --stake N --role miner|validator [--ip IP --port P] [--coldkey SS58]
//   show --chain URL                                   print the metagraph and the last incentives
// Prints to stdout, errors to stderr. Returns 0 on success, 1 on failure (or a refused
// registration), 2 on bad usage.
int chain_command(const std::vector<std::string>& args);

}  // namespace nineteen::chain
