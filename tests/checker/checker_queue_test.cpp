// The checker queue in-process against the probe plugin: scoring order, batching, retries, failure
// after the last attempt, isolation of a poisoned answer, a full queue, and results that expire.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "nineteen/checker/checker_queue.hpp"
#include "nineteen/config/task_catalog.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"

using namespace std::chrono_literals;
using nineteen::checker::BatchRejected;
using nineteen::checker::CheckerBusy;
using nineteen::checker::CheckerQueue;
using nineteen::checker::CheckerSettings;
using nineteen::checker::CheckItem;
using nineteen::checker::JobState;
using nineteen::checker::JobStatus;
using nineteen::plugin_host::TaskState;

namespace {

class CheckerQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate = dir.file("gate");
    dir.write("tasks.toml", "[tasks.probe]\nplugin = \"check_probe\"\n"
                            "[tasks.probe-b]\nplugin = \"check_probe\"\n"
                            "[tasks.flaky]\nplugin = \"check_probe\"\nfail_first_calls = 2\n"
                            "[tasks.broken]\nplugin = \"check_probe\"\nfail_first_calls = 1000000\n"
                            "[tasks.gated]\nplugin = \"check_probe\"\ngate_file = \"" + gate + "\"\n");
    nineteen::plugin_host::PluginHostOptions options;
    options.search_dirs.emplace_back(CHECKER_PLUGIN_DIR);
    host = std::make_shared<nineteen::plugin_host::PluginHost>(options);
    host->load(nineteen::config::load_task_catalog(dir.file("tasks.toml")));
    for (const auto& s : host->statuses()) ASSERT_EQ(s.state, TaskState::ready) << s.name << ": " << s.reason;
  }

  std::unique_ptr<CheckerQueue> make_queue(CheckerSettings settings = {}) {
    settings.retry_delay = 1ms;
    return std::make_unique<CheckerQueue>(host, settings);
  }

  static CheckItem item(const std::string& task, const std::string& text, bool right = true,
                        const std::string& extra_request = "") {
    return {task, "{\"text\":\"" + text + "\"" + extra_request + "}",
            "[{\"echo\":\"" + (right ? text : text + "-wrong") + "\"}]"};
  }

  // Polls until the job is no longer pending (the poll that sees it finished consumes it).
  static JobStatus wait_finished(nineteen::checker::CheckService& service, const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      JobStatus s = service.poll(id);
      if (s.state != JobState::pending) return s;
      std::this_thread::sleep_for(2ms);
    }
    ADD_FAILURE() << "job " << id << " still pending after 20 s";
    return {};
  }

  // Waits until nothing is queued or being checked (without polling any job).
  static void wait_idle(const CheckerQueue& queue) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (queue.queued_items() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(2ms);
    ASSERT_EQ(queue.queued_items(), 0u);
  }

  void close_gate() const { std::ofstream(gate) << "closed"; }
  void open_gate() const { std::filesystem::remove(gate); }

  // The "batch N" each outcome's reason reports.
  static std::multiset<int> batch_sizes_by_call(const JobStatus& s) {
    std::map<int, int> size_of_call;
    std::regex pattern("call ([0-9]+) batch ([0-9]+)");
    for (const auto& o : s.outcomes) {
      std::smatch m;
      if (std::regex_search(o.reason, m, pattern)) size_of_call[std::stoi(m[1])] = std::stoi(m[2]);
    }
    std::multiset<int> sizes;
    for (const auto& [call, size] : size_of_call) sizes.insert(size);
    return sizes;
  }

  test_support::ScratchDir dir{"checker-queue"};
  std::string gate;
  std::shared_ptr<nineteen::plugin_host::PluginHost> host;
};

}  // namespace

