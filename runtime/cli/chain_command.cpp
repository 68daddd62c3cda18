// `nineteen chain`: the serve, register and show subcommands over ChainServer (HTTP), LocalSubtensorNode
// (Substrate JSON-RPC) and the clients.
#include "nineteen/cli/commands.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "nineteen/chain/chain_client.hpp"
#include "nineteen/chain/chain_server.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/chain/subtensor/json_rpc_server.hpp"
#include "nineteen/chain/subtensor/local_subtensor_node.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/stop_signals.hpp"

namespace nineteen::chain {
namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  nineteen chain --config FILE\n"
    "      serve the local chain (settings: [chain] address, port, db, rpc_port, netuid, block_time_s, "
    "tempo,\n"
    "      rate_limit, version_key); with rpc_port it also speaks Substrate's JSON-RPC on ws://\n"
    "  nineteen chain register --chain URL --key FILE --stake N --role miner|validator\n"
    "                          [--ip IP --port P] [--coldkey SS58]\n"
    "      register the key's hotkey on the local chain (its http:// URL); a dev chain grants the stake\n"
    "      asked for\n"
    "  nineteen chain show --chain URL [--netuid N]\n"
    "      print the metagraph and the last epoch's incentives (http://, or ws:// / wss:// with --netuid)\n";

class UsageProblem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "--name value" pairs (or --name=value) after the subcommand, checked against `known`.
std::map<std::string, std::string> read_options(const std::vector<std::string>& args, std::size_t first,
                                                const std::set<std::string>& known) {
  std::map<std::string, std::string> options;
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.rfind("--", 0) != 0) throw UsageProblem("unexpected argument \"" + word + "\"");
    std::string name = word.substr(2), value;
    std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) throw UsageProblem("--" + name + " needs a value");
      value = args[++i];
    }
    if (!known.count(name)) throw UsageProblem("unknown option --" + name);
    options[name] = value;
  }
  return options;
}

std::string need(const std::map<std::string, std::string>& options, const std::string& name) {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty()) throw UsageProblem("missing --" + name);
  return it->second;
}

int serve_chain(const std::map<std::string, std::string>& options) {
  ChainSettings settings = load_chain_settings(need(options, "config"));
  ChainServer server(settings);
  // The JSON-RPC face lives inside the server's lifetime: the guard stops the block clock (which calls the
  // node) first, the RPC server and the node go next, the state (owned by `server`) last.
  std::unique_ptr<subtensor::LocalSubtensorNode> node;
  std::unique_ptr<subtensor::JsonRpcServer> rpc;
  struct StopClockFirst {
    ChainServer& server;
    ~StopClockFirst() { server.stop(); }
  } stop_clock_first{server};
  std::string rpc_text = "JSON-RPC off (set rpc_port)";
  if (settings.rpc_port) {
    node = std::make_unique<subtensor::LocalSubtensorNode>(server.state(), settings.netuid);
    auto* n = node.get();
    rpc = std::make_unique<subtensor::JsonRpcServer>(
        settings.address, *settings.rpc_port,
        [n](const std::string& method, const rapidjson::Value& params) { return n->handle(method, params); });
    server.on_block([n](std::uint64_t block) { n->on_block(block); });
    rpc_text = "JSON-RPC " + rpc->url() + " netuid " + std::to_string(settings.netuid) + " (spec " +
               std::to_string(node->spec_version()) + ")";
  }
  const ChainParams& p = settings.params;
  std::cout << "nineteen chain: serving " << server.base_url() << ", " << rpc_text << " (db " << settings.db
            << ", block " << server.state().current_block() << ", block_time_s " << p.block_time_s
            << ", tempo " << p.tempo << ", rate_limit " << p.rate_limit << ", version_key " << p.version_key
            << ")" << std::endl;
  auto signals = net::stop_on_signals(server.http());
  server.http().wait();
  server.stop();
  std::cout << "nineteen chain: stopped at block " << server.state().current_block() << std::endl;
  return 0;
}

