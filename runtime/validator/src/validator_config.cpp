// Parses the validator's TOML settings; errors name the file, line and key.
#include "nineteen/validator/validator_config.hpp"

#include "nineteen/chain/open_chain.hpp"
#include "nineteen/config/settings_table.hpp"
#include "nineteen/scoring/task_votes.hpp"

#include <cmath>

namespace nineteen::validator {

ValidatorConfig parse_validator_config(const std::string& toml_text, const std::string& file_name) {
  toml::table root = config::parse_settings<ValidatorConfigError>(toml_text, file_name);
  const toml::table* v = root["validator"].as_table();
  if (!v) throw ValidatorConfigError(file_name + ": no [validator] table");
  config::SettingsTable<ValidatorConfigError> r(file_name, *v, "validator.");
  r.allow_only(plugin_host::with_plugin_isolation_keys({"hotkey", "chain", "netuid", "checker", "db", "tasks_file", "plugins", "period_s", "answer_timeout_s", "senders",
                "answers_kept_per_task", "check_batch", "checker_workers", "weights_every_s", "version_key",
                "history_periods", "synthetic_multiplier", "period_formula", "credit_served_share", "speed_bonus", "organic_min_quality",
                "check_fraction", "miners_https", "miners_ca_file", "db_max_mb", "task_votes"}));

  ValidatorConfig c;
  c.file = file_name;
  auto hotkey = r.path("hotkey");
  if (!hotkey) r.missing("hotkey", "a key file from `nineteen keys new`");
  c.hotkey_file = *hotkey;
  auto chain = r.string("chain");
  if (!chain) r.missing("chain", chain::kChainUrlExpected);
  c.chain_url = *chain;
  auto kind = chain::chain_kind(c.chain_url);
  if (!kind) r.fail(*r.get("chain"), "chain", chain::kChainUrlExpected);
  if (auto netuid = r.whole_number("netuid", 0, 65535)) c.netuid = static_cast<std::uint16_t>(*netuid);
  if (kind == chain::ChainKind::subtensor && !c.netuid) {
    r.missing("netuid", "the subnet's netuid: required when \"validator.chain\" is a ws:// or wss:// Subtensor endpoint");
  }
  const char* checker_expected = "\"inline\", the http:// URL of a `nineteen checker`, or a list of such URLs";
  if (const toml::node* checker = r.get("checker"); checker && checker->is_array()) {
    c.checker_urls = *r.strings("checker", checker_expected);
    if (c.checker_urls.empty()) r.fail(*checker, "checker", checker_expected);
    c.checker = "remote";
  } else {
    c.checker = r.string("checker").value_or("inline");
    if (c.checker != "inline") c.checker_urls = {c.checker};
  }
  for (const std::string& url : c.checker_urls) {
    if (url.rfind("http://", 0) != 0) r.fail(*r.get("checker"), "checker", checker_expected);
  }
  c.check_fraction = r.number("check_fraction", 0, 1).value_or(c.check_fraction);
  c.miners_https = r.boolean("miners_https").value_or(false);
  c.miners_ca_file = r.path("miners_ca_file").value_or("");
  c.db = r.path("db").value_or(r.resolve("validator.db"));
  c.db_max_mb = r.number("db_max_mb", 0, 1e9).value_or(0);
  c.tasks_file = r.path("tasks_file").value_or(r.resolve("tasks.toml"));
  if (auto p = r.path("plugins")) c.plugin_dirs.push_back(*p);
  c.isolation = plugin_host::read_plugin_isolation(r);
  c.period_s = r.number("period_s", 1, 86400 * 7).value_or(c.period_s);
  c.answer_timeout_s = r.number("answer_timeout_s", 0.1, 3600).value_or(c.answer_timeout_s);
  c.senders = static_cast<size_t>(r.whole_number("senders", 1, 1024).value_or(static_cast<double>(c.senders)));
  c.answers_kept_per_task = static_cast<size_t>(r.whole_number("answers_kept_per_task", 1, 1e7).value_or(1000));
  c.check_batch = static_cast<size_t>(r.whole_number("check_batch", 1, 4096).value_or(16));
  c.checker_workers = static_cast<int>(r.whole_number("checker_workers", 1, 64).value_or(1));
  c.weights_every_s = r.number("weights_every_s", 0, 86400 * 7).value_or(0);
  c.version_key = static_cast<uint64_t>(r.whole_number("version_key", 0, 1e15).value_or(0));
  c.history_periods = static_cast<size_t>(r.whole_number("history_periods", 1, 10000).value_or(24));
  c.mechanism.capacity_draw.synthetic_multiplier = r.number("synthetic_multiplier", 0, 1000).value_or(1.0);
  c.mechanism.synthetic_schedule.period_seconds = c.period_s;
  c.mechanism.organic_routing.min_quality =
      r.number("organic_min_quality", -10, 1).value_or(c.mechanism.organic_routing.min_quality);
  if (auto formula = r.string("period_formula")) {
    if (*formula == "ours") {
      c.mechanism.period_score.formula = scoring::PeriodScoreFormula::ours;
    } else if (*formula == "reference") {
      c.mechanism.period_score.formula = scoring::PeriodScoreFormula::reference;
    } else {
      r.fail(*r.get("period_formula"), "period_formula", "\"ours\" or \"reference\"");
    }
  }
  c.mechanism.task_scores.credit_served_share =
      r.boolean("credit_served_share").value_or(c.mechanism.task_scores.credit_served_share);
  if (auto rule = r.string("speed_bonus")) {
    if (*rule == "measured") {
      c.mechanism.task_scores.speed.rule = scoring::SpeedBonusRule::measured;
    } else if (*rule == "rank") {
      c.mechanism.task_scores.speed.rule = scoring::SpeedBonusRule::rank;
    } else {
      r.fail(*r.get("speed_bonus"), "speed_bonus", "\"measured\" or \"rank\"");
    }
  }
  if (const toml::node* votes = r.get("task_votes")) {
    const char* expected = "a table of task = weight (numbers >= 0), e.g. { \"chat-tiny-llama\" = 0.6 }";
    const toml::table* t = votes->as_table();
    if (!t) r.fail(*votes, "task_votes", expected);
    for (const auto& [task, value] : *t) {
      std::optional<double> v = value.value<double>();
      if (!value.is_number() || !v || !std::isfinite(*v) || *v < 0) r.fail(value, "task_votes." + std::string(task.str()), expected);
      c.task_votes[std::string(task.str())] = *v;
    }
    if (!scoring::encode_task_votes(c.task_votes).empty() &&
        scoring::encode_task_votes(c.task_votes).size() > 3 * 128) {
      r.fail(*votes, "task_votes", "fewer tasks: the vote must fit one chain commitment (384 bytes)");
    }
  }
  return c;
}

ValidatorConfig load_validator_config(const std::string& path) {
  return parse_validator_config(config::read_settings_file<ValidatorConfigError>(path, "validator config"), path);
}

}  // namespace nineteen::validator
