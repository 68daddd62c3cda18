// Reading a node's TOML settings file (miner, validator, checker, chain, gateway): one way to parse,
// and one reader for a table's keys, so every error reads the same:
//   miner.toml:4: key "miner.port": expected a whole number from 0 to 65535, got "eighty"
// Each node keeps its own exception type (the template argument), derived from std::runtime_error.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace nineteen::config {

// A value as the user wrote it, for "got ..." in messages.
inline std::string shown_value(const toml::node& node) {
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
  std::string s = out.str();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

template <typename Error>
std::string read_settings_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the " + what);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parses TOML; a syntax error becomes `file:line:column: not valid TOML: ...`.
template <typename Error>
toml::table parse_settings(const std::string& text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file << ":" << e.source().begin.line << ":" << e.source().begin.column << ": not valid TOML: "
        << e.description();
    throw Error(out.str());
  }
}

template <typename Error>
class SettingsTable {
 public:
  // `prefix` names the table in messages ("miner."); relative paths resolve against `file`'s folder.
  SettingsTable(std::string file, const toml::table& table, std::string prefix)
      : file_(std::move(file)), table_(table), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& expected) const {
    throw Error(file_ + ":" + std::to_string(node.source().begin.line) + ": key \"" + prefix_ + key +
                "\": expected " + expected + ", got " + shown_value(node));
  }
  [[noreturn]] void missing(const std::string& key, const std::string& what_to_give) const {
    throw Error(file_ + ": key \"" + prefix_ + key + "\" is missing (" + what_to_give + ")");
  }

  void allow_only(const std::vector<std::string>& keys) const {
    for (const auto& [key, value] : table_) {
      if (std::find(keys.begin(), keys.end(), std::string(key.str())) != keys.end()) continue;
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
      throw Error(file_ + ":" + std::to_string(value.source().begin.line) + ": unknown key \"" + prefix_ +
                  std::string(key.str()) + "\" (known: " + list + ")");
    }
  }

  const toml::node* get(const char* key) const { return table_.get(key); }

  std::optional<std::string> string(const char* key, bool allow_empty = false) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string() || (!allow_empty && n->as_string()->get().empty())) fail(*n, key, "a non-empty string");
    return n->as_string()->get();
  }
  // A file or folder path: relative ones start at the settings file's folder.
  std::optional<std::string> path(const char* key) const {
    auto p = string(key);
    if (!p) return std::nullopt;
    return resolve(*p);
  }
  std::string resolve(const std::string& path) const {
    std::filesystem::path p(path);
    if (!p.is_relative()) return path;
    return (std::filesystem::absolute(file_).parent_path() / p).lexically_normal().string();
  }
  std::optional<double> number(const char* key, double minimum, double maximum) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    double v = n->is_number() ? *n->value<double>() : NAN;
    if (!std::isfinite(v) || v < minimum || v > maximum) fail(*n, key, "a number from " + fmt(minimum) + " to " + fmt(maximum));
    return v;
  }
  std::optional<double> whole_number(const char* key, double minimum, double maximum) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    double v = n->is_number() ? *n->value<double>() : NAN;
    if (!std::isfinite(v) || v < minimum || v > maximum || std::floor(v) != v) {
      fail(*n, key, "a whole number from " + fmt(minimum) + " to " + fmt(maximum));
    }
    return v;
  }
  std::optional<bool> boolean(const char* key) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(*n, key, "true or false");
    return *n->value<bool>();
  }
  std::optional<std::vector<std::string>> strings(const char* key, const std::string& expected) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_array()) fail(*n, key, expected);
    std::vector<std::string> out;
    for (const toml::node& item : *n->as_array()) {
      if (!item.is_string()) fail(item, key, expected);
      out.push_back(*item.value<std::string>());
    }
    return out;
  }

 private:
  static std::string fmt(double x) {
    std::ostringstream out;
    out.precision(15);
    out << x;
    return out.str();
  }

  std::string file_;
  const toml::table& table_;
  std::string prefix_;
};

}  // namespace nineteen::config
