// `nineteen validator --config FILE`: the composition root of a validator — builds its parts from
// the settings (chain client, store, plugins, checker), runs it, and its gateway when configured.
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include <spdlog/spdlog.h>

#include "nineteen/chain/open_chain.hpp"
#include "nineteen/checker/check_service.hpp"
#include "nineteen/checker/checker_queue.hpp"
#include "nineteen/checker/checker_pool.hpp"
#include "nineteen/config/task_catalog.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/net/stop_signals.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"
#include "nineteen/validator/validator_node.hpp"
#include "nineteen/gateway/gateway_server.hpp"
#include "commands.hpp"

namespace nineteen::cli {
using namespace nineteen::validator;

int validator_command(const std::vector<std::string>& args) {
  const std::string usage = "nineteen validator --config FILE";
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_file = args[++i];
    } else {
      std::cerr << "unexpected argument \"" << args[i] << "\"\nusage: " << usage << "\n";
      return 2;
    }
  }
  if (config_file.empty()) {
    std::cerr << "missing --config FILE\nusage: " << usage << "\n";
    return 2;
  }
  ValidatorConfig config = load_validator_config(config_file);
  keys::Hotkey hotkey = keys::load_hotkey(config.hotkey_file).key;

  ValidatorParts parts;
  parts.chain = chain::open_chain(config.chain_url, config.netuid, hotkey);
  store::SqliteOptions store_options;
  store_options.max_bytes = static_cast<std::uint64_t>(config.db_max_mb * 1024 * 1024);
  parts.store = std::make_shared<store::SqliteValidatorStore>(config.db, store_options);
  plugin_host::PluginHostOptions options;
  for (const auto& dir : config.plugin_dirs) options.search_dirs.emplace_back(dir);
  for (const auto& dir : plugin_host::default_plugin_dirs()) options.search_dirs.push_back(dir);
  options.isolation = config.isolation;
  parts.host = std::make_shared<plugin_host::PluginHost>(options);
  parts.host->load(config::load_task_catalog(config.tasks_file));
  for (const auto& status : parts.host->statuses()) {
    if (status.state == plugin_host::TaskState::failed) spdlog::error("task {} will not be scored: {}", status.name, status.reason);
  }
  if (config.checker == "inline") {
    checker::CheckerSettings settings;
    settings.workers = config.checker_workers;
    parts.checker = checker::make_inline_checker(parts.host, settings);
  } else {
    parts.checker = checker::make_http_checkers(config.checker_urls);
  }

  std::mutex print;
  ValidatorEvents events;
  events.weights_set = [&](const std::string& text) {
    std::lock_guard<std::mutex> lock(print);
    std::cout << text << std::flush;
  };
  events.info = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(print);
    std::cout << line << std::endl;
  };
  ValidatorNode node(config, parts, events);
  node.start();
  // The organic API, when the settings have a [gateway] table.
  std::unique_ptr<gateway::GatewayServer> gateway_server;
  {
    std::ifstream in(config_file);
    std::ostringstream text;
    text << in.rdbuf();
    if (auto settings = gateway::parse_gateway_settings(config_file, text.str())) {
      settings->miners_ca_file = config.miners_ca_file;
      gateway_server = std::make_unique<gateway::GatewayServer>(*settings, node, parts.store);
      gateway_server->set_consensus_source([chain = parts.chain, bounds = node.task_bounds()] {
        return gateway::read_consensus_view(*chain, &bounds);
      });
      std::cout << "gateway listening on " << gateway_server->base_url() << std::endl;
    }
  }
  std::cout << "validator " << node.hotkey_address() << " running; chain " << config.chain_url
            << (config.netuid ? " netuid " + std::to_string(*config.netuid) : "") << ", store "
            << config.db << std::endl;
  net::StopSignals signals([&](int) { node.stop(); });
  node.wait();
  if (gateway_server) gateway_server->stop();
  std::cout << "validator stopped" << std::endl;
  return 0;
}

}  // namespace nineteen::cli
