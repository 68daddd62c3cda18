// `nineteen keys …`: make, import and show hotkey files.
#pragma once

#include <string>
#include <vector>

namespace nineteen::keys {

// `args` are the words after "keys": {"new", "--out", FILE, ...}, {"import", ...} or {"show", FILE}
// (see the usage text).
// Prints to stdout, errors and usage to stderr. Returns 0 on success, 1 on failure, 2 on bad usage.
int keys_command(const std::vector<std::string>& args);

}  // namespace nineteen::keys
