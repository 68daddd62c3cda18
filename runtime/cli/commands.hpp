// The subcommands of `nineteen`, each taking the arguments after its name; returns the exit code.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"

namespace nineteen::cli {

int plugin_command(const std::vector<std::string>& args);
// The hidden `plugin-worker` command: one isolated plugin's worker process (plugin_worker.hpp).
int plugin_worker(const std::vector<std::string>& args);
int synth_command(const std::vector<std::string>& args);
int invoke_command(const std::vector<std::string>& args);
int check_command(const std::vector<std::string>& args);
int models_command(const std::vector<std::string>& args);
int validator_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);

// True, after printing `text`, when --help or -h is among a subcommand's arguments.
bool print_help_if_asked(const std::vector<std::string>& args, const char* text);

// The catalogue: --tasks, else $NINETEEN_TASKS, else ./tasks.toml, else the source tree's.
std::string tasks_file(const CommandLine& cl);
// Loads the catalogue into a host with the folders from --plugins (repeatable by ':') and the defaults.
std::unique_ptr<plugin_host::PluginHost> open_host(const CommandLine& cl, bool dev_reload = false);
// The loaded task `name`, or a UsageError saying why it is not available.
std::shared_ptr<plugin_host::LiveTask> require_task(plugin_host::PluginHost& host, const std::string& name);

}  // namespace nineteen::cli
