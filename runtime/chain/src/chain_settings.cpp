// Parsing the [chain] table of the local chain's TOML settings.
#include "nineteen/chain/chain_settings.hpp"

#include <filesystem>

#include "nineteen/config/settings_table.hpp"

namespace nineteen::chain {

ChainSettings parse_chain_settings(const std::string& toml_text, const std::string& file_name) {
  toml::table root = config::parse_settings<ChainSettingsError>(toml_text, file_name);
  ChainSettings settings;
  const toml::node* chain_node = root.get("chain");
  if (!chain_node) return settings;
  if (!chain_node->is_table()) {
    throw ChainSettingsError(file_name + ": key \"chain\": expected a table [chain], got " +
                             config::shown_value(*chain_node));
  }
  config::SettingsTable<ChainSettingsError> r(file_name, *chain_node->as_table(), "chain.");
  r.allow_only({"address", "port", "db", "rpc_port", "netuid", "block_time_s", "tempo", "rate_limit", "version_key"});
  settings.address = r.string("address").value_or(settings.address);
  settings.port = static_cast<std::uint16_t>(r.whole_number("port", 0, 65535).value_or(settings.port));
  settings.db = r.string("db").value_or(settings.db);
  if (auto rpc_port = r.whole_number("rpc_port", 0, 65535)) settings.rpc_port = static_cast<std::uint16_t>(*rpc_port);
  settings.netuid = static_cast<std::uint16_t>(r.whole_number("netuid", 0, 65535).value_or(settings.netuid));
  settings.params.block_time_s = r.number("block_time_s", 0.001, 3600).value_or(settings.params.block_time_s);
  settings.params.tempo = static_cast<std::uint64_t>(
      r.whole_number("tempo", 1, 1'000'000).value_or(static_cast<double>(settings.params.tempo)));
  settings.params.rate_limit = static_cast<std::uint64_t>(
      r.whole_number("rate_limit", 0, 1'000'000).value_or(static_cast<double>(settings.params.rate_limit)));
  settings.params.version_key = static_cast<std::uint64_t>(
      r.whole_number("version_key", 0, 9.0e15).value_or(static_cast<double>(settings.params.version_key)));
  return settings;
}

ChainSettings load_chain_settings(const std::string& path) {
  ChainSettings settings =
      parse_chain_settings(config::read_settings_file<ChainSettingsError>(path, "chain settings file"), path);
  std::filesystem::path db(settings.db);
  if (db.is_relative()) settings.db = (std::filesystem::path(path).parent_path() / db).string();
  return settings;
}

}  // namespace nineteen::chain
