// The validator store keeps every kind of row across close and reopen, and rolls back bad batches whole.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nineteen/store/sqlite_validator_store.hpp"
#include "temp_store_dir.hpp"

namespace nineteen::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::TempStoreDir;

const TimePoint kT0 = from_unix_ms(1'700'000'000'000);

PeriodContender contender(std::int64_t period, const std::string& hotkey, std::uint16_t uid, const std::string& task) {
  PeriodContender c;
  c.period_id = period;
  c.miner_hotkey = hotkey;
  c.uid = uid;
  c.task = task;
  c.declared_capacity = 150000;
  c.capacity = 120000;
  c.capacity_to_score = 4800;
  return c;
}

TEST(StorePersistence, ReopenAfterCloseKeepsEveryKindOfRow) {
  TempStoreDir dir;
  const std::string path = dir.file("validator.sqlite");
  std::int64_t period_id = 0, setting_id = 0, key_id = 0;
  {
    SqliteValidatorStore store(path);
    EXPECT_EQ(store.schema_version(), static_cast<int>(validator_store_migrations().size()));
    store.replace_nodes({{0, "5Miner", "5Cold", 0, "miner", "127.0.0.1", 8091, 10},
                         {1, "5Val", "5Cold2", 1000, "validator", "127.0.0.1", 9000, 12}});
    period_id = store.start_period(kT0, kT0 + hours(1));
    store.put_contenders({contender(period_id, "5Miner", 0, "chat")});
    EXPECT_TRUE(store.record_outcome(period_id, "5Miner", "chat", scoring::Outcome::success, 300));
    EXPECT_TRUE(store.record_outcome(period_id, "5Miner", "chat", scoring::Outcome::rate_limited, 300));
    EXPECT_TRUE(store.record_outcome(period_id, "5Miner", "chat", scoring::Outcome::failed, 300));
    EXPECT_FALSE(store.record_outcome(period_id, "5Nobody", "chat", scoring::Outcome::success, 1));

    KeptAnswer answer;
    answer.task = "chat";
    answer.miner_hotkey = "5Miner";
    answer.request = R"({"seed":1})";
    answer.response = R"({"text":"hi"})";
    answer.work = 12;
    answer.response_time_s = 0.5;
    answer.received_at = kT0;
    store.keep_answer(answer, 10);
    store.add_checked_answer({0, "chat", "5Miner", 0, 0.9, "ok", 20, 1.0, false, kT0 + seconds(5)});

    WeightBreakdownRecord row;
    row.miner_hotkey = "5Miner";
    row.task = "chat";
    row.task_weight = 1;
    row.figures.uid = 0;
    row.figures.checked_answers = 1;
    row.figures.quality = 0.85;
    row.figures.speed_bonus = 0.25;
    row.figures.effective_volume = 3;
    row.total_score = 1;
    row.final_weight = 1;
    setting_id = store.record_weight_setting(kT0, {row});
    store.record_weight_submission({0, setting_id, kT0, {0, 3}, {65535, 120}, 1500, 7, true, "accepted"});

    ApiKeyRecord key;
    key.key_hash = "abc123";
    key.name = "alice";
    key.requests_per_minute = 60;
    key.created_at = kT0;
    key_id = store.add_api_key(key);
    store.add_api_key_usage(key_id, "chat", "2023-11-14", 2, 600);
    store.add_api_key_usage(key_id, "chat", "2023-11-14", 1, 100);
  }
  SqliteValidatorStore store(path);
  ASSERT_EQ(store.nodes().size(), 2u);
  EXPECT_EQ(store.nodes()[1].hotkey, "5Val");
  EXPECT_EQ(store.nodes()[1].port, 9000);

  auto open = store.open_period();
  ASSERT_TRUE(open);
  EXPECT_EQ(open->id, period_id);
  EXPECT_EQ(open->ends_at, kT0 + hours(1));
  auto contenders = store.contenders(period_id);
  ASSERT_EQ(contenders.size(), 1u);
  EXPECT_EQ(contenders[0].counts.total, 3u);
  EXPECT_EQ(contenders[0].counts.rate_limited, 1u);
  EXPECT_EQ(contenders[0].counts.failed, 1u);
  EXPECT_DOUBLE_EQ(contenders[0].counts.consumed, 300);
  EXPECT_DOUBLE_EQ(contenders[0].capacity, 120000);

  EXPECT_EQ(store.kept_answer_count("chat"), 1u);
  EXPECT_EQ(store.answers_to_check("chat", 10)[0].response, R"({"text":"hi"})");
  auto checked = store.checked_answers("chat", kT0, kT0 + hours(1));
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_FALSE(checked[0].synthetic);
  EXPECT_DOUBLE_EQ(checked[0].quality, 0.9);

  EXPECT_EQ(store.latest_weight_setting(), setting_id);
  auto rows = store.weight_breakdowns(setting_id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0].figures.speed_bonus, 0.25);
  auto submissions = store.weight_submissions(10);
  ASSERT_EQ(submissions.size(), 1u);
  EXPECT_EQ(submissions[0].values, (std::vector<std::uint16_t>{65535, 120}));
  EXPECT_EQ(submissions[0].block, 1500u);

  auto key = store.api_key_by_hash("abc123");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->name, "alice");
  EXPECT_FALSE(key->revoked_at);
  auto usage = store.api_key_usage(key_id, "2023-11-14");
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].requests, 3u);
  EXPECT_DOUBLE_EQ(usage[0].work, 700);
  EXPECT_TRUE(store.revoke_api_key(key_id, kT0 + hours(2)));
  EXPECT_FALSE(store.revoke_api_key(key_id, kT0 + hours(3)));
  EXPECT_THROW(store.add_api_key(*key), StoreError);
}

