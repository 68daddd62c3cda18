// Parses the checker's TOML settings; every error names the file, line, key and what was expected.
#include "nineteen/checker/checker_config.hpp"

#include "nineteen/config/settings_table.hpp"

namespace nineteen::checker {

CheckerConfig parse_checker_config(const std::string& toml_text, const std::string& file_name) {
  toml::table root = config::parse_settings<CheckerConfigError>(toml_text, file_name);
  const toml::table* checker = root["checker"].as_table();
  if (!checker) {
    throw CheckerConfigError(file_name + ": no [checker] table (see runtime/checker/README.md for a checker.toml example)");
  }
  config::SettingsTable<CheckerConfigError> t(file_name, *checker, "checker.");
  t.allow_only(plugin_host::with_plugin_isolation_keys({"address", "port", "tasks_file", "plugins", "tasks", "workers", "max_queued_items", "max_batch",
                "max_attempts", "result_ttl_s", "retry_delay_ms", "handler_threads", "max_body_bytes"}));

  CheckerConfig c;
  c.file = file_name;
  c.address = t.string("address").value_or(c.address);
  c.port = static_cast<uint16_t>(t.whole_number("port", 0, 65535).value_or(0));
  c.tasks_file = t.path("tasks_file").value_or(t.resolve("tasks.toml"));
  if (auto p = t.path("plugins")) c.plugin_dirs.push_back(*p);
  c.isolation = plugin_host::read_plugin_isolation(t);
  c.only_tasks = t.strings("tasks", "an array of task names, e.g. [\"reverse-words\"]").value_or(std::vector<std::string>{});
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
  return parse_checker_config(config::read_settings_file<CheckerConfigError>(path, "checker config"), path);
}

}  // namespace nineteen::checker
