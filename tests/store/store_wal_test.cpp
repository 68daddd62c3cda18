// WAL mode: a reader on its own connection keeps reading while another connection writes.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "nineteen/store/sqlite_validator_store.hpp"
#include "temp_store_dir.hpp"

namespace nineteen::store {
namespace {

using testing::TempStoreDir;

const TimePoint kT0 = from_unix_ms(1'700'000'000'000);

CheckedAnswerRecord checked(int n) { return {0, "chat", "5M", 0, 1.0, "", double(n), 1, true, kT0}; }

TEST(StoreWal, TheFileIsInWalMode) {
  TempStoreDir dir;
  const std::string path = dir.file("v.sqlite");
  SqliteValidatorStore store(path);
  SqliteDatabase db(path);
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
}

TEST(StoreWal, AWriterCommitsWhileAReaderHoldsASnapshot) {
  TempStoreDir dir;
  const std::string path = dir.file("v.sqlite");
  SqliteValidatorStore store(path);
  store.add_checked_answer(checked(1));

  SqliteDatabase reader(path);
  auto count = [&] {
    auto query = reader.prepare("SELECT count(*) FROM checked_answers");
    query.step();
    return query.column_int(0);
  };
  reader.exec("BEGIN");
  EXPECT_EQ(count(), 1);  // the read transaction's snapshot starts here
  // With a rollback journal this commit would wait for the reader and fail with "database is locked".
  store.add_checked_answer(checked(2));
  EXPECT_EQ(count(), 1) << "the reader's snapshot changed under it";
  reader.exec("COMMIT");
  EXPECT_EQ(count(), 2);
}

TEST(StoreWal, ConcurrentReaderAndWriterOnTheSameFileNeverFail) {
  TempStoreDir dir;
  const std::string path = dir.file("v.sqlite");
  SqliteValidatorStore writer(path);
  SqliteValidatorStore reader(path);
  constexpr int kRows = 300;
  std::atomic<bool> done{false};
  std::thread writing([&] {
    for (int n = 0; n < kRows; ++n) writer.add_checked_answer(checked(n));
    done = true;
  });
  std::size_t last = 0;
  int reads = 0;
  bool went_backwards = false;
  while (!done || reads == 0) {
    std::size_t now = reader.checked_answers("chat", kT0, kT0).size();
    if (now < last) went_backwards = true;
    last = now;
    ++reads;
  }
  writing.join();
  EXPECT_FALSE(went_backwards);
  EXPECT_EQ(reader.checked_answers("chat", kT0, kT0).size(), static_cast<std::size_t>(kRows));
}

TEST(StoreWal, OneStoreIsSafeToShareBetweenThreads) {
  TempStoreDir dir;
  SqliteValidatorStore store(dir.file("v.sqlite"));
  auto period = store.start_period(kT0, kT0 + std::chrono::hours(1));
  PeriodContender c;
  c.period_id = period;
  c.miner_hotkey = "5M";
  c.task = "chat";
  store.put_contenders({c});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int n = 0; n < 50; ++n) store.record_outcome(period, "5M", "chat", scoring::Outcome::success, 2);
    });
  }
  for (auto& t : threads) t.join();
  auto counts = store.contenders(period).at(0).counts;
  EXPECT_EQ(counts.total, 200u);
  EXPECT_DOUBLE_EQ(counts.consumed, 400);
}

}  // namespace
}  // namespace nineteen::store
