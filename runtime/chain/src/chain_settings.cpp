// Parsing the [chain] table of the local chain's TOML settings.
#include "nineteen/chain/chain_settings.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace nineteen::chain {
namespace {

std::string shown(const toml::node& node) {
  std::ostringstream out;
  if (node.is_string()) {
    out << '"' << node.as_string()->get() << '"';
  } else if (node.is_table()) {
    out << "a table";
  } else if (node.is_array()) {
    out << "an array";
  } else {
    node.visit([&out](const auto& value) { out << value; });
  }
  return out.str();
}

class ChainTable {
 public:
  ChainTable(const toml::table& table, std::string file) : table_(table), file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& expected, const toml::node& got) const {
    throw ChainSettingsError(file_ + ": key \"chain." + key + "\": expected " + expected + ", got " + shown(got));
  }

  void read_string(const char* key, std::string& out) const {
    const toml::node* node = table_.get(key);
    if (!node) return;
    if (!node->is_string() || node->as_string()->get().empty()) fail(key, "a non-empty string", *node);
    out = node->as_string()->get();
  }

  // An integer in [min, max].
  void read_integer(const char* key, std::int64_t min, std::int64_t max, std::uint64_t& out) const {
    const toml::node* node = table_.get(key);
    if (!node) return;
    std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (!node->is_integer()) fail(key, expected, *node);
    std::int64_t value = node->as_integer()->get();
    if (value < min || value > max) fail(key, expected, *node);
    out = static_cast<std::uint64_t>(value);
  }

  void read_positive_number(const char* key, double& out) const {
    const toml::node* node = table_.get(key);
    if (!node) return;
    double value = 0;
    if (node->is_integer()) {
      value = static_cast<double>(node->as_integer()->get());
    } else if (node->is_floating_point()) {
      value = node->as_floating_point()->get();
    } else {
      fail(key, "a number of seconds > 0", *node);
    }
    if (!std::isfinite(value) || value <= 0) fail(key, "a number of seconds > 0", *node);
    out = value;
  }

 private:
  const toml::table& table_;
  std::string file_;
};

}  // namespace

ChainSettings parse_chain_settings(const std::string& toml_text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ChainSettingsError(file_name + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                             ": not valid TOML: " + std::string(e.description()));
  }
  ChainSettings settings;
  const toml::node* chain_node = root.get("chain");
  if (!chain_node) return settings;
  if (!chain_node->is_table()) {
    throw ChainSettingsError(file_name + ": key \"chain\": expected a table [chain], got " + shown(*chain_node));
  }
  const toml::table& table = *chain_node->as_table();
  static const std::set<std::string> known = {"address", "port",       "db",         "block_time_s",
                                              "tempo",   "rate_limit", "version_key"};
  for (const auto& [key, value] : table) {
    if (!known.count(std::string(key.str()))) {
      throw ChainSettingsError(file_name + ": key \"chain." + std::string(key.str()) +
                               "\" is not a chain setting (known: address, port, db, block_time_s, tempo, "
                               "rate_limit, version_key)");
    }
  }
  ChainTable reader(table, file_name);
  reader.read_string("address", settings.address);
  std::uint64_t port = settings.port;
  reader.read_integer("port", 0, 65535, port);
  settings.port = static_cast<std::uint16_t>(port);
  reader.read_string("db", settings.db);
  reader.read_positive_number("block_time_s", settings.params.block_time_s);
  reader.read_integer("tempo", 1, 1'000'000, settings.params.tempo);
  reader.read_integer("rate_limit", 0, 1'000'000, settings.params.rate_limit);
  reader.read_integer("version_key", 0, INT64_MAX, settings.params.version_key);
  return settings;
}

ChainSettings load_chain_settings(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ChainSettingsError(path + ": cannot open the chain settings file (does it exist?)");
  std::stringstream text;
  text << in.rdbuf();
  ChainSettings settings = parse_chain_settings(text.str(), path);
  std::filesystem::path db(settings.db);
  if (db.is_relative()) settings.db = (std::filesystem::path(path).parent_path() / db).string();
  return settings;
}

}  // namespace nineteen::chain
