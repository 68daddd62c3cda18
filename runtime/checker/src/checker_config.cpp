// Parses the checker's TOML settings; every error names the file, line, key and what was expected.
#include "nineteen/checker/checker_config.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

namespace nineteen::checker {
namespace {

const std::vector<std::string> kKeys = {"address",      "port",           "tasks_file",  "plugins",
                                        "tasks",        "workers",        "max_queued_items", "max_batch",
                                        "max_attempts", "result_ttl_s",   "retry_delay_ms",   "handler_threads",
                                        "max_body_bytes"};

class CheckerTable {
 public:
  CheckerTable(const std::string& file, const toml::table& table) : file_(file), table_(table) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& expected) const {
    throw CheckerConfigError(file_ + ":" + std::to_string(node.source().begin.line) + ": key \"checker." + key +
                             "\": expected " + expected);
  }

  void allow_only(const std::vector<std::string>& keys) const {
    for (const auto& [key, value] : table_) {
      if (std::find(keys.begin(), keys.end(), std::string(key.str())) != keys.end()) continue;
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
      throw CheckerConfigError(file_ + ":" + std::to_string(value.source().begin.line) + ": unknown key \"checker." +
                               std::string(key.str()) + "\" (known: " + list + ")");
    }
  }

  std::optional<std::string> string(const char* key) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string() || n->value<std::string>()->empty()) fail(*n, key, "a non-empty string");
    return *n->value<std::string>();
  }

  // A whole number in [minimum, maximum].
  std::optional<double> whole_number(const char* key, double minimum, double maximum) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    std::ostringstream range;
    range << "a whole number from " << minimum << " to " << maximum;
    if (!n->is_number()) fail(*n, key, range.str());
    double v = *n->value<double>();
    if (v < minimum || v > maximum || std::floor(v) != v) {
      range << ", got " << v;
      fail(*n, key, range.str());
    }
    return v;
  }

  std::vector<std::string> strings(const char* key) const {
    std::vector<std::string> out;
    const toml::node* n = table_.get(key);
    if (!n) return out;
    if (!n->is_array()) fail(*n, key, "an array of task names, e.g. [\"reverse-words\"]");
    for (const toml::node& item : *n->as_array()) {
      if (!item.is_string()) fail(item, key, "an array of task names (strings)");
      out.push_back(*item.value<std::string>());
    }
    return out;
  }

 private:
  const std::string& file_;
  const toml::table& table_;
};

std::string resolve(const std::string& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_relative() ? (std::filesystem::path(base_dir) / p).lexically_normal().string() : path;
}

}  // namespace

CheckerConfig parse_checker_config(const std::string& toml_text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file_name << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": not valid TOML: " << e.description();
    throw CheckerConfigError(out.str());
  }
  const toml::table* checker = root["checker"].as_table();
  if (!checker) {
    throw CheckerConfigError(file_name + ": no [checker] table (see runtime/checker/README.md for a checker.toml example)");
  }
  const std::string dir = std::filesystem::absolute(file_name).parent_path().string();
  CheckerTable t(file_name, *checker);
  t.allow_only(kKeys);

  CheckerConfig c;
  c.file = file_name;
  c.address = t.string("address").value_or(c.address);
  c.port = static_cast<uint16_t>(t.whole_number("port", 0, 65535).value_or(0));
  c.tasks_file = resolve(dir, t.string("tasks_file").value_or("tasks.toml"));
  if (auto p = t.string("plugins")) c.plugin_dirs.push_back(resolve(dir, *p));
  c.only_tasks = t.strings("tasks");
  CheckerSettings& s = c.settings;
  s.workers = static_cast<int>(t.whole_number("workers", 1, 1024).value_or(s.workers));
  s.max_queued_items = static_cast<size_t>(
      t.whole_number("max_queued_items", 1, 10'000'000).value_or(static_cast<double>(s.max_queued_items)));
  s.max_batch = static_cast<size_t>(t.whole_number("max_batch", 1, 100'000).value_or(static_cast<double>(s.max_batch)));
  s.max_attempts = static_cast<int>(t.whole_number("max_attempts", 1, 100).value_or(s.max_attempts));
  s.result_ttl = std::chrono::seconds(static_cast<long>(
      t.whole_number("result_ttl_s", 0, 7 * 24 * 3600).value_or(static_cast<double>(s.result_ttl.count()))));
  s.retry_delay = std::chrono::milliseconds(static_cast<long>(
      t.whole_number("retry_delay_ms", 0, 600'000).value_or(static_cast<double>(s.retry_delay.count()))));
  c.handler_threads = static_cast<int>(t.whole_number("handler_threads", 1, 4096).value_or(c.handler_threads));
  c.max_body_bytes = static_cast<size_t>(
      t.whole_number("max_body_bytes", 1024, 4.0 * 1024 * 1024 * 1024).value_or(static_cast<double>(c.max_body_bytes)));
  return c;
}

CheckerConfig load_checker_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckerConfigError(path + ": cannot open the checker config");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_checker_config(text.str(), path);
}

}  // namespace nineteen::checker
