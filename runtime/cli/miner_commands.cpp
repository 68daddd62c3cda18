// The `nineteen miner` and `nineteen query` subcommands.
#include "nineteen/cli/commands.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include "nineteen/chain/open_chain.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/miner/miner_node.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/stop_signals.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::miner {
namespace {

// --key value pairs and flags; returns false (after printing usage) on a malformed line.
bool parse_options(const std::vector<std::string>& args, const std::vector<std::string>& flags,
                   std::map<std::string, std::string>& out, const std::string& usage) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      std::cerr << "unexpected argument \"" << a << "\"\nusage: " << usage << "\n";
      return false;
    }
    std::string key = a.substr(2);
    if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
      out[key] = "1";
    } else if (i + 1 < args.size()) {
      out[key] = args[++i];
    } else {
      std::cerr << "option --" << key << " needs a value\nusage: " << usage << "\n";
      return false;
    }
  }
  return true;
}

std::string inline_or_file(const std::string& value) {
  if (value.empty() || value[0] != '@') return value;
  std::ifstream in(value.substr(1), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + value.substr(1));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int miner_command(const std::vector<std::string>& args) {
  const std::string usage = "nineteen miner --config FILE [--dev-reload] [--port N]";
  std::map<std::string, std::string> o;
  if (!parse_options(args, {"dev-reload"}, o, usage)) return 2;
  if (!o.count("config")) {
    std::cerr << "missing --config FILE\nusage: " << usage << "\n";
    return 2;
  }
  MinerConfig config = load_miner_config(o["config"]);
  if (o.count("dev-reload")) config.dev_reload = true;
  if (o.count("port")) config.port = static_cast<uint16_t>(std::stoi(o["port"]));
  std::shared_ptr<ValidatorDirectory> validators;
  if (config.nodes_file) {
    validators = validators_from_node_list(*config.nodes_file);
  } else if (config.chain_url) {
    validators = validators_from_chain(*config.chain_url, config.netuid);
  } else {
    validators = no_validators();
  }
  MinerNode node(config, validators);
  if (config.chain_url) {
    // Publish where this miner listens, so validators find it.
    auto chain = chain::open_chain(*config.chain_url, config.netuid, keys::load_hotkey(config.hotkey_file).key);
    chain::WriteResult published = chain->serve(node.hotkey_address(), config.external_ip, node.port());
    if (!published.accepted) {
      const bool local = chain::chain_kind(*config.chain_url) == chain::ChainKind::local_http;
      throw std::runtime_error(
          "the chain at " + *config.chain_url + " refused this miner's address: " + published.reason +
          (local ? " (register first: nineteen chain register --chain " + *config.chain_url + " --key " +
                       config.hotkey_file + " --stake 0 --role miner)"
                 : " (register first: on Bittensor with btcli subnet register; on the local chain with "
                   "nineteen chain register --chain <its http:// URL>)"));
    }
  }
  std::string tasks;
  for (const auto& t : node.served_tasks()) tasks += (tasks.empty() ? "" : ", ") + t;
  // Tests and scripts read this line to learn the port.
  std::cout << "miner " << node.hotkey_address() << " listening on " << node.base_url() << " serving " << tasks
            << std::endl;
  net::StopSignals signals([&](int signal_number) {
    spdlog::info("signal {}: stopping, letting requests in flight finish", signal_number);
    node.stop(std::chrono::milliseconds(5000));
  });
  node.wait();
  std::cout << "miner stopped" << std::endl;
  return 0;
}

int query_command(const std::vector<std::string>& args) {
  const std::string usage =
      "nineteen query --key FILE --miner URL --task NAME --request JSON|@FILE [--miner-hotkey ADDR] [--timeout-s N]";
  std::map<std::string, std::string> o;
  if (!parse_options(args, {}, o, usage)) return 2;
  for (const char* required : {"key", "miner", "task", "request"}) {
    if (!o.count(required)) {
      std::cerr << "missing --" << required << "\nusage: " << usage << "\n";
      return 2;
    }
  }
  keys::Hotkey key = keys::load_hotkey(o["key"]).key;
  net::HttpClient client;
  const std::string miner = o["miner"];

  // The miner's health page says its hotkey and which endpoint serves the task.
  net::ClientRequest health_request;
  health_request.url = miner + "/health";
  net::ClientResult health = client.send(health_request);
  if (!health.ok() || health.status != 200) {
    std::cerr << "cannot reach the miner at " << miner << ": "
              << (health.ok() ? "status " + std::to_string(health.status) : health.error_message) << "\n";
    return 1;
  }
  rapidjson::Document info;
  const bool parsed = sdk::parse_json_bounded(info, health.body).empty();
  std::string endpoint;
  std::string miner_hotkey = o.count("miner-hotkey") ? o["miner-hotkey"] : "";
  if (parsed && info.IsObject()) {
    if (miner_hotkey.empty() && info.HasMember("hotkey") && info["hotkey"].IsString()) miner_hotkey = info["hotkey"].GetString();
    if (info.HasMember("tasks") && info["tasks"].IsArray()) {
      for (const auto& t : info["tasks"].GetArray()) {
        if (t.IsObject() && t.HasMember("name") && t["name"].IsString() && o["task"] == t["name"].GetString() &&
            t.HasMember("endpoint") && t["endpoint"].IsString()) {
          endpoint = t["endpoint"].GetString();
        }
      }
    }
  }
  if (endpoint.empty()) {
    std::cerr << "the miner at " << miner << " does not serve task " << o["task"] << "\n";
    return 1;
  }

  rapidjson::Document doc;
  std::string body = inline_or_file(o["request"]);
  if (!sdk::parse_json_bounded(doc, body).empty() || !doc.IsObject()) {
    std::cerr << "--request: expected a JSON object\n";
    return 2;
  }
  if (!doc.HasMember("model")) {
    body = body.substr(0, body.find('{') + 1) + "\"model\":\"" + o["task"] + "\"," + body.substr(body.find('{') + 1);
    if (doc.MemberCount() == 0) body = "{\"model\":\"" + o["task"] + "\"}";
  }
  const bool stream = doc.HasMember("stream") && doc["stream"].IsBool() && doc["stream"].GetBool();

  net::ClientRequest request;
  request.method = "POST";
  request.url = miner + endpoint;
  request.body = body;
  request.headers.set("Content-Type", "application/json");
  keys::add_signature_headers(request.headers, key, miner_hotkey, body);
  net::ClientTimeouts timeouts;
  timeouts.first_byte = std::chrono::seconds(o.count("timeout-s") ? std::stoi(o["timeout-s"]) : 60);
  request.timeouts = timeouts;

  net::ClientResult result;
  if (stream) {
    result = client.stream(request, [](const net::SseEvent& event) {
      std::cout << event.data << std::endl;
      return true;
    });
  } else {
    result = client.send(request);
  }
  if (!result.ok()) {
    std::cerr << "request failed: " << result.error_message << "\n";
    return 1;
  }
  if (result.status != 200) {
    std::cerr << "miner answered " << result.status << ": " << result.body << "\n";
    return 1;
  }
  if (!stream) std::cout << result.body << std::endl;
  return 0;
}

}  // namespace nineteen::miner
