// What the subcommands in this folder share: --help, the catalogue, the plugin host.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "nineteen/cli/commands.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"

namespace nineteen::cli {

// True, after printing `text`, when --help or -h is among a subcommand's arguments.
bool print_help_if_asked(const std::vector<std::string>& args, const char* text);

// The catalogue: --tasks, else $NINETEEN_TASKS, else ./tasks.toml, else the source tree's.
std::string tasks_file(const CommandLine& cl);
// Loads the catalogue into a host with the folders from --plugins (repeatable by ':') and the defaults.
std::unique_ptr<plugin_host::PluginHost> open_host(const CommandLine& cl, bool dev_reload = false);
// The loaded task `name`, or a UsageError saying why it is not available.
std::shared_ptr<plugin_host::LiveTask> require_task(plugin_host::PluginHost& host, const std::string& name);

}  // namespace nineteen::cli
