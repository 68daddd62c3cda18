// Answers kept for checking (quota, oldest dropped), moved on check, and the 72 h scoring window.
#include <gtest/gtest.h>

#include "nineteen/store/sqlite_validator_store.hpp"
#include "temp_store_dir.hpp"

namespace nineteen::store {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::TempStoreDir;

const TimePoint kT0 = from_unix_ms(1'700'000'000'000);

KeptAnswer answer(const std::string& task, int n) {
  KeptAnswer a;
  a.task = task;
  a.miner_hotkey = "5M" + std::to_string(n % 2);
  a.uid = static_cast<std::uint16_t>(n % 2);
  a.request = "{\"n\":" + std::to_string(n) + "}";
  a.response = "{}";
  a.work = n;
  a.response_time_s = 1;
  a.received_at = kT0 + minutes(n);
  return a;
}

TEST(StoreAnswers, PastTheQuotaTheOldestOfThatTaskAreDropped) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  for (int n = 0; n < 3; ++n) EXPECT_EQ(store.keep_answer(answer("image", n), 3).dropped, 0u);
  for (int n = 0; n < 5; ++n) {
    auto kept = store.keep_answer(answer("chat", n), 3);
    EXPECT_EQ(kept.dropped, n < 3 ? 0u : 1u) << "answer " << n;
  }
  EXPECT_EQ(store.kept_answer_count("chat"), 3u);
  EXPECT_EQ(store.kept_answer_count("image"), 3u) << "another task's answers were dropped";
  EXPECT_EQ(store.kept_answer_count(""), 6u);
  auto left = store.answers_to_check("chat", 10);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(left[0].request, "{\"n\":2}");  // oldest kept first
  EXPECT_EQ(left[2].request, "{\"n\":4}");
  // A smaller quota later trims to it at the next keep.
  EXPECT_EQ(store.keep_answer(answer("chat", 5), 1).dropped, 3u);
  EXPECT_EQ(store.answers_to_check("chat", 10)[0].request, "{\"n\":5}");
  EXPECT_THROW(store.keep_answer(answer("chat", 6), 0), std::invalid_argument);
}

TEST(StoreAnswers, RecordingACheckMovesTheAnswerOnce) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  auto kept = store.keep_answer(answer("chat", 7), 10);
  EXPECT_TRUE(store.record_check(kept.id, -10, "stopped early", kT0 + hours(1)));
  EXPECT_FALSE(store.record_check(kept.id, 1, "again", kT0 + hours(1)));
  EXPECT_EQ(store.kept_answer_count("chat"), 0u);
  auto checked = store.checked_answers("chat", kT0, kT0 + hours(2));
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_DOUBLE_EQ(checked[0].quality, -10);
  EXPECT_EQ(checked[0].reason, "stopped early");
  EXPECT_DOUBLE_EQ(checked[0].work, 7);
  EXPECT_EQ(checked[0].miner_hotkey, "5M1");
  EXPECT_TRUE(checked[0].synthetic);
  auto other = store.keep_answer(answer("chat", 8), 10);
  EXPECT_TRUE(store.drop_kept_answer(other.id));
  EXPECT_FALSE(store.drop_kept_answer(other.id));
}

TEST(StoreAnswers, ScoringSeesOnlyThisTasksAnswersOfTheLast72Hours) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  const TimePoint now = kT0 + hours(100);
  auto add = [&](const std::string& task, const std::string& miner, double quality, TimePoint at) {
    store.add_checked_answer({0, task, miner, 0, quality, "", 100, 2, true, at});
  };
  add("chat", "5A", 0.1, now - hours(72));                       // exactly 72 h old: out
  add("chat", "5A", 0.2, now - hours(72) + minutes(1));          // in
  add("chat", "5A", 0.3, now);                                   // in
  add("chat", "5B", 0.4, now - hours(1));                        // in, other miner
  add("image", "5A", 0.5, now - hours(1));                       // other task: out
  add("chat", "5A", 0.6, now + minutes(1));                      // in the future: out
  auto by_miner = store.checked_answers_for_scoring("chat", now, hours(72));
  ASSERT_EQ(by_miner.size(), 2u);
  ASSERT_EQ(by_miner["5A"].size(), 2u);
  EXPECT_DOUBLE_EQ(by_miner["5A"][0].quality, 0.2);
  EXPECT_DOUBLE_EQ(by_miner["5A"][1].quality, 0.3);
  EXPECT_DOUBLE_EQ(by_miner["5A"][0].work, 100);
  EXPECT_DOUBLE_EQ(by_miner["5A"][0].response_time_s, 2);
  ASSERT_EQ(by_miner["5B"].size(), 1u);

  EXPECT_EQ(store.prune_checked_answers(now - hours(72) + minutes(1)), 1u);
  EXPECT_EQ(store.checked_answers("chat", kT0, now + hours(1)).size(), 4u);
}

TEST(StoreAnswers, NothingLeavesWithoutARecordAndOrganicAnswersAreKeptAndCheckedFirst) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  // Quota 3: one organic answer among synthetic ones stays; the oldest synthetic ones leave, recorded.
  KeptAnswer organic = answer("chat", 0);
  organic.synthetic = false;
  store.keep_answer(organic, 3);
  for (int n = 1; n <= 4; ++n) store.keep_answer(answer("chat", n), 3);
  auto next = store.next_answers_to_check("chat", 10);
  ASSERT_EQ(next.size(), 3u);
  EXPECT_FALSE(next[0].synthetic) << "organic answers are checked first";
  EXPECT_EQ(next[0].request, "{\"n\":0}");
  // Miners take turns among the synthetic ones (n = 3 is miner 1, n = 4 miner 0).
  EXPECT_NE(next[1].miner_hotkey, next[2].miner_hotkey);

  EXPECT_TRUE(store.record_check(next[0].id, 1, "fine", kT0 + hours(1)));
  EXPECT_TRUE(store.record_unchecked(next[1].id, "the checker failed on it", kT0 + hours(1)));
  EXPECT_FALSE(store.record_unchecked(next[1].id, "again", kT0 + hours(1)));
  KeptAnswer skipped = answer("chat", 9);
  store.add_unchecked_answer(skipped, "not sampled (check_fraction 0.5)", kT0 + hours(1));

  std::uint64_t checked = 0, unchecked = 0, pending = 0, organic_checked = 0;
  for (const AnswerTally& t : store.answer_tallies(kT0)) {
    EXPECT_EQ(t.task, "chat");
    checked += t.checked;
    unchecked += t.unchecked;
    pending += t.pending;
    organic_checked += t.organic_checked;
  }
  EXPECT_EQ(checked, 1u);
  EXPECT_EQ(organic_checked, 1u);
  EXPECT_EQ(unchecked, 4u) << "two over the quota, one the checker failed on, one not sampled";
  EXPECT_EQ(pending, 1u);
  EXPECT_EQ(checked + unchecked + pending, 6u) << "all six answers are accounted for";
}

}  // namespace
}  // namespace nineteen::store
