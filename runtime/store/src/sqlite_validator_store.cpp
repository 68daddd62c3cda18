// SqliteValidatorStore: the ValidatorStore methods as SQL, each write one transaction, input checked first.
#include "nineteen/store/sqlite_validator_store.hpp"

#include <cmath>
#include <stdexcept>

namespace nineteen::store {
namespace {

void require_finite(double value, const std::string& field) {
  if (!std::isfinite(value)) {
    throw std::invalid_argument(field + ": expected a finite number, got " + std::to_string(value));
  }
}

void require_non_negative(double value, const std::string& field) {
  require_finite(value, field);
  if (value < 0) throw std::invalid_argument(field + ": expected a number >= 0, got " + std::to_string(value));
}

void require_text(const std::string& value, const std::string& field) {
  if (value.empty()) throw std::invalid_argument(field + ": must not be empty");
}

std::string join_u16(const std::vector<std::uint16_t>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out;
}

// The inverse of join_u16; a damaged cell becomes a StoreError naming the row.
std::vector<std::uint16_t> split_u16(const std::string& text, const std::string& where) {
  std::vector<std::uint16_t> out;
  if (text.empty()) return out;
  unsigned long value = 0;
  bool have_digit = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      if (!have_digit || value > 65535) throw StoreError(where + ": malformed u16 list \"" + text + "\"");
      out.push_back(static_cast<std::uint16_t>(value));
      value = 0;
      have_digit = false;
    } else if (text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<unsigned long>(text[i] - '0');
      if (value > 65535) throw StoreError(where + ": malformed u16 list \"" + text + "\"");
      have_digit = true;
    } else {
      throw StoreError(where + ": malformed u16 list \"" + text + "\"");
    }
  }
  return out;
}

PeriodRecord read_period(const SqliteStatement& row) {
  PeriodRecord p;
  p.id = row.column_int(0);
  p.starts_at = from_unix_ms(row.column_int(1));
  p.ends_at = from_unix_ms(row.column_int(2));
  p.closed = row.column_int(3) != 0;
  return p;
}

constexpr const char* kKeptAnswerColumns =
    "id, task, miner_hotkey, uid, request, response, synthetic, work, response_time_s, received_at_ms";

KeptAnswer read_kept_answer(const SqliteStatement& row) {
  KeptAnswer a;
  a.id = row.column_int(0);
  a.task = row.column_text(1);
  a.miner_hotkey = row.column_text(2);
  a.uid = static_cast<std::uint16_t>(row.column_int(3));
  a.request = row.column_text(4);
  a.response = row.column_text(5);
  a.synthetic = row.column_int(6) != 0;
  a.work = row.column_double(7);
  a.response_time_s = row.column_double(8);
  a.received_at = from_unix_ms(row.column_int(9));
  return a;
}

constexpr const char* kApiKeyColumns =
    "id, key_hash, name, requests_per_minute, work_per_day, created_at_ms, revoked_at_ms, work_per_minute";

ApiKeyRecord read_api_key(const SqliteStatement& row) {
  ApiKeyRecord k;
  k.id = row.column_int(0);
  k.key_hash = row.column_text(1);
  k.name = row.column_text(2);
  k.requests_per_minute = row.column_double(3);
  k.work_per_day = row.column_double(4);
  k.created_at = from_unix_ms(row.column_int(5));
  if (!row.is_null(6)) k.revoked_at = from_unix_ms(row.column_int(6));
  k.work_per_minute = row.column_double(7);
  return k;
}

std::int64_t as_int64(std::uint64_t value, const std::string& field) {
  if (value > static_cast<std::uint64_t>(INT64_MAX)) throw std::invalid_argument(field + ": too large to store");
  return static_cast<std::int64_t>(value);
}

}  // namespace

SqliteValidatorStore::SqliteValidatorStore(const std::string& path, const SqliteOptions& options)
    : db_(path, options) {
  migrate(db_, validator_store_migrations(), "validator store");
}

int SqliteValidatorStore::schema_version() {
  std::lock_guard<std::mutex> lock(mutex_);
  return store::schema_version(db_);
}

// ---------------------------------------------------------------- nodes