TEST_F(CheckerQueueTest, ScoresEachAnswerInTheOrderSubmitted) {
  auto queue = make_queue();
  JobStatus s = wait_finished(*queue, queue->submit({item("probe", "a"), item("probe", "b", false), item("probe", "c"),
                                                     item("probe", "d"), item("probe", "e", false)}));
  ASSERT_EQ(s.state, JobState::done) << s.error;
  ASSERT_EQ(s.outcomes.size(), 5u);
  const double expected[] = {1, 0, 1, 1, 0};
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(s.outcomes[i].quality, expected[i]) << i;
  EXPECT_NE(s.outcomes[1].reason.find("differs"), std::string::npos) << s.outcomes[1].reason;
  EXPECT_NE(s.outcomes[0].reason.find("identical"), std::string::npos) << s.outcomes[0].reason;
  EXPECT_TRUE(s.error.empty());
}

TEST_F(CheckerQueueTest, BatchesOneTasksAnswersIntoFewCheckCalls) {
  CheckerSettings settings;
  settings.workers = 2;
  settings.max_batch = 16;
  auto queue = make_queue(settings);
  std::vector<CheckItem> items;
  for (int i = 0; i < 40; ++i) items.push_back(item("probe", "w" + std::to_string(i), i % 3 != 0));
  JobStatus s = wait_finished(*queue, queue->submit(items));
  ASSERT_EQ(s.state, JobState::done) << s.error;
  ASSERT_EQ(s.outcomes.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(s.outcomes[i].quality, i % 3 != 0 ? 1.0 : 0.0) << i;
  // 40 answers in batches of at most 16: three calls, not forty.
  EXPECT_EQ(queue->counts().by_task["probe"].check_calls, 3u);
  EXPECT_EQ(queue->counts().by_task["probe"].items_checked, 40u);
  EXPECT_EQ(batch_sizes_by_call(s), (std::multiset<int>{8, 16, 16}));
}

TEST_F(CheckerQueueTest, ABatchThatMixesTasksIsCheckedOneTaskPerCall) {
  auto queue = make_queue();
  std::vector<CheckItem> items;
  for (int i = 0; i < 10; ++i) {
    items.push_back(item("probe", "p" + std::to_string(i)));
    items.push_back(item("probe-b", "q" + std::to_string(i), false));
  }
  JobStatus s = wait_finished(*queue, queue->submit(items));
  ASSERT_EQ(s.state, JobState::done) << s.error;
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(s.outcomes[i].quality, i % 2 == 0 ? 1.0 : 0.0) << i;
    EXPECT_EQ(s.outcomes[i].reason.rfind(i % 2 == 0 ? "probe call" : "probe-b call", 0), 0u) << s.outcomes[i].reason;
    EXPECT_NE(s.outcomes[i].reason.find("batch 10"), std::string::npos) << s.outcomes[i].reason;
  }
  EXPECT_EQ(queue->counts().by_task["probe"].check_calls, 1u);
  EXPECT_EQ(queue->counts().by_task["probe-b"].check_calls, 1u);
}

TEST_F(CheckerQueueTest, ManySmallJobsWaitingTogetherShareCheckCalls) {
  CheckerSettings settings;
  settings.workers = 1;
  settings.max_batch = 16;
  auto queue = make_queue(settings);
  close_gate();
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(queue->submit({item("gated", "g" + std::to_string(i))}));
  open_gate();
  for (const auto& id : ids) {
    JobStatus s = wait_finished(*queue, id);
    ASSERT_EQ(s.state, JobState::done) << s.error;
    EXPECT_EQ(s.outcomes.at(0).quality, 1.0);
  }
  // The worker held at most the first few jobs while the rest queued; they then went in batches of 16.
  EXPECT_LE(queue->counts().by_task["gated"].check_calls, 4u);
  EXPECT_EQ(queue->counts().by_task["gated"].items_checked, 40u);
}

TEST_F(CheckerQueueTest, AFailedCheckCallIsRetried) {
  CheckerSettings settings;
  settings.max_attempts = 3;
  auto queue = make_queue(settings);
  JobStatus s = wait_finished(*queue, queue->submit({item("flaky", "x"), item("flaky", "y", false)}));
  ASSERT_EQ(s.state, JobState::done) << s.error;
  EXPECT_EQ(s.outcomes.at(0).quality, 1.0);
  EXPECT_EQ(s.outcomes.at(1).quality, 0.0);
  EXPECT_NE(s.outcomes[0].reason.find("call 3 batch 2"), std::string::npos) << s.outcomes[0].reason;
  EXPECT_EQ(queue->counts().by_task["flaky"].failed_check_calls, 2u);
  EXPECT_EQ(queue->counts().by_task["flaky"].check_calls, 1u);
}

