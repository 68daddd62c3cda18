// The validator store's schema, as numbered migrations. Never edit a released migration: add the next one.
#include "nineteen/store/sqlite_validator_store.hpp"

namespace nineteen::store {

const std::vector<Migration>& validator_store_migrations() {
  static const std::vector<Migration> migrations = {
      {1, "validator tables: nodes, periods, contenders, history, answers, weights",
       R"sql(
CREATE TABLE nodes (
  uid INTEGER PRIMARY KEY,
  hotkey TEXT NOT NULL UNIQUE,
  coldkey TEXT NOT NULL,
  stake REAL NOT NULL,
  role TEXT NOT NULL,
  ip TEXT NOT NULL,
  port INTEGER NOT NULL,
  last_update INTEGER NOT NULL
);
CREATE TABLE periods (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  starts_at_ms INTEGER NOT NULL,
  ends_at_ms INTEGER NOT NULL,
  closed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE contenders (
  period_id INTEGER NOT NULL REFERENCES periods(id),
  miner_hotkey TEXT NOT NULL,
  uid INTEGER NOT NULL,
  task TEXT NOT NULL,
  declared_capacity REAL NOT NULL,
  capacity REAL NOT NULL,
  capacity_to_score REAL NOT NULL,
  consumed REAL NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  n429 INTEGER NOT NULL DEFAULT 0,
  n500 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (period_id, miner_hotkey, task)
);
CREATE TABLE period_scores (
  miner_hotkey TEXT NOT NULL,
  uid INTEGER NOT NULL,
  task TEXT NOT NULL,
  period_id INTEGER NOT NULL REFERENCES periods(id),
  score REAL,
  consumed_volume REAL NOT NULL,
  tested_volume REAL NOT NULL,
  PRIMARY KEY (task, miner_hotkey, period_id)
);
CREATE TABLE kept_answers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  miner_hotkey TEXT NOT NULL,
  uid INTEGER NOT NULL,
  request TEXT NOT NULL,
  response TEXT NOT NULL,
  synthetic INTEGER NOT NULL,
  work REAL NOT NULL,
  response_time_s REAL NOT NULL,
  received_at_ms INTEGER NOT NULL
);
CREATE INDEX kept_answers_by_task ON kept_answers (task, id);
CREATE TABLE checked_answers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  miner_hotkey TEXT NOT NULL,
  uid INTEGER NOT NULL,
  quality REAL NOT NULL,
  reason TEXT NOT NULL,
  work REAL NOT NULL,
  response_time_s REAL NOT NULL,
  synthetic INTEGER NOT NULL,
  checked_at_ms INTEGER NOT NULL
);
CREATE INDEX checked_answers_by_task_time ON checked_answers (task, checked_at_ms);
CREATE TABLE weight_settings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL
);
CREATE TABLE weight_breakdowns (
  weight_setting_id INTEGER NOT NULL REFERENCES weight_settings(id),
  miner_hotkey TEXT NOT NULL,
  uid INTEGER NOT NULL,
  task TEXT NOT NULL,
  task_weight REAL NOT NULL,
  checked_answers INTEGER NOT NULL,
  quality REAL NOT NULL,
  speed REAL NOT NULL,
  speed_rank REAL NOT NULL,
  speed_bonus REAL NOT NULL,
  combined_quality REAL NOT NULL,
  scored_periods INTEGER NOT NULL,
  period_history REAL NOT NULL,
  capacity REAL NOT NULL,
  effective_volume REAL NOT NULL,
  task_score REAL NOT NULL,
  total_score REAL NOT NULL,
  final_weight REAL NOT NULL,
  PRIMARY KEY (weight_setting_id, miner_hotkey, task)
);
CREATE TABLE weight_submissions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  weight_setting_id INTEGER REFERENCES weight_settings(id),
  submitted_at_ms INTEGER NOT NULL,
  uids TEXT NOT NULL,
  u16_values TEXT NOT NULL,
  block INTEGER NOT NULL,
  version_key INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  result TEXT NOT NULL
);
)sql"},
      {2, "gateway API keys and their usage per task and day",
       R"sql(
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  requests_per_minute REAL NOT NULL,
  work_per_day REAL NOT NULL,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE TABLE api_key_usage (
  key_id INTEGER NOT NULL REFERENCES api_keys(id),
  task TEXT NOT NULL,
  day TEXT NOT NULL,
  requests INTEGER NOT NULL,
  work REAL NOT NULL,
  PRIMARY KEY (key_id, task, day)
);
)sql"},
      {3, "a per-minute work (token) limit on API keys",
       R"sql(
ALTER TABLE api_keys ADD COLUMN work_per_minute REAL NOT NULL DEFAULT 0;
)sql"},
      {4, "answers that were kept but not checked, with why (they count neither for nor against a miner)",
       R"sql(
CREATE TABLE unchecked_answers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  miner_hotkey TEXT NOT NULL,
  uid INTEGER NOT NULL,
  synthetic INTEGER NOT NULL,
  reason TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  recorded_at_ms INTEGER NOT NULL
);
CREATE INDEX unchecked_answers_by_time ON unchecked_answers (recorded_at_ms);
)sql"},
      {5, "the share of its declared volume a miner served, a factor of its effective volume",
       R"sql(
ALTER TABLE weight_breakdowns ADD COLUMN served_share REAL NOT NULL DEFAULT 1;
)sql"},
  };
  return migrations;
}

}  // namespace nineteen::store
