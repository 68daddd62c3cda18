// `nineteen apikey create|list|revoke|usage --db FILE ...`: the gateway's API keys in the validator store.
#pragma once

#include <string>
#include <vector>

namespace nineteen::gateway {

// `args` are the words after "apikey". Prints to stdout, errors to stderr; returns the exit code
// (0 ok, 1 failed, 2 usage error).
int apikey_command(const std::vector<std::string>& args);

}  // namespace nineteen::gateway