TEST_F(CheckerQueueTest, AJobFailsWithTheErrorAfterTheLastAttempt) {
  CheckerSettings settings;
  settings.max_attempts = 3;
  auto queue = make_queue(settings);
  JobStatus s = wait_finished(*queue, queue->submit({item("broken", "x")}));
  ASSERT_EQ(s.state, JobState::failed);
  EXPECT_TRUE(s.outcomes.empty());
  EXPECT_NE(s.error.find("after 3 attempts"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("probe call 3 fails on purpose"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("unavailable"), std::string::npos) << s.error;
  EXPECT_EQ(queue->counts().by_task["broken"].failed_check_calls, 3u);
  EXPECT_EQ(queue->counts().jobs_failed, 1u);
  EXPECT_EQ(queue->queued_items(), 0u);
}

TEST_F(CheckerQueueTest, APoisonedAnswerFailsOnlyItsOwnJob) {
  CheckerSettings settings;
  settings.workers = 1;
  settings.max_attempts = 2;
  auto queue = make_queue(settings);
  close_gate();
  const std::string good_a = queue->submit({item("gated", "a1"), item("gated", "a2")});
  const std::string poisoned = queue->submit({item("gated", "b1"), item("gated", "b2", true, ",\"fail\":true")});
  const std::string good_c = queue->submit({item("gated", "c1", false)});
  open_gate();
  JobStatus a = wait_finished(*queue, good_a), b = wait_finished(*queue, poisoned), c = wait_finished(*queue, good_c);
  ASSERT_EQ(a.state, JobState::done) << a.error;
  EXPECT_EQ(a.outcomes.size(), 2u);
  ASSERT_EQ(c.state, JobState::done) << c.error;
  EXPECT_EQ(c.outcomes.at(0).quality, 0.0);
  ASSERT_EQ(b.state, JobState::failed);
  EXPECT_NE(b.error.find("answer 1"), std::string::npos) << b.error;
  EXPECT_NE(b.error.find("poisoned"), std::string::npos) << b.error;
}

TEST_F(CheckerQueueTest, AQualityOutsideTheAbiRangeFailsTheJobInsteadOfScoring) {
  CheckerSettings settings;
  settings.max_attempts = 1;
  auto queue = make_queue(settings);
  JobStatus s = wait_finished(*queue, queue->submit({item("probe", "x", true, ",\"quality\":1.5")}));
  ASSERT_EQ(s.state, JobState::failed);
  EXPECT_NE(s.error.find("expected a number in [-10, 1]"), std::string::npos) << s.error;
  queue = make_queue(settings);
  s = wait_finished(*queue, queue->submit({item("probe", "x", true, ",\"quality\":-10.5")}));
  ASSERT_EQ(s.state, JobState::failed);
  EXPECT_NE(s.error.find("expected a number in [-10, 1]"), std::string::npos) << s.error;

  // MECHANISM.md §6's penalty is inside the range: it is a result, not a failed call (issue 24).
  queue = make_queue(settings);
  s = wait_finished(*queue, queue->submit({item("probe", "x", true, ",\"quality\":-10")}));
  ASSERT_EQ(s.state, JobState::done) << s.error;
  EXPECT_EQ(s.outcomes.at(0).quality, -10.0);

  queue = make_queue(settings);
  s = wait_finished(*queue, queue->submit({item("probe", "x", true, ",\"quality\":0.25")}));
  ASSERT_EQ(s.state, JobState::done) << s.error;
  EXPECT_EQ(s.outcomes.at(0).quality, 0.25);
}

TEST_F(CheckerQueueTest, AFullQueueRefusesWithCheckerBusyAndQueuesNothing) {
  CheckerSettings settings;
  settings.workers = 1;
  settings.max_queued_items = 4;
  auto queue = make_queue(settings);
  close_gate();
  const std::string first = queue->submit({item("gated", "a"), item("gated", "b"), item("gated", "c")});
  const std::string second = queue->submit({item("gated", "d")});
  EXPECT_EQ(queue->queued_items(), 4u);
  try {
    queue->submit({item("probe", "e")});
    ADD_FAILURE() << "a full queue accepted a batch";
  } catch (const CheckerBusy& e) {
    EXPECT_GE(e.retry_after_s, 1.0);
    EXPECT_NE(std::string(e.what()).find("4 of 4"), std::string::npos) << e.what();
  }
  EXPECT_EQ(queue->queued_items(), 4u);
  EXPECT_EQ(queue->counts().busy_refusals, 1u);
  open_gate();
  EXPECT_EQ(wait_finished(*queue, first).state, JobState::done);
  EXPECT_EQ(wait_finished(*queue, second).state, JobState::done);
  // Room again.
  EXPECT_EQ(wait_finished(*queue, queue->submit({item("probe", "e")})).state, JobState::done);
}

TEST_F(CheckerQueueTest, BatchesThatCanNeverBeCheckedAreRejectedWithTheReason) {
  CheckerSettings settings;
  settings.max_queued_items = 3;
  auto queue = make_queue(settings);
  try {
    queue->submit({item("probe", "a"), item("no-such-task", "b")});
    ADD_FAILURE() << "an unknown task was accepted";
  } catch (const BatchRejected& e) {
    EXPECT_NE(std::string(e.what()).find("item 1: unknown task \"no-such-task\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("probe-b"), std::string::npos) << e.what();
  }
  EXPECT_THROW(queue->submit({}), BatchRejected);
  try {
    queue->submit({item("probe", "a"), item("probe", "b"), item("probe", "c"), item("probe", "d")});
    ADD_FAILURE() << "a batch larger than the queue was accepted";
  } catch (const BatchRejected& e) {
    EXPECT_NE(std::string(e.what()).find("max_queued_items = 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(queue->queued_items(), 0u);
}

TEST_F(CheckerQueueTest, AFinishedJobIsHandedOutOnceAndUnknownIdsSaySo) {
  auto queue = make_queue();
  const std::string id = queue->submit({item("probe", "a")});
  EXPECT_EQ(wait_finished(*queue, id).state, JobState::done);
  JobStatus again = queue->poll(id);
  EXPECT_EQ(again.state, JobState::unknown);
  EXPECT_NE(again.error.find(id), std::string::npos) << again.error;
  EXPECT_EQ(queue->poll("no-such-job").state, JobState::unknown);
  // Ids are not counters: two jobs share nothing recognisable.
  const std::string other = queue->submit({item("probe", "b")});
  EXPECT_NE(other, id);
  EXPECT_EQ(other.size(), 32u);
}

TEST_F(CheckerQueueTest, UnreadResultsExpireAfterTheirTtl) {
  auto fake_now = std::make_shared<std::atomic<int64_t>>(0);  // seconds past the start
  const auto start = std::chrono::steady_clock::now();
  CheckerSettings settings;
  settings.result_ttl = 3600s;
  settings.clock = [fake_now, start] { return start + std::chrono::seconds(fake_now->load()); };
  auto queue = make_queue(settings);
  const std::string kept = queue->submit({item("probe", "a")});
  wait_idle(*queue);
  *fake_now = 1800;
  const std::string expiring = queue->submit({item("probe", "b")});
  wait_idle(*queue);
  EXPECT_EQ(queue->counts().jobs_done, 2u);

  *fake_now = 3601;  // the first is past its hour, the second is not
  EXPECT_EQ(queue->poll(kept).state, JobState::unknown);
  EXPECT_EQ(queue->counts().jobs_expired, 1u);
  JobStatus second = queue->poll(expiring);
  EXPECT_EQ(second.state, JobState::done);
  EXPECT_EQ(second.outcomes.at(0).quality, 1.0);
}

TEST_F(CheckerQueueTest, SettingsOutOfRangeAreRefusedByName) {
  CheckerSettings bad;
  bad.workers = 0;
  try {
    CheckerQueue q(host, bad);
    ADD_FAILURE() << "0 workers accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"workers\""), std::string::npos) << e.what();
  }
  bad = CheckerSettings{};
  bad.max_attempts = 0;
  EXPECT_THROW(CheckerQueue(host, bad), std::invalid_argument);
  EXPECT_THROW(CheckerQueue(nullptr, CheckerSettings{}), std::invalid_argument);
}

TEST_F(CheckerQueueTest, InlineCheckerIsTheQueueBehindTheServiceInterface) {
  std::unique_ptr<nineteen::checker::CheckService> service = nineteen::checker::make_inline_checker(host, {});
  JobStatus s = wait_finished(*service, service->submit({item("probe", "a"), item("probe-b", "b", false)}));
  ASSERT_EQ(s.state, JobState::done) << s.error;
  EXPECT_EQ(s.outcomes.at(0).quality, 1.0);
  EXPECT_EQ(s.outcomes.at(1).quality, 0.0);
}

TEST_F(CheckerQueueTest, MetricsCountItemsByTaskAndShowTheQueue) {
  auto queue = make_queue();
  wait_finished(*queue, queue->submit({item("probe", "a"), item("probe", "b", false)}));
  const std::string text = queue->prometheus_text();
  EXPECT_NE(text.find("nineteen_checker_items_checked_total{task=\"probe\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("nineteen_checker_quality_sum{task=\"probe\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("nineteen_checker_check_seconds_count{task=\"probe\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("nineteen_checker_queue_items 0"), std::string::npos) << text;
  EXPECT_NE(text.find("nineteen_checker_jobs_total{status=\"done\"} 1"), std::string::npos) << text;
}

// Issue 15, item 2: check() is the contract, a future of one result per answer.

using nineteen::checker::CheckResult;
using Kind = nineteen::checker::CheckResult::Kind;

namespace {
std::vector<CheckResult> get_within(std::future<std::vector<CheckResult>>& f, std::chrono::seconds limit = 20s) {
  if (f.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << "check() gave no results within " << limit.count() << " s";
    return {};
  }
  return f.get();
}
}  // namespace

TEST_F(CheckerQueueTest, CheckIsAFutureOfOneResultPerAnswerCompletedWithoutAPoll) {
  auto queue = make_queue();
  auto pending = queue->check({item("probe", "a"), item("probe", "b", false), item("probe-b", "c")});
  std::vector<CheckResult> r = get_within(pending);
  ASSERT_EQ(r.size(), 3u);
  const double expected[] = {1, 0, 1};
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(r[i].kind, Kind::checked) << i << ": " << r[i].why;
    EXPECT_EQ(r[i].outcome.quality, expected[i]) << i;
  }
  EXPECT_NE(r[1].outcome.reason.find("differs"), std::string::npos) << r[1].outcome.reason;
  EXPECT_EQ(queue->counts().jobs_done, 1u);
  EXPECT_EQ(queue->queued_items(), 0u);
  auto none = queue->check({});
  EXPECT_TRUE(get_within(none).empty());
}

TEST_F(CheckerQueueTest, CheckSplitsAFailedBatchAndFailsOnlyTheAnswerThatFailsAlone) {
  CheckerSettings settings;
  settings.max_attempts = 2;
  auto queue = make_queue(settings);
  // One job, one batch: the checker's rule splits it (before, only batches mixing jobs were split, and
  // the validator split the rest itself).
  auto pending = queue->check({item("probe", "a"), item("probe", "b", true, ",\"fail\":true"), item("probe", "c", false)});
  std::vector<CheckResult> r = get_within(pending);
  ASSERT_EQ(r.size(), 3u);
  ASSERT_EQ(r[0].kind, Kind::checked) << r[0].why;
  EXPECT_EQ(r[0].outcome.quality, 1.0);
  EXPECT_NE(r[0].outcome.reason.find("batch 1"), std::string::npos) << "checked alone: " << r[0].outcome.reason;
  ASSERT_EQ(r[1].kind, Kind::failed);
  EXPECT_NE(r[1].why.find("answer 1"), std::string::npos) << r[1].why;
  EXPECT_NE(r[1].why.find("poisoned"), std::string::npos) << r[1].why;
  ASSERT_EQ(r[2].kind, Kind::checked) << r[2].why;
  EXPECT_EQ(r[2].outcome.quality, 0.0);
  // Two attempts at the batch, then three calls alone, one of which fails.
  EXPECT_EQ(queue->counts().by_task["probe"].failed_check_calls, 3u);
  EXPECT_EQ(queue->counts().by_task["probe"].check_calls, 2u);

  // Through submit and poll, the failed job names the answer that failed alone.
  JobStatus s = wait_finished(*queue, queue->submit({item("probe", "d", true, ",\"fail\":true"), item("probe", "e")}));
  ASSERT_EQ(s.state, JobState::failed);
  ASSERT_EQ(s.answer_errors.size(), 2u);
  EXPECT_NE(s.answer_errors[0].find("poisoned"), std::string::npos) << s.answer_errors[0];
  EXPECT_TRUE(s.answer_errors[1].empty()) << s.answer_errors[1];
}

TEST_F(CheckerQueueTest, CheckOfABatchTheCheckerRefusesFailsEachAnswerWithTheReason) {
  auto queue = make_queue();
  auto pending = queue->check({item("no-such-task", "a"), item("no-such-task", "b")});
  std::vector<CheckResult> r = get_within(pending);
  ASSERT_EQ(r.size(), 2u);
  for (const CheckResult& one : r) {
    EXPECT_EQ(one.kind, Kind::failed);
    EXPECT_NE(one.why.find("unknown task \"no-such-task\""), std::string::npos) << one.why;
  }
}

TEST_F(CheckerQueueTest, CheckWaitsForRoomInAFullQueueAndItsCallerCanStopIt) {
  CheckerSettings settings;
  settings.workers = 1;
  settings.max_queued_items = 2;
  auto queue = make_queue(settings);
  close_gate();
  queue->submit({item("gated", "a"), item("gated", "b")});
  auto waiting = queue->check({item("probe", "c")});
  auto stop = std::make_shared<std::atomic<bool>>(false);
  auto stopped = queue->check({item("probe", "d")}, stop);
  EXPECT_EQ(waiting.wait_for(300ms), std::future_status::timeout) << "a full queue took the batch";
  *stop = true;
  std::vector<CheckResult> r = get_within(stopped, 5s);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, Kind::not_checked);
  EXPECT_FALSE(r[0].why.empty());
  open_gate();
  r = get_within(waiting);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, Kind::checked) << r[0].why;
  EXPECT_EQ(r[0].outcome.quality, 1.0);
}

TEST_F(CheckerQueueTest, AQueueThatStopsTellsAWaitingCheckItsAnswersWereNotChecked) {
  CheckerSettings settings;
  settings.workers = 1;
  settings.max_batch = 1;
  auto queue = make_queue(settings);
  close_gate();
  auto first = queue->check({item("gated", "a")});
  auto second = queue->check({item("gated", "b")});
  // The worker holds "a" at the gate (once it has taken it); stop lets that call finish and leaves
  // "b" waiting.
  std::this_thread::sleep_for(200ms);
  std::thread stopper([&] { queue->stop(); });
  std::this_thread::sleep_for(100ms);
  open_gate();
  stopper.join();
  std::vector<CheckResult> a = get_within(first), b = get_within(second);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_NE(a[0].kind, Kind::failed) << a[0].why;  // checked, or (on a slow start) not taken before the stop
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].kind, Kind::not_checked);
  EXPECT_NE(b[0].why.find("stopped"), std::string::npos) << b[0].why;
}
