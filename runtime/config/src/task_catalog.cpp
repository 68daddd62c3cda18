// Parses tasks.toml with toml++; one bad task entry is reported and skipped, never fatal to the rest.
#include "nineteen/config/task_catalog.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace nineteen::config {
namespace {

std::string where(const std::string& file, const toml::node& node) {
  return file + ":" + std::to_string(node.source().begin.line);
}

std::string shown(const toml::node& node) {
  std::ostringstream out;
  if (node.is_string()) {
    out << '"' << *node.value<std::string>() << '"';
  } else if (node.is_table()) {
    out << "a table";
  } else if (node.is_array()) {
    out << "an array";
  } else {
    node.visit([&](auto&& v) { out << v; });
  }
  std::string s = out.str();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

struct EntryReader {
  const std::string& file;
  const std::string& task;
  const toml::table& table;
  std::string error;

  void fail(const toml::node& node, const std::string& key, const std::string& expected) {
    if (!error.empty()) return;  // the first problem is the one to fix first
    error = where(file, node) + ": task \"" + task + "\" key \"" + key + "\": expected " + expected +
            ", got " + shown(node);
  }
  std::optional<std::string> string(const char* key) {
    const toml::node* node = table.get(key);
    if (!node) return std::nullopt;
    if (auto v = node->value<std::string>(); v && node->is_string()) return *v;
    fail(*node, key, "a string");
    return std::nullopt;
  }
  std::optional<bool> boolean(const char* key) {
    const toml::node* node = table.get(key);
    if (!node) return std::nullopt;
    if (node->is_boolean()) return *node->value<bool>();
    fail(*node, key, "true or false");
    return std::nullopt;
  }
  double number(const char* key, double fallback, double minimum, bool strictly_above = false) {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    std::string expected = std::string("a number ") + (strictly_above ? "> " : ">= ") +
                           (minimum == 0 ? "0" : std::to_string(minimum));
    if (!node->is_number()) {
      fail(*node, key, expected);
      return fallback;
    }
    double v = *node->value<double>();
    if (!std::isfinite(v) || v < minimum || (strictly_above && v <= minimum)) {
      fail(*node, key, expected);
      return fallback;
    }
    return v;
  }
};

TaskEntry read_entry(const std::string& file, const std::string& name, const toml::node& node) {
  TaskEntry entry;
  entry.name = name;
  entry.source = where(file, node);
  const toml::table* table = node.as_table();
  if (!table) {
    entry.error = entry.source + ": task \"" + name + "\": expected a table ([tasks." + name + "]), got " + shown(node);
    return entry;
  }
  EntryReader r{file, name, *table, {}};
  if (auto plugin = r.string("plugin")) {
    entry.plugin = *plugin;
  } else if (r.error.empty()) {
    r.error = entry.source + ": task \"" + name + "\": missing key \"plugin\" (a plugin name such as \"llm\", or a path to a .so)";
  }
  entry.type = r.string("type").value_or("");
  entry.kind = r.string("kind");
  if (entry.kind && *entry.kind != "text" && *entry.kind != "image" && *entry.kind != "embedding" &&
      *entry.kind != "workflow") {
    r.fail(*table->get("kind"), "kind", "one of \"text\", \"image\", \"embedding\", \"workflow\"");
  }
  entry.endpoint = r.string("endpoint");
  if (entry.endpoint && (entry.endpoint->empty() || entry.endpoint->front() != '/')) {
    r.fail(*table->get("endpoint"), "endpoint", "a path starting with \"/\"");
  }
  entry.stream = r.boolean("stream");
  entry.weight = r.number("weight", 1.0, 0);
  entry.weight_min = r.number("weight_min", 0.0, 0);
  entry.weight_max = r.number("weight_max", 1.0, 0);
  if (r.error.empty() && (entry.weight_max > 1 || entry.weight_min > entry.weight_max)) {
    r.error = entry.source + ": task \"" + name + "\": weight_min " + std::to_string(entry.weight_min) +
              " and weight_max " + std::to_string(entry.weight_max) +
              " must be shares with 0 <= weight_min <= weight_max <= 1 (bounds of the task's normalised weight)";
  }
  entry.max_capacity = r.number("max_capacity", 0, 0);
  entry.volume_per_request = r.number("volume_per_request", 1, 0, true);
  entry.timeout_s = r.number("timeout_s", 2, 0, true);
  entry.enabled = r.boolean("enabled").value_or(true);
  if (table->get("price_per_million_input_tokens")) {
    entry.price_per_million_input_tokens = r.number("price_per_million_input_tokens", 0, 0);
  }
  if (table->get("price_per_million_output_tokens")) {
    entry.price_per_million_output_tokens = r.number("price_per_million_output_tokens", 0, 0);
  }
  if (r.error.empty() && entry.price_per_million_input_tokens.has_value() != entry.price_per_million_output_tokens.has_value()) {
    const char* missing = entry.price_per_million_input_tokens ? "price_per_million_output_tokens" : "price_per_million_input_tokens";
    r.error = entry.source + ": task \"" + name + "\": missing key \"" + missing +
              "\" (a price needs both price_per_million_input_tokens and price_per_million_output_tokens)";
  }

  toml::table own;
  for (const auto& [key, value] : *table) {
    const auto& keys = catalogue_keys();
    if (std::find(keys.begin(), keys.end(), std::string(key.str())) == keys.end()) own.insert(key, value);
  }
  std::ostringstream json;
  json << toml::json_formatter{own};
  entry.plugin_config_json = json.str();
  entry.error = r.error;
  return entry;
}

}  // namespace

const std::vector<std::string>& catalogue_keys() {
  static const std::vector<std::string> keys = {"plugin", "kind",         "endpoint",           "stream",
                                                "weight", "weight_min", "weight_max", "max_capacity",
                                                "volume_per_request", "timeout_s",
                                                "enabled", "price_per_million_input_tokens",
                                                "price_per_million_output_tokens"};
  return keys;
}

const TaskEntry* TaskCatalog::find(const std::string& name) const {
  for (const TaskEntry& t : tasks) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

void TaskCatalog::normalise_weights() {
  double sum = 0;
  for (const TaskEntry& t : tasks) {
    if (t.enabled && t.error.empty()) sum += t.weight;
  }
  for (TaskEntry& t : tasks) {
    t.normalised_weight = (t.enabled && t.error.empty() && sum > 0) ? t.weight / sum : 0.0;
  }
}

TaskCatalog parse_task_catalog(const std::string& toml_text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": not valid TOML: "
        << e.description();
    throw CatalogError(out.str());
  }
  TaskCatalog catalog;
  catalog.file = file_name;
  const toml::node* tasks = root.get("tasks");
  if (!tasks) {
    throw CatalogError(file_name + ": no [tasks.<name>] tables; add one per task, e.g. [tasks.chat-tiny-llama] with plugin = \"llm\"");
  }
  if (!tasks->is_table()) {
    throw CatalogError(where(file_name, *tasks) + ": \"tasks\" must be a table of tables ([tasks.<name>])");
  }
  for (const auto& [key, value] : *tasks->as_table()) {
    catalog.tasks.push_back(read_entry(file_name, std::string(key.str()), value));
  }
  for (const auto& [key, value] : root) {
    if (key.str() != "tasks") {
      throw CatalogError(where(file_name, value) + ": unknown top-level key \"" + std::string(key.str()) +
                         "\"; tasks.toml holds only [tasks.<name>] tables");
    }
  }
  catalog.normalise_weights();
  return catalog;
}

TaskCatalog load_task_catalog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CatalogError(path + ": cannot open the task catalogue (pass another with --tasks FILE)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_task_catalog(text.str(), path);
}

}  // namespace nineteen::config
