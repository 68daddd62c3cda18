// Parses the miner's TOML settings; every error names the file, line, key and what was expected.
#include "nineteen/miner/miner_config.hpp"

#include "nineteen/chain/open_chain.hpp"
#include "nineteen/config/settings_table.hpp"

namespace nineteen::miner {

MinerConfig parse_miner_config(const std::string& toml_text, const std::string& file_name) {
  using Table = config::SettingsTable<MinerConfigError>;
  toml::table root = config::parse_settings<MinerConfigError>(toml_text, file_name);
  const toml::table* miner = root["miner"].as_table();
  if (!miner) throw MinerConfigError(file_name + ": no [miner] table (see the README for a miner.toml example)");

  MinerConfig c;
  c.file = file_name;
  Table r(file_name, *miner, "miner.");
  r.allow_only(plugin_host::with_plugin_isolation_keys({"hotkey", "address", "port", "tasks_file", "plugins", "nodes", "chain", "netuid", "min_validator_stake",
                "handler_threads", "max_body_bytes", "dev_reload", "require_signatures", "external_ip", "tasks", "status_page_public",
                "tls_certificate", "tls_private_key", "upstream_ca_file"}));
  auto hotkey = r.path("hotkey");
  if (!hotkey) r.missing("hotkey", "a key file from `nineteen keys new`");
  c.hotkey_file = *hotkey;
  c.address = r.string("address").value_or(c.address);
  c.external_ip = r.string("external_ip").value_or(c.address);
  c.port = static_cast<uint16_t>(r.whole_number("port", 0, 65535).value_or(0));
  c.tasks_file = r.path("tasks_file").value_or(r.resolve("tasks.toml"));
  if (auto p = r.path("plugins")) c.plugin_dirs.push_back(*p);
  c.nodes_file = r.path("nodes");
  c.chain_url = r.string("chain");
  if (auto netuid = r.whole_number("netuid", 0, 65535)) c.netuid = static_cast<std::uint16_t>(*netuid);
  if (c.chain_url) {
    auto kind = chain::chain_kind(*c.chain_url);
    if (!kind) r.fail(*r.get("chain"), "chain", chain::kChainUrlExpected);
    if (kind == chain::ChainKind::subtensor && !c.netuid) {
      r.missing("netuid", "the subnet's netuid: required when \"miner.chain\" is a ws:// or wss:// Subtensor endpoint");
    }
  }
  c.require_signatures = r.boolean("require_signatures").value_or(true);
  if (!c.nodes_file && !c.chain_url && c.require_signatures) {
    throw MinerConfigError(file_name + ": set \"miner.chain\" (the chain's URL) or \"miner.nodes\" (a JSON node list) "
                           "so the miner knows the validators and their stake");
  }
  c.min_validator_stake = r.number("min_validator_stake", 0, 1e18).value_or(0);
  c.handler_threads = static_cast<int>(r.whole_number("handler_threads", 1, 4096).value_or(c.handler_threads));
  c.max_body_bytes =
      static_cast<size_t>(r.whole_number("max_body_bytes", 1024, 1e10).value_or(static_cast<double>(c.max_body_bytes)));
  c.dev_reload = r.boolean("dev_reload").value_or(false);
  c.isolation = plugin_host::read_plugin_isolation(r);
  c.status_page_public = r.boolean("status_page_public").value_or(false);
  c.tls_certificate = r.path("tls_certificate").value_or("");
  c.tls_private_key = r.path("tls_private_key").value_or("");
  if (c.tls_certificate.empty() != c.tls_private_key.empty()) {
    r.missing(c.tls_certificate.empty() ? "tls_certificate" : "tls_private_key",
              "HTTPS needs both tls_certificate and tls_private_key (PEM files), or neither for plain HTTP");
  }
  c.upstream_ca_file = r.path("upstream_ca_file").value_or("");

  if (const toml::node* tasks = miner->get("tasks")) {
    if (!tasks->is_table()) r.fail(*tasks, "tasks", "a table of [miner.tasks.<name>] tables");
    for (const auto& [name, node] : *tasks->as_table()) {
      const std::string task_name(name.str());
      const toml::table* t = node.as_table();
      if (!t) r.fail(node, "tasks." + task_name, "a table");
      Table tr(file_name, *t, "miner.tasks." + task_name + ".");
      tr.allow_only({"concurrency", "capacity", "capacity_per_validator", "upstream", "upstream_model", "fail_rate",
                     "chunk_delay_ms", "slowdown", "behaviour_seed"});
      MinerTaskSettings s;
      s.name = task_name;
      s.concurrency = static_cast<size_t>(tr.whole_number("concurrency", 1, 100000).value_or(4));
      s.capacity = tr.number("capacity", 0, 1e15).value_or(-1);
      if (const toml::node* per = t->get("capacity_per_validator")) {
        if (!per->is_table()) tr.fail(*per, "capacity_per_validator", "a table of hotkey = volume");
        for (const auto& [hk, v] : *per->as_table()) {
          if (!v.is_number() || *v.value<double>() < 0) {
            tr.fail(v, "capacity_per_validator." + std::string(hk.str()), "a number >= 0");
          }
          s.capacity_per_validator[std::string(hk.str())] = *v.value<double>();
        }
      }
      s.upstream = tr.string("upstream");
      if (s.upstream && s.upstream->rfind("http://", 0) != 0 && s.upstream->rfind("https://", 0) != 0) {
        tr.fail(*t->get("upstream"), "upstream", "an http:// or https:// URL, e.g. \"http://127.0.0.1:8000\"");
      }
      s.upstream_model = tr.string("upstream_model");
      s.fail_rate = tr.number("fail_rate", 0, 1).value_or(0);
      s.chunk_delay_ms = static_cast<int>(tr.whole_number("chunk_delay_ms", 0, 60000).value_or(0));
      s.slowdown = tr.number("slowdown", 1, 100).value_or(1);
      s.behaviour_seed = static_cast<uint64_t>(tr.whole_number("behaviour_seed", 0, 1e15).value_or(0));
      c.tasks.push_back(s);
    }
  }
  return c;
}

MinerConfig load_miner_config(const std::string& path) {
  return parse_miner_config(config::read_settings_file<MinerConfigError>(path, "miner config"), path);
}

}  // namespace nineteen::miner
