// `nineteen miner` (run a miner) and `nineteen query` (send one signed request to a miner).
#pragma once

#include <string>
#include <vector>

namespace nineteen::miner {

// args after "miner": --config FILE [--dev-reload] [--port N]
int miner_command(const std::vector<std::string>& args);
// args after "query": --key FILE --miner URL --task NAME --request JSON|@FILE [--miner-hotkey ADDR]
int query_command(const std::vector<std::string>& args);

}  // namespace nineteen::miner