void SqliteValidatorStore::replace_nodes(const std::vector<NodeRecord>& nodes) {
  for (const auto& n : nodes) {
    std::string where = "node uid " + std::to_string(n.uid);
    require_text(n.hotkey, where + " hotkey");
    require_non_negative(n.stake, where + " stake");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  db_.exec("DELETE FROM nodes");
  auto insert = db_.prepare(
      "INSERT INTO nodes (uid, hotkey, coldkey, stake, role, ip, port, last_update) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  for (const auto& n : nodes) {
    insert.bind(1, static_cast<int>(n.uid)).bind(2, n.hotkey).bind(3, n.coldkey).bind(4, n.stake).bind(5, n.role);
    insert.bind(6, n.ip).bind(7, static_cast<int>(n.port)).bind(8, as_int64(n.last_update, "node last_update"));
    insert.run();
    insert.reset();
  }
  transaction.commit();
}

std::vector<NodeRecord> SqliteValidatorStore::nodes() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query =
      db_.prepare("SELECT uid, hotkey, coldkey, stake, role, ip, port, last_update FROM nodes ORDER BY uid");
  std::vector<NodeRecord> out;
  while (query.step()) {
    NodeRecord n;
    n.uid = static_cast<std::uint16_t>(query.column_int(0));
    n.hotkey = query.column_text(1);
    n.coldkey = query.column_text(2);
    n.stake = query.column_double(3);
    n.role = query.column_text(4);
    n.ip = query.column_text(5);
    n.port = static_cast<std::uint16_t>(query.column_int(6));
    n.last_update = static_cast<std::uint64_t>(query.column_int(7));
    out.push_back(std::move(n));
  }
  return out;
}

// ---------------------------------------------------------------- periods and contenders

std::int64_t SqliteValidatorStore::start_period(TimePoint starts_at, TimePoint ends_at) {
  if (ends_at <= starts_at) throw std::invalid_argument("period: ends_at must be after starts_at");
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto insert = db_.prepare("INSERT INTO periods (starts_at_ms, ends_at_ms) VALUES (?1, ?2)");
  insert.bind(1, to_unix_ms(starts_at)).bind(2, to_unix_ms(ends_at)).run();
  std::int64_t id = db_.last_insert_rowid();
  transaction.commit();
  return id;
}

std::optional<PeriodRecord> SqliteValidatorStore::open_period() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(
      "SELECT id, starts_at_ms, ends_at_ms, closed FROM periods WHERE closed = 0 ORDER BY id DESC LIMIT 1");
  if (!query.step()) return std::nullopt;
  return read_period(query);
}

std::optional<PeriodRecord> SqliteValidatorStore::period(std::int64_t period_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare("SELECT id, starts_at_ms, ends_at_ms, closed FROM periods WHERE id = ?1");
  query.bind(1, period_id);
  if (!query.step()) return std::nullopt;
  return read_period(query);
}

