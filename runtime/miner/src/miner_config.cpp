// Parses the miner's TOML settings; every error names the file, line, key and what was expected.
#include "nineteen/miner/miner_config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace nineteen::miner {
namespace {

std::string at(const std::string& file, const toml::node& node) {
  return file + ":" + std::to_string(node.source().begin.line);
}

class TableReader {
 public:
  TableReader(const std::string& file, const toml::table& table, std::string prefix)
      : file_(file), table_(table), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& expected) const {
    throw MinerConfigError(at(file_, node) + ": key \"" + prefix_ + key + "\": expected " + expected);
  }
  std::optional<std::string> string(const char* key) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(*n, key, "a string");
    return *n->value<std::string>();
  }
  std::optional<double> number(const char* key, double minimum, double maximum) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_number()) fail(*n, key, "a number");
    double v = *n->value<double>();
    if (v < minimum || v > maximum) {
      std::ostringstream range;
      range << "a number from " << minimum << " to " << maximum << ", got " << v;
      fail(*n, key, range.str());
    }
    return v;
  }
  std::optional<bool> boolean(const char* key) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(*n, key, "true or false");
    return *n->value<bool>();
  }
  void allow_only(const std::vector<std::string>& keys) const {
    for (const auto& [key, value] : table_) {
      bool known = false;
      for (const auto& k : keys) known = known || k == key.str();
      if (!known) {
        std::string list;
        for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
        throw MinerConfigError(at(file_, value) + ": unknown key \"" + prefix_ + std::string(key.str()) +
                               "\" (known: " + list + ")");
      }
    }
  }

 private:
  const std::string& file_;
  const toml::table& table_;
  std::string prefix_;
};

std::string resolve(const std::string& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_relative() ? (std::filesystem::path(base_dir) / p).lexically_normal().string() : path;
}

}  // namespace

MinerConfig parse_miner_config(const std::string& toml_text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file_name << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": not valid TOML: " << e.description();
    throw MinerConfigError(out.str());
  }
  const toml::table* miner = root["miner"].as_table();
  if (!miner) throw MinerConfigError(file_name + ": no [miner] table (see the README for a miner.toml example)");
  const std::string dir = std::filesystem::absolute(file_name).parent_path().string();

  MinerConfig c;
  c.file = file_name;
  TableReader r(file_name, *miner, "miner.");
  r.allow_only({"hotkey", "address", "port", "tasks_file", "plugins", "nodes", "chain", "min_validator_stake",
                "handler_threads", "max_body_bytes", "dev_reload", "require_signatures", "external_ip", "tasks"});
  auto hotkey = r.string("hotkey");
  if (!hotkey) throw MinerConfigError(file_name + ": key \"miner.hotkey\" is missing (a key file from `nineteen keys new`)");
  c.hotkey_file = resolve(dir, *hotkey);
  c.address = r.string("address").value_or(c.address);
  c.external_ip = r.string("external_ip").value_or(c.address);
  c.port = static_cast<uint16_t>(r.number("port", 0, 65535).value_or(0));
  c.tasks_file = resolve(dir, r.string("tasks_file").value_or("tasks.toml"));
  if (auto p = r.string("plugins")) c.plugin_dirs.push_back(resolve(dir, *p));
  if (auto n = r.string("nodes")) c.nodes_file = resolve(dir, *n);
  c.chain_url = r.string("chain");
  c.require_signatures = r.boolean("require_signatures").value_or(true);
  if (!c.nodes_file && !c.chain_url && c.require_signatures) {
    throw MinerConfigError(file_name + ": set \"miner.chain\" (the chain's URL) or \"miner.nodes\" (a JSON node list) "
                           "so the miner knows the validators and their stake");
  }
  c.min_validator_stake = r.number("min_validator_stake", 0, 1e18).value_or(0);
  c.handler_threads = static_cast<int>(r.number("handler_threads", 1, 4096).value_or(c.handler_threads));
  c.max_body_bytes = static_cast<size_t>(r.number("max_body_bytes", 1024, 1e10).value_or(static_cast<double>(c.max_body_bytes)));
  c.dev_reload = r.boolean("dev_reload").value_or(false);

  if (const toml::node* tasks = miner->get("tasks")) {
    if (!tasks->is_table()) r.fail(*tasks, "tasks", "a table of [miner.tasks.<name>] tables");
    for (const auto& [name, node] : *tasks->as_table()) {
      const std::string task_name(name.str());
      const toml::table* t = node.as_table();
      if (!t) r.fail(node, "tasks." + task_name, "a table");
      TableReader tr(file_name, *t, "miner.tasks." + task_name + ".");
      tr.allow_only({"concurrency", "capacity", "capacity_per_validator", "upstream", "upstream_model", "fail_rate",
                     "chunk_delay_ms", "behaviour_seed"});
      MinerTaskSettings s;
      s.name = task_name;
      s.concurrency = static_cast<size_t>(tr.number("concurrency", 1, 100000).value_or(4));
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
      if (s.upstream && s.upstream->rfind("http://", 0) != 0) {
        tr.fail(*t->get("upstream"), "upstream", "an http:// URL, e.g. \"http://127.0.0.1:8000\"");
      }
      s.upstream_model = tr.string("upstream_model");
      s.fail_rate = tr.number("fail_rate", 0, 1).value_or(0);
      s.chunk_delay_ms = static_cast<int>(tr.number("chunk_delay_ms", 0, 60000).value_or(0));
      s.behaviour_seed = static_cast<uint64_t>(tr.number("behaviour_seed", 0, 1e15).value_or(0));
      c.tasks.push_back(s);
    }
  }
  return c;
}

MinerConfig load_miner_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MinerConfigError(path + ": cannot open the miner config");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_miner_config(text.str(), path);
}

}  // namespace nineteen::miner