TEST(StorePersistence, ClosingAPeriodMovesScoresToHistoryOnce) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  std::vector<double> scores = {1.0, 0.5, 1.0};  // oldest first
  for (double s : scores) {
    auto id = store.start_period(kT0, kT0 + hours(1));
    store.close_period(id, {{"5Miner", 0, "chat", id, s, 100, 40}});
  }
  auto id = store.start_period(kT0, kT0 + hours(1));
  store.close_period(id, {{"5Miner", 0, "chat", id, std::nullopt, 0, 40}});
  EXPECT_THROW(store.close_period(id, {}), StoreError);
  EXPECT_FALSE(store.open_period());

  auto all = store.period_scores("chat", "5Miner", 10);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_FALSE(all[0].score);  // newest: unscored
  auto scored = store.scored_periods("chat", "5Miner", 10);
  ASSERT_EQ(scored.size(), 3u);
  EXPECT_DOUBLE_EQ(scored[0].score, 1.0);
  EXPECT_DOUBLE_EQ(scored[1].score, 0.5);
  EXPECT_DOUBLE_EQ(scored[0].volume, 40);  // the tested volume, not the consumed 100
  EXPECT_EQ(store.scored_periods("chat", "5Miner", 2).size(), 2u);
}

TEST(StorePersistence, APeriodOfTotalFailureStillWeighsInHistory) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  auto id = store.start_period(kT0, kT0 + hours(1));
  // Every request failed: score 0, nothing consumed, 50 tested.
  store.close_period(id, {{"5Miner", 0, "chat", id, 0.0, 0, 50}});
  id = store.start_period(kT0 + hours(1), kT0 + hours(2));
  // An old row without a tested volume falls back to the consumed one.
  store.close_period(id, {{"5Miner", 0, "chat", id, 1.0, 30, 0}});
  auto scored = store.scored_periods("chat", "5Miner", 10);
  ASSERT_EQ(scored.size(), 2u);
  EXPECT_DOUBLE_EQ(scored[0].volume, 30);
  EXPECT_DOUBLE_EQ(scored[1].volume, 50);
}

TEST(StorePersistence, ABatchWithOneBadRowWritesNothing) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  auto period = store.start_period(kT0, kT0 + hours(1));
  auto bad = contender(period, "5B", 1, "chat");
  bad.capacity = std::numeric_limits<double>::quiet_NaN();
  try {
    store.put_contenders({contender(period, "5A", 0, "chat"), bad});
    FAIL() << "a NaN capacity was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("contender (5B, chat) capacity"), std::string::npos) << e.what();
  }
  // A row for a period that does not exist fails in SQLite (foreign key) after a good row was written.
  EXPECT_THROW(store.put_contenders({contender(period, "5A", 0, "chat"), contender(period + 99, "5B", 1, "chat")}),
               StoreError);
  EXPECT_TRUE(store.contenders(period).empty());
  EXPECT_THROW(store.add_checked_answer({0, "chat", "5A", 0, std::nan(""), "", 1, 1, true, kT0}),
               std::invalid_argument);
  EXPECT_TRUE(store.checked_answers("chat", kT0 - hours(1), kT0 + hours(1)).empty());
}

}  // namespace
}  // namespace nineteen::store
