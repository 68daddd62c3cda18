// Parses the validator's TOML settings; errors name the file, line and key.
#include "nineteen/validator/validator_config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace nineteen::validator {
namespace {

[[noreturn]] void fail(const std::string& file, const toml::node& node, const std::string& key, const std::string& expected) {
  throw ValidatorConfigError(file + ":" + std::to_string(node.source().begin.line) + ": key \"validator." + key +
                             "\": expected " + expected);
}

std::string resolve(const std::string& dir, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_relative() ? (std::filesystem::path(dir) / p).lexically_normal().string() : path;
}

}  // namespace

ValidatorConfig parse_validator_config(const std::string& toml_text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": not valid TOML: "
        << e.description();
    throw ValidatorConfigError(out.str());
  }
  const toml::table* v = root["validator"].as_table();
  if (!v) throw ValidatorConfigError(file_name + ": no [validator] table");
  const std::string dir = std::filesystem::absolute(file_name).parent_path().string();
  static const std::vector<std::string> known = {
      "hotkey", "chain", "checker", "db", "tasks_file", "plugins", "period_s", "answer_timeout_s", "senders",
      "answers_kept_per_task", "check_batch", "checker_workers", "weights_every_s", "version_key",
      "history_periods", "synthetic_multiplier", "period_formula"};
  for (const auto& [key, value] : *v) {
    if (std::find(known.begin(), known.end(), std::string(key.str())) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw ValidatorConfigError(file_name + ":" + std::to_string(value.source().begin.line) + ": unknown key \"validator." +
                                 std::string(key.str()) + "\" (known: " + list + ")");
    }
  }
  auto str = [&](const char* key) -> std::optional<std::string> {
    const toml::node* n = v->get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(file_name, *n, key, "a string");
    return *n->value<std::string>();
  };
  auto num = [&](const char* key, double fallback, double lo, double hi) {
    const toml::node* n = v->get(key);
    if (!n) return fallback;
    if (!n->is_number() || *n->value<double>() < lo || *n->value<double>() > hi) {
      std::ostringstream range;
      range << "a number from " << lo << " to " << hi;
      fail(file_name, *n, key, range.str());
    }
    return *n->value<double>();
  };

  ValidatorConfig c;
  c.file = file_name;
  auto hotkey = str("hotkey");
  if (!hotkey) throw ValidatorConfigError(file_name + ": key \"validator.hotkey\" is missing (a key file from `nineteen keys new`)");
  c.hotkey_file = resolve(dir, *hotkey);
  auto chain = str("chain");
  if (!chain) throw ValidatorConfigError(file_name + ": key \"validator.chain\" is missing (the chain's URL, e.g. \"http://127.0.0.1:9944\")");
  c.chain_url = *chain;
  c.checker = str("checker").value_or("inline");
  if (c.checker != "inline" && c.checker.rfind("http://", 0) != 0) {
    fail(file_name, *v->get("checker"), "checker", "\"inline\" or an http:// URL of a `nineteen checker`");
  }
  c.db = resolve(dir, str("db").value_or("validator.db"));
  c.tasks_file = resolve(dir, str("tasks_file").value_or("tasks.toml"));
  if (auto p = str("plugins")) c.plugin_dirs.push_back(resolve(dir, *p));
  c.period_s = num("period_s", c.period_s, 1, 86400 * 7);
  c.answer_timeout_s = num("answer_timeout_s", c.answer_timeout_s, 0.1, 3600);
  c.senders = static_cast<size_t>(num("senders", static_cast<double>(c.senders), 1, 1024));
  c.answers_kept_per_task = static_cast<size_t>(num("answers_kept_per_task", 1000, 1, 1e7));
  c.check_batch = static_cast<size_t>(num("check_batch", 16, 1, 4096));
  c.checker_workers = static_cast<int>(num("checker_workers", 1, 1, 64));
  c.weights_every_s = num("weights_every_s", 0, 0, 86400 * 7);
  c.version_key = static_cast<uint64_t>(num("version_key", 0, 0, 1e15));
  c.history_periods = static_cast<size_t>(num("history_periods", 24, 1, 10000));
  c.mechanism.capacity_draw.synthetic_multiplier = num("synthetic_multiplier", 1.0, 0, 1000);
  c.mechanism.synthetic_schedule.period_seconds = c.period_s;
  if (auto formula = str("period_formula")) {
    if (*formula == "ours") {
      c.mechanism.period_score.formula = scoring::PeriodScoreFormula::ours;
    } else if (*formula == "reference") {
      c.mechanism.period_score.formula = scoring::PeriodScoreFormula::reference;
    } else {
      fail(file_name, *v->get("period_formula"), "period_formula", "\"ours\" or \"reference\"");
    }
  }
  return c;
}

ValidatorConfig load_validator_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ValidatorConfigError(path + ": cannot open the validator config");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_validator_config(text.str(), path);
}

}  // namespace nineteen::validator
