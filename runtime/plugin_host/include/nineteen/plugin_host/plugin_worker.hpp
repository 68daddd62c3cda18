// Plugin isolation. A worker process (`nineteen plugin-worker --library FILE --fd N`) loads one plugin
// library and serves its nt_plugin_api to the host over a socket (src/worker_protocol.hpp); in the
// host a proxy presents the same table, so LiveTask and everything above it are unchanged. When the
// worker dies (a crash, an abort, a throw across the ABI that terminates it, a kill after a hang or
// past the memory limit), the calls in flight fail with NT_UNAVAILABLE naming the plugin and the
// cause, and the proxy restarts the worker with backoff and re-creates its tasks.
#pragma once

#include <string>

namespace nineteen::plugin_host {

// The worker's main: loads `library`, serves the socket `fd` until the host closes it. Returns the
// process exit status.
int plugin_worker_main(const std::string& library, int fd);

// The hidden `plugin-worker` subcommand: parses --library FILE --fd N and runs plugin_worker_main.
int plugin_worker_command(int argc, const char* const* argv);

}  // namespace nineteen::plugin_host