void SqliteValidatorStore::put_contenders(const std::vector<PeriodContender>& contenders) {
  for (const auto& c : contenders) {
    std::string where = "contender (" + c.miner_hotkey + ", " + c.task + ")";
    require_text(c.miner_hotkey, where + " miner_hotkey");
    require_text(c.task, where + " task");
    require_non_negative(c.declared_capacity, where + " declared_capacity");
    require_non_negative(c.capacity, where + " capacity");
    require_non_negative(c.capacity_to_score, where + " capacity_to_score");
    require_non_negative(c.counts.consumed, where + " consumed");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto insert = db_.prepare(
      "INSERT OR REPLACE INTO contenders (period_id, miner_hotkey, uid, task, declared_capacity, capacity, "
      "capacity_to_score, consumed, total, n429, n500) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  for (const auto& c : contenders) {
    insert.bind(1, c.period_id).bind(2, c.miner_hotkey).bind(3, static_cast<int>(c.uid)).bind(4, c.task);
    insert.bind(5, c.declared_capacity).bind(6, c.capacity).bind(7, c.capacity_to_score).bind(8, c.counts.consumed);
    insert.bind(9, as_int64(c.counts.total, "total")).bind(10, as_int64(c.counts.rate_limited, "n429"));
    insert.bind(11, as_int64(c.counts.failed, "n500"));
    insert.run();  // a missing period fails here on the foreign key, and the whole batch rolls back
    insert.reset();
  }
  transaction.commit();
}

std::vector<PeriodContender> SqliteValidatorStore::contenders(std::int64_t period_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(
      "SELECT period_id, miner_hotkey, uid, task, declared_capacity, capacity, capacity_to_score, consumed, total, "
      "n429, n500 FROM contenders WHERE period_id = ?1 ORDER BY task, uid, miner_hotkey");
  query.bind(1, period_id);
  std::vector<PeriodContender> out;
  while (query.step()) {
    PeriodContender c;
    c.period_id = query.column_int(0);
    c.miner_hotkey = query.column_text(1);
    c.uid = static_cast<std::uint16_t>(query.column_int(2));
    c.task = query.column_text(3);
    c.declared_capacity = query.column_double(4);
    c.capacity = query.column_double(5);
    c.capacity_to_score = query.column_double(6);
    c.counts.consumed = query.column_double(7);
    c.counts.total = static_cast<std::uint64_t>(query.column_int(8));
    c.counts.rate_limited = static_cast<std::uint64_t>(query.column_int(9));
    c.counts.failed = static_cast<std::uint64_t>(query.column_int(10));
    out.push_back(std::move(c));
  }
  return out;
}

bool SqliteValidatorStore::record_outcome(std::int64_t period_id, const std::string& miner_hotkey,
                                          const std::string& task, scoring::Outcome outcome, double work) {
  // The same rule as OutcomeCounts::record: work counts only for a success, and only when sensible.
  double consumed = (outcome == scoring::Outcome::success && std::isfinite(work) && work > 0) ? work : 0.0;
  int n429 = outcome == scoring::Outcome::rate_limited ? 1 : 0;
  int n500 = outcome == scoring::Outcome::failed ? 1 : 0;
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto update = db_.prepare(
      "UPDATE contenders SET consumed = consumed + ?1, total = total + 1, n429 = n429 + ?2, n500 = n500 + ?3 "
      "WHERE period_id = ?4 AND miner_hotkey = ?5 AND task = ?6");
  update.bind(1, consumed).bind(2, n429).bind(3, n500).bind(4, period_id).bind(5, miner_hotkey).bind(6, task);
  update.run();
  bool found = db_.changes() > 0;
  transaction.commit();
  return found;
}

void SqliteValidatorStore::close_period(std::int64_t period_id, const std::vector<PeriodScoreRecord>& scores) {
  for (const auto& s : scores) {
    std::string where = "period score (" + s.miner_hotkey + ", " + s.task + ")";
    require_text(s.miner_hotkey, where + " miner_hotkey");
    require_text(s.task, where + " task");
    if (s.score) require_finite(*s.score, where + " score");
    require_non_negative(s.consumed_volume, where + " consumed_volume");
    require_non_negative(s.tested_volume, where + " tested_volume");
    if (s.period_id != period_id) {
      throw std::invalid_argument(where + ": belongs to period " + std::to_string(s.period_id) +
                                  ", not the period being closed (" + std::to_string(period_id) + ")");
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto close = db_.prepare("UPDATE periods SET closed = 1 WHERE id = ?1 AND closed = 0");
  close.bind(1, period_id).run();
  if (db_.changes() == 0) {
    throw StoreError("store " + db_.path() + ": period " + std::to_string(period_id) +
                     " does not exist or is closed already; its scores were not stored again");
  }
  auto insert = db_.prepare(
      "INSERT INTO period_scores (miner_hotkey, uid, task, period_id, score, consumed_volume, tested_volume) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& s : scores) {
    insert.bind(1, s.miner_hotkey).bind(2, static_cast<int>(s.uid)).bind(3, s.task).bind(4, period_id);
    insert.bind(5, s.score).bind(6, s.consumed_volume).bind(7, s.tested_volume);
    insert.run();
    insert.reset();
  }
  transaction.commit();
}

// ---------------------------------------------------------------- history

std::vector<PeriodScoreRecord> SqliteValidatorStore::period_scores(const std::string& task,
                                                                   const std::string& miner_hotkey,
                                                                   std::size_t max_periods) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(
      "SELECT miner_hotkey, uid, task, period_id, score, consumed_volume, tested_volume FROM period_scores "
      "WHERE task = ?1 AND miner_hotkey = ?2 ORDER BY period_id DESC LIMIT ?3");
  query.bind(1, task).bind(2, miner_hotkey).bind(3, as_int64(max_periods, "max_periods"));
  std::vector<PeriodScoreRecord> out;
  while (query.step()) {
    PeriodScoreRecord s;
    s.miner_hotkey = query.column_text(0);
    s.uid = static_cast<std::uint16_t>(query.column_int(1));
    s.task = query.column_text(2);
    s.period_id = query.column_int(3);
    s.score = query.column_optional_double(4);
    s.consumed_volume = query.column_double(5);
    s.tested_volume = query.column_double(6);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<scoring::ScoredPeriod> SqliteValidatorStore::scored_periods(const std::string& task,
                                                                        const std::string& miner_hotkey,
                                                                        std::size_t max_periods) {
  std::lock_guard<std::mutex> lock(mutex_);
  // A period weighs by the volume the validator tested (MECHANISM.md §7 says consumed volume, but then
  // a period in which every request failed consumed nothing and weighed nothing: downtime was free).
  // Consumed volume is the fallback for rows without a tested volume.
  // The period's counts (its contenders row, when there is one) give the share it left unserved.
  auto query = db_.prepare(
      "SELECT p.score, CASE WHEN p.tested_volume > 0 THEN p.tested_volume ELSE p.consumed_volume END, "
      "c.capacity, c.consumed, c.total, c.n429, c.n500 "
      "FROM period_scores p LEFT JOIN contenders c "
      "ON c.period_id = p.period_id AND c.miner_hotkey = p.miner_hotkey AND c.task = p.task "
      "WHERE p.task = ?1 AND p.miner_hotkey = ?2 AND p.score IS NOT NULL "
      "ORDER BY p.period_id DESC LIMIT ?3");
  query.bind(1, task).bind(2, miner_hotkey).bind(3, as_int64(max_periods, "max_periods"));
  std::vector<scoring::ScoredPeriod> out;
  while (query.step()) {
    scoring::ScoredPeriod period{query.column_double(0), query.column_double(1)};
    if (query.column_optional_double(2)) {
      scoring::OutcomeCounts counts;
      counts.consumed = query.column_double(3);
      counts.total = static_cast<std::uint64_t>(std::max<std::int64_t>(query.column_int(4), 0));
      counts.rate_limited = static_cast<std::uint64_t>(std::max<std::int64_t>(query.column_int(5), 0));
      counts.failed = static_cast<std::uint64_t>(std::max<std::int64_t>(query.column_int(6), 0));
      period.unserved = scoring::unserved_share(counts, query.column_double(2));
    }
    out.push_back(period);
  }
  return out;
}

// ---------------------------------------------------------------- answers kept for checking

KeepResult SqliteValidatorStore::keep_answer(const KeptAnswer& a, std::size_t quota_per_task) {
  if (quota_per_task == 0) throw std::invalid_argument("keep_answer: quota_per_task must be at least 1");
  require_text(a.task, "kept answer task");
  require_text(a.miner_hotkey, "kept answer miner_hotkey");
  require_non_negative(a.work, "kept answer work");
  require_non_negative(a.response_time_s, "kept answer response_time_s");
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto insert = db_.prepare(
      "INSERT INTO kept_answers (task, miner_hotkey, uid, request, response, synthetic, work, response_time_s, "
      "received_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  insert.bind(1, a.task).bind(2, a.miner_hotkey).bind(3, static_cast<int>(a.uid)).bind(4, a.request);
  insert.bind(5, a.response).bind(6, a.synthetic ? 1 : 0).bind(7, a.work).bind(8, a.response_time_s);
  insert.bind(9, to_unix_ms(a.received_at)).run();
  KeepResult result;
  result.id = db_.last_insert_rowid();
  // Over the quota: the oldest synthetic answers leave first (organic ones are worth more to check),
  // and each is recorded as unchecked.
  auto over = db_.prepare(
      "SELECT id FROM kept_answers WHERE task = ?1 ORDER BY synthetic DESC, id ASC "
      "LIMIT max(0, (SELECT count(*) FROM kept_answers WHERE task = ?1) - ?2)");
  over.bind(1, a.task).bind(2, as_int64(quota_per_task, "quota_per_task"));
  std::vector<std::int64_t> overflow;
  while (over.step()) overflow.push_back(over.column_int(0));
  const std::string reason = "over the task's quota of " + std::to_string(quota_per_task) +
                             " kept answers: the checkers did not keep up";
  for (std::int64_t id : overflow) move_to_unchecked(id, reason, a.received_at);
  result.dropped = overflow.size();
  transaction.commit();
  return result;
}

std::vector<KeptAnswer> SqliteValidatorStore::answers_to_check(const std::string& task, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string sql = std::string("SELECT ") + kKeptAnswerColumns + " FROM kept_answers " +
                    (task.empty() ? "WHERE ?1 = ?1 " : "WHERE task = ?1 ") + "ORDER BY id LIMIT ?2";
  auto query = db_.prepare(sql);
  query.bind(1, task).bind(2, as_int64(limit, "limit"));
  std::vector<KeptAnswer> out;
  while (query.step()) out.push_back(read_kept_answer(query));
  return out;
}

std::size_t SqliteValidatorStore::kept_answer_count(const std::string& task) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(task.empty() ? "SELECT count(*) FROM kept_answers WHERE ?1 = ?1"
                                        : "SELECT count(*) FROM kept_answers WHERE task = ?1");
  query.bind(1, task);
  query.step();
  return static_cast<std::size_t>(query.column_int(0));
}

bool SqliteValidatorStore::record_check(std::int64_t kept_answer_id, double quality, const std::string& reason,
                                        TimePoint checked_at) {
  require_finite(quality, "checked answer " + std::to_string(kept_answer_id) + " quality");
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto move = db_.prepare(
      "INSERT INTO checked_answers (task, miner_hotkey, uid, quality, reason, work, response_time_s, synthetic, "
      "checked_at_ms) SELECT task, miner_hotkey, uid, ?1, ?2, work, response_time_s, synthetic, ?3 "
      "FROM kept_answers WHERE id = ?4");
  move.bind(1, quality).bind(2, reason).bind(3, to_unix_ms(checked_at)).bind(4, kept_answer_id).run();
  if (db_.changes() == 0) return false;  // the transaction rolls back (nothing was written anyway)
  auto remove = db_.prepare("DELETE FROM kept_answers WHERE id = ?1");
  remove.bind(1, kept_answer_id).run();
  transaction.commit();
  return true;
}

// Under mutex_, in a transaction.
bool SqliteValidatorStore::move_to_unchecked(std::int64_t kept_answer_id, const std::string& reason, TimePoint at) {
  auto move = db_.prepare(
      "INSERT INTO unchecked_answers (task, miner_hotkey, uid, synthetic, reason, received_at_ms, recorded_at_ms) "
      "SELECT task, miner_hotkey, uid, synthetic, ?1, received_at_ms, ?2 FROM kept_answers WHERE id = ?3");
  move.bind(1, reason).bind(2, to_unix_ms(at)).bind(3, kept_answer_id).run();
  if (db_.changes() == 0) return false;
  auto remove = db_.prepare("DELETE FROM kept_answers WHERE id = ?1");
  remove.bind(1, kept_answer_id).run();
  return true;
}

void SqliteValidatorStore::add_unchecked_answer(const KeptAnswer& a, const std::string& reason, TimePoint at) {
  require_text(a.task, "unchecked answer task");
  require_text(a.miner_hotkey, "unchecked answer miner_hotkey");
  std::lock_guard<std::mutex> lock(mutex_);
  auto insert = db_.prepare(
      "INSERT INTO unchecked_answers (task, miner_hotkey, uid, synthetic, reason, received_at_ms, recorded_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, a.task).bind(2, a.miner_hotkey).bind(3, static_cast<int>(a.uid)).bind(4, a.synthetic ? 1 : 0);
  insert.bind(5, reason).bind(6, to_unix_ms(a.received_at)).bind(7, to_unix_ms(at)).run();
}

bool SqliteValidatorStore::record_unchecked(std::int64_t kept_answer_id, const std::string& reason, TimePoint at) {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  if (!move_to_unchecked(kept_answer_id, reason, at)) return false;
  transaction.commit();
  return true;
}

std::vector<KeptAnswer> SqliteValidatorStore::next_answers_to_check(const std::string& task, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  // turn = the answer's place in its miner's random order: turn 0 of every miner, then turn 1, ...
  std::string sql = std::string("SELECT ") + kKeptAnswerColumns +
                    " FROM (SELECT *, row_number() OVER (PARTITION BY task, miner_hotkey, synthetic ORDER BY random()) "
                    "AS turn FROM kept_answers " +
                    (task.empty() ? "WHERE ?1 = ?1" : "WHERE task = ?1") +
                    ") ORDER BY synthetic ASC, turn ASC, random() LIMIT ?2";
  auto query = db_.prepare(sql);
  query.bind(1, task).bind(2, as_int64(limit, "limit"));
  std::vector<KeptAnswer> out;
  while (query.step()) out.push_back(read_kept_answer(query));
  return out;
}

std::vector<AnswerTally> SqliteValidatorStore::answer_tallies(TimePoint since) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(
      "SELECT task, miner_hotkey, sum(checked), sum(unchecked), sum(pending), sum(organic_checked) FROM ("
      " SELECT task, miner_hotkey, 1 AS checked, 0 AS unchecked, 0 AS pending, 1 - synthetic AS organic_checked"
      "  FROM checked_answers WHERE checked_at_ms >= ?1"
      " UNION ALL SELECT task, miner_hotkey, 0, 1, 0, 0 FROM unchecked_answers WHERE recorded_at_ms >= ?1"
      " UNION ALL SELECT task, miner_hotkey, 0, 0, 1, 0 FROM kept_answers"
      ") GROUP BY task, miner_hotkey ORDER BY task, miner_hotkey");
  query.bind(1, to_unix_ms(since));
  std::vector<AnswerTally> out;
  while (query.step()) {
    AnswerTally t;
    t.task = query.column_text(0);
    t.miner_hotkey = query.column_text(1);
    t.checked = static_cast<std::uint64_t>(query.column_int(2));
    t.unchecked = static_cast<std::uint64_t>(query.column_int(3));
    t.pending = static_cast<std::uint64_t>(query.column_int(4));
    t.organic_checked = static_cast<std::uint64_t>(query.column_int(5));
    out.push_back(std::move(t));
  }
  return out;
}

bool SqliteValidatorStore::drop_kept_answer(std::int64_t kept_answer_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto remove = db_.prepare("DELETE FROM kept_answers WHERE id = ?1");
  remove.bind(1, kept_answer_id).run();
  bool found = db_.changes() > 0;
  transaction.commit();
  return found;
}

// ---------------------------------------------------------------- checked answers

std::int64_t SqliteValidatorStore::add_checked_answer(const CheckedAnswerRecord& a) {
  require_text(a.task, "checked answer task");
  require_text(a.miner_hotkey, "checked answer miner_hotkey");
  require_finite(a.quality, "checked answer quality");
  require_non_negative(a.work, "checked answer work");
  require_non_negative(a.response_time_s, "checked answer response_time_s");
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto insert = db_.prepare(
      "INSERT INTO checked_answers (task, miner_hotkey, uid, quality, reason, work, response_time_s, synthetic, "
      "checked_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  insert.bind(1, a.task).bind(2, a.miner_hotkey).bind(3, static_cast<int>(a.uid)).bind(4, a.quality);
  insert.bind(5, a.reason).bind(6, a.work).bind(7, a.response_time_s).bind(8, a.synthetic ? 1 : 0);
  insert.bind(9, to_unix_ms(a.checked_at)).run();
  std::int64_t id = db_.last_insert_rowid();
  transaction.commit();
  return id;
}

std::vector<CheckedAnswerRecord> SqliteValidatorStore::checked_answers(const std::string& task, TimePoint since,
                                                                       TimePoint until) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(
      "SELECT id, task, miner_hotkey, uid, quality, reason, work, response_time_s, synthetic, checked_at_ms "
      "FROM checked_answers WHERE task = ?1 AND checked_at_ms >= ?2 AND checked_at_ms <= ?3 "
      "ORDER BY checked_at_ms, id");
  query.bind(1, task).bind(2, to_unix_ms(since)).bind(3, to_unix_ms(until));
  std::vector<CheckedAnswerRecord> out;
  while (query.step()) {
    CheckedAnswerRecord a;
    a.id = query.column_int(0);
    a.task = query.column_text(1);
    a.miner_hotkey = query.column_text(2);
    a.uid = static_cast<std::uint16_t>(query.column_int(3));
    a.quality = query.column_double(4);
    a.reason = query.column_text(5);
    a.work = query.column_double(6);
    a.response_time_s = query.column_double(7);
    a.synthetic = query.column_int(8) != 0;
    a.checked_at = from_unix_ms(query.column_int(9));
    out.push_back(std::move(a));
  }
  return out;
}

std::map<std::string, std::vector<scoring::CheckedAnswer>> SqliteValidatorStore::checked_answers_for_scoring(
    const std::string& task, TimePoint now, std::chrono::seconds window) {
  std::lock_guard<std::mutex> lock(mutex_);
  // The window is half-open, (now − window, now]: an answer exactly 72 h old has left it.
  auto query = db_.prepare(
      "SELECT miner_hotkey, quality, work, response_time_s FROM checked_answers "
      "WHERE task = ?1 AND checked_at_ms > ?2 AND checked_at_ms <= ?3 ORDER BY checked_at_ms, id");
  query.bind(1, task).bind(2, to_unix_ms(now - window)).bind(3, to_unix_ms(now));
  std::map<std::string, std::vector<scoring::CheckedAnswer>> out;
  while (query.step()) {
    out[query.column_text(0)].push_back({query.column_double(1), query.column_double(2), query.column_double(3)});
  }
  return out;
}

std::size_t SqliteValidatorStore::prune_checked_answers(TimePoint before) {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto remove = db_.prepare("DELETE FROM checked_answers WHERE checked_at_ms < ?1");
  remove.bind(1, to_unix_ms(before)).run();
  auto removed = static_cast<std::size_t>(db_.changes());
  transaction.commit();
  return removed;
}

// ---------------------------------------------------------------- weights

std::int64_t SqliteValidatorStore::record_weight_setting(TimePoint at, const std::vector<WeightBreakdownRecord>& rows) {
  for (const auto& r : rows) {
    std::string where = "weight breakdown (" + r.miner_hotkey + ", " + r.task + ")";
    require_text(r.miner_hotkey, where + " miner_hotkey");
    require_text(r.task, where + " task");
    const auto& f = r.figures;
    for (double value : {r.task_weight, f.quality, f.speed, f.speed_rank, f.speed_bonus, f.combined_quality,
                         f.period_history, f.served_share, f.capacity, f.effective_volume, f.task_score,
                         r.total_score, r.final_weight}) {
      require_finite(value, where);
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto setting = db_.prepare("INSERT INTO weight_settings (at_ms) VALUES (?1)");
  setting.bind(1, to_unix_ms(at)).run();
  std::int64_t id = db_.last_insert_rowid();
  auto insert = db_.prepare(
      "INSERT INTO weight_breakdowns (weight_setting_id, miner_hotkey, uid, task, task_weight, checked_answers, "
      "quality, speed, speed_rank, speed_bonus, combined_quality, scored_periods, period_history, capacity, "
      "effective_volume, task_score, total_score, final_weight, served_share) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
  for (const auto& r : rows) {
    const auto& f = r.figures;
    insert.bind(1, id).bind(2, r.miner_hotkey).bind(3, static_cast<int>(f.uid)).bind(4, r.task);
    insert.bind(5, r.task_weight).bind(6, as_int64(f.checked_answers, "checked_answers")).bind(7, f.quality);
    insert.bind(8, f.speed).bind(9, f.speed_rank).bind(10, f.speed_bonus).bind(11, f.combined_quality);
    insert.bind(12, as_int64(f.scored_periods, "scored_periods")).bind(13, f.period_history).bind(14, f.capacity);
    insert.bind(15, f.effective_volume).bind(16, f.task_score).bind(17, r.total_score).bind(18, r.final_weight);
    insert.bind(19, f.served_share);
    insert.run();
    insert.reset();
  }
  transaction.commit();
  return id;
}

std::vector<WeightBreakdownRecord> SqliteValidatorStore::weight_breakdowns(std::int64_t weight_setting_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(
      "SELECT miner_hotkey, uid, task, task_weight, checked_answers, quality, speed, speed_rank, speed_bonus, "
      "combined_quality, scored_periods, period_history, capacity, effective_volume, task_score, total_score, "
      "final_weight, served_share FROM weight_breakdowns WHERE weight_setting_id = ?1 ORDER BY task, uid, miner_hotkey");
  query.bind(1, weight_setting_id);
  std::vector<WeightBreakdownRecord> out;
  while (query.step()) {
    WeightBreakdownRecord r;
    r.miner_hotkey = query.column_text(0);
    r.figures.uid = static_cast<std::uint16_t>(query.column_int(1));
    r.task = query.column_text(2);
    r.task_weight = query.column_double(3);
    r.figures.checked_answers = static_cast<std::size_t>(query.column_int(4));
    r.figures.quality = query.column_double(5);
    r.figures.speed = query.column_double(6);
    r.figures.speed_rank = query.column_double(7);
    r.figures.speed_bonus = query.column_double(8);
    r.figures.combined_quality = query.column_double(9);
    r.figures.scored_periods = static_cast<std::size_t>(query.column_int(10));
    r.figures.period_history = query.column_double(11);
    r.figures.capacity = query.column_double(12);
    r.figures.effective_volume = query.column_double(13);
    r.figures.task_score = query.column_double(14);
    r.total_score = query.column_double(15);
    r.final_weight = query.column_double(16);
    r.figures.served_share = query.column_double(17);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<std::int64_t> SqliteValidatorStore::latest_weight_setting() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare("SELECT max(id) FROM weight_settings");
  query.step();
  if (query.is_null(0)) return std::nullopt;
  return query.column_int(0);
}

std::int64_t SqliteValidatorStore::record_weight_submission(const WeightSubmissionRecord& s) {
  if (s.uids.size() != s.values.size()) {
    throw std::invalid_argument("weight submission: " + std::to_string(s.uids.size()) + " uids but " +
                                std::to_string(s.values.size()) + " values");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto insert = db_.prepare(
      "INSERT INTO weight_submissions (weight_setting_id, submitted_at_ms, uids, u16_values, block, version_key, "
      "accepted, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (s.weight_setting_id) {
    insert.bind(1, *s.weight_setting_id);
  } else {
    insert.bind_null(1);
  }
  insert.bind(2, to_unix_ms(s.submitted_at)).bind(3, join_u16(s.uids)).bind(4, join_u16(s.values));
  insert.bind(5, as_int64(s.block, "block")).bind(6, as_int64(s.version_key, "version_key"));
  insert.bind(7, s.accepted ? 1 : 0).bind(8, s.result).run();
  std::int64_t id = db_.last_insert_rowid();
  transaction.commit();
  return id;
}

std::vector<WeightSubmissionRecord> SqliteValidatorStore::weight_submissions(std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(
      "SELECT id, weight_setting_id, submitted_at_ms, uids, u16_values, block, version_key, accepted, result "
      "FROM weight_submissions ORDER BY id DESC LIMIT ?1");
  query.bind(1, as_int64(limit, "limit"));
  std::vector<WeightSubmissionRecord> out;
  while (query.step()) {
    WeightSubmissionRecord s;
    s.id = query.column_int(0);
    if (!query.is_null(1)) s.weight_setting_id = query.column_int(1);
    s.submitted_at = from_unix_ms(query.column_int(2));
    std::string where = "store " + db_.path() + ": weight submission " + std::to_string(s.id);
    s.uids = split_u16(query.column_text(3), where);
    s.values = split_u16(query.column_text(4), where);
    s.block = static_cast<std::uint64_t>(query.column_int(5));
    s.version_key = static_cast<std::uint64_t>(query.column_int(6));
    s.accepted = query.column_int(7) != 0;
    s.result = query.column_text(8);
    out.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------- gateway API keys

std::int64_t SqliteValidatorStore::add_api_key(const ApiKeyRecord& key) {
  require_text(key.key_hash, "API key hash");
  require_text(key.name, "API key name");
  require_non_negative(key.requests_per_minute, "API key " + key.name + " requests_per_minute");
  require_non_negative(key.work_per_day, "API key " + key.name + " work_per_day");
  require_non_negative(key.work_per_minute, "API key " + key.name + " work_per_minute");
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto exists = db_.prepare("SELECT name FROM api_keys WHERE key_hash = ?1");
  exists.bind(1, key.key_hash);
  if (exists.step()) {
    throw StoreError("store " + db_.path() + ": an API key with this hash is stored already (named \"" +
                     exists.column_text(0) + "\"); make a new key");
  }
  auto insert = db_.prepare(
      "INSERT INTO api_keys (key_hash, name, requests_per_minute, work_per_day, created_at_ms, revoked_at_ms, "
      "work_per_minute) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, key.key_hash).bind(2, key.name).bind(3, key.requests_per_minute).bind(4, key.work_per_day);
  insert.bind(7, key.work_per_minute);
  insert.bind(5, to_unix_ms(key.created_at));
  if (key.revoked_at) {
    insert.bind(6, to_unix_ms(*key.revoked_at));
  } else {
    insert.bind_null(6);
  }
  insert.run();
  std::int64_t id = db_.last_insert_rowid();
  transaction.commit();
  return id;
}

std::optional<ApiKeyRecord> SqliteValidatorStore::api_key_by_hash(const std::string& key_hash) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(std::string("SELECT ") + kApiKeyColumns + " FROM api_keys WHERE key_hash = ?1");
  query.bind(1, key_hash);
  if (!query.step()) return std::nullopt;
  return read_api_key(query);
}

std::vector<ApiKeyRecord> SqliteValidatorStore::api_keys() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query = db_.prepare(std::string("SELECT ") + kApiKeyColumns + " FROM api_keys ORDER BY id");
  std::vector<ApiKeyRecord> out;
  while (query.step()) out.push_back(read_api_key(query));
  return out;
}

bool SqliteValidatorStore::revoke_api_key(std::int64_t key_id, TimePoint at) {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto update = db_.prepare("UPDATE api_keys SET revoked_at_ms = ?1 WHERE id = ?2 AND revoked_at_ms IS NULL");
  update.bind(1, to_unix_ms(at)).bind(2, key_id).run();
  bool changed = db_.changes() > 0;
  transaction.commit();
  return changed;
}

void SqliteValidatorStore::add_api_key_usage(std::int64_t key_id, const std::string& task, const std::string& day,
                                             std::uint64_t requests, double work) {
  require_text(task, "API key usage task");
  require_text(day, "API key usage day");
  require_non_negative(work, "API key usage work");
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteTransaction transaction(db_);
  auto upsert = db_.prepare(
      "INSERT INTO api_key_usage (key_id, task, day, requests, work) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (key_id, task, day) DO UPDATE SET requests = requests + excluded.requests, "
      "work = work + excluded.work");
  upsert.bind(1, key_id).bind(2, task).bind(3, day).bind(4, as_int64(requests, "requests")).bind(5, work).run();
  transaction.commit();
}

std::vector<ApiKeyUsage> SqliteValidatorStore::api_key_usage(std::int64_t key_id, const std::string& day) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto query =
      db_.prepare("SELECT key_id, task, day, requests, work FROM api_key_usage WHERE key_id = ?1 AND day = ?2 "
                  "ORDER BY task");
  query.bind(1, key_id).bind(2, day);
  std::vector<ApiKeyUsage> out;
  while (query.step()) {
    ApiKeyUsage u;
    u.key_id = query.column_int(0);
    u.task = query.column_text(1);
    u.day = query.column_text(2);
    u.requests = static_cast<std::uint64_t>(query.column_int(3));
    u.work = query.column_double(4);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace nineteen::store
