// `nineteen checker`: run the checking server from a settings file until SIGINT or SIGTERM.
#pragma once

#include <string>
#include <vector>

namespace nineteen::checker {

// args after "checker": --config FILE [--port N]. Prints "checker listening on http://ADDR:PORT"
// once serving; returns 0 after a clean stop, 2 for a bad command line. Throws (with a message
// naming the file and key) for a config that cannot be used.
int checker_command(const std::vector<std::string>& args);

}  // namespace nineteen::checker