int register_node(const std::map<std::string, std::string>& options) {
  const std::string url = need(options, "chain");
  if (chain_kind(url) != ChainKind::local_http) {
    throw UsageProblem(
        "--chain: registration goes to the local chain's http:// address (its JSON-RPC cannot "
        "register: on Subtensor, registering is a coldkey operation; use `btcli subnet register`), "
        "got \"" +
        url + "\"");
  }
  keys::LoadedHotkey loaded = keys::load_hotkey(need(options, "key"));
  Registration r;
  r.hotkey = loaded.key.ss58_address();
  std::string stake_text = need(options, "stake");
  try {
    std::size_t used = 0;
    r.stake = std::stod(stake_text, &used);
    if (used != stake_text.size() || !std::isfinite(r.stake) || r.stake < 0) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw UsageProblem("--stake: expected a number >= 0, got \"" + stake_text + "\"");
  }
  std::string role_text = need(options, "role");
  auto role = parse_role(role_text);
  if (!role) throw UsageProblem("--role: expected miner or validator, got \"" + role_text + "\"");
  r.role = *role;
  if (options.count("ip")) r.ip = options.at("ip");
  if (options.count("port")) {
    const std::string& text = options.at("port");
    char* end = nullptr;
    unsigned long port = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || port == 0 || port > 65535) {
      throw UsageProblem("--port: expected 1..65535, got \"" + text + "\"");
    }
    r.port = static_cast<std::uint16_t>(port);
  }
  if (r.ip.empty() != (r.port == 0)) throw UsageProblem("--ip and --port go together");
  if (options.count("coldkey")) r.coldkey = options.at("coldkey");

  ChainClient client(url, loaded.key);
  WriteResult result = client.register_node(r);
  if (!result.accepted) {
    std::cerr << "nineteen chain register: refused: " << result.reason << "\n";
    return 1;
  }
  std::cout << "registered " << r.hotkey << " as " << role_name(r.role) << " uid " << (result.uid ? *result.uid : 0)
            << " with stake " << r.stake << " at block " << result.block << "\n";
  return 0;
}

int show_chain(const std::map<std::string, std::string>& options) {
  std::optional<std::uint16_t> netuid;
  if (options.count("netuid")) {
    const std::string& text = options.at("netuid");
    char* end = nullptr;
    unsigned long n = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n > 65535)
      throw UsageProblem("--netuid: expected 0..65535, got \"" + text + "\"");
    netuid = static_cast<std::uint16_t>(n);
  }
  const std::string url = need(options, "chain");
  if (chain_kind(url) == ChainKind::subtensor && !netuid)
    throw UsageProblem("--netuid: required with a ws:// or wss:// --chain (the subnet to show)");
  std::shared_ptr<Chain> client = open_chain(url, netuid);
  std::uint64_t block = client->current_block();
  auto neurons = client->metagraph();
  auto incentives = client->incentives();
  std::map<std::uint16_t, UidIncentive> by_uid;
  for (const auto& entry : incentives.by_uid) by_uid[entry.uid] = entry;
  std::cout << "block " << block << ", last epoch at block " << incentives.epoch_block << "\n";
  std::printf("%5s  %-10s  %-48s  %12s  %-21s  %11s  %9s  %7s  %9s  %9s\n", "uid", "role", "hotkey", "stake",
              "address", "last_update", "incentive", "share", "dividends", "trust");
  for (const auto& n : neurons) {
    std::string address = n.ip.empty() ? "-" : n.ip + ":" + std::to_string(n.port);
    auto it = by_uid.find(n.uid);
    double incentive = it == by_uid.end() ? 0 : it->second.incentive;
    double share = it == by_uid.end() ? 0 : it->second.share;
    double dividends = it == by_uid.end() ? 0 : it->second.dividends;
    double trust = it == by_uid.end() ? 0 : it->second.validator_trust;
    std::printf("%5u  %-10s  %-48s  %12.3f  %-21s  %11llu  %9.4f  %6.2f%%  %9.4f  %9.4f\n", n.uid, role_name(n.role),
                n.hotkey.c_str(), n.stake, address.c_str(), static_cast<unsigned long long>(n.last_update),
                incentive, share * 100, dividends, trust);
  }
  return 0;
}

}  // namespace

int chain_command(const std::vector<std::string>& args) {
  try {
    if (args.empty()) throw UsageProblem("missing --config FILE or a subcommand");
    if (args[0] == "register") {
      return register_node(read_options(args, 1, {"chain", "key", "stake", "role", "ip", "port", "coldkey"}));
    }
    if (args[0] == "show") return show_chain(read_options(args, 1, {"chain", "netuid"}));
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kUsage;
      return 0;
    }
    return serve_chain(read_options(args, 0, {"config"}));
  } catch (const UsageProblem& e) {
    std::cerr << "nineteen chain: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nineteen chain: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace nineteen::chain
