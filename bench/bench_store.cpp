// bench_store: how fast the validator store writes outcomes, keeps and checks answers, and reads the
// 72 h window for scoring (one task, 1024 miners × 200 checked answers). Prints a table.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "nineteen/store/sqlite_validator_store.hpp"

using namespace nineteen::store;
using Clock = std::chrono::steady_clock;

namespace {

void row(const char* what, std::size_t count, const std::function<void(std::size_t)>& op) {
  auto start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) op(i);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("%-52s %9zu %10.3f %12.1f %12.0f\n", what, count, seconds, seconds / count * 1e6, count / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = argc > 1 ? argv[1] : std::filesystem::temp_directory_path() / "nineteen-bench-store";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SqliteValidatorStore store((dir / "validator.sqlite").string());
  const TimePoint now = std::chrono::system_clock::now();

  std::printf("store file: %s (WAL, synchronous=NORMAL)\n", store.path().c_str());
  std::printf("%-52s %9s %10s %12s %12s\n", "operation (one transaction each)", "count", "total s", "us/op", "ops/s");

  auto period = store.start_period(now, now + std::chrono::hours(1));
  std::vector<PeriodContender> contenders;
  for (int m = 0; m < 1024; ++m) {
    PeriodContender c;
    c.period_id = period;
    c.miner_hotkey = "miner-" + std::to_string(m);
    c.uid = static_cast<std::uint16_t>(m);
    c.task = "chat";
    c.capacity = 120000;
    contenders.push_back(c);
  }
  row("put_contenders (1024 in one batch)", 1, [&](std::size_t) { store.put_contenders(contenders); });
  row("record_outcome", 20000, [&](std::size_t i) {
    store.record_outcome(period, "miner-" + std::to_string(i % 1024), "chat", nineteen::scoring::Outcome::success, 300);
  });

  KeptAnswer answer;
  answer.task = "chat";
  answer.request = std::string(1000, 'q');
  answer.response = std::string(2000, 'r');
  answer.work = 300;
  answer.response_time_s = 1.5;
  answer.received_at = now;
  std::vector<std::int64_t> kept_ids;
  row("keep_answer (3 KB, quota 1000)", 5000, [&](std::size_t i) {
    answer.miner_hotkey = "miner-" + std::to_string(i % 1024);
    kept_ids.push_back(store.keep_answer(answer, 1000).id);
  });
  row("record_check (kept -> checked)", 1000, [&](std::size_t i) {
    store.record_check(kept_ids[kept_ids.size() - 1 - i], 0.9, "ok", now);
  });

  const std::size_t per_miner = 200;
  row("add_checked_answer (1024 miners x 200)", 1024 * per_miner, [&](std::size_t i) {
    CheckedAnswerRecord a{0, "chat", "miner-" + std::to_string(i % 1024), static_cast<std::uint16_t>(i % 1024),
                          0.9, "", 300, 1.5, true, now - std::chrono::minutes(static_cast<long>(i % 4000))};
    store.add_checked_answer(a);
  });
  std::size_t seen = 0;
  row("checked_answers_for_scoring (205k rows, 72 h)", 5, [&](std::size_t) {
    auto by_miner = store.checked_answers_for_scoring("chat", now, std::chrono::hours(72));
    seen = 0;
    for (const auto& [miner, answers] : by_miner) seen += answers.size();
  });
  std::printf("rows returned per scoring read: %zu\n", seen);
  std::filesystem::remove_all(dir);
  return 0;
}
