// A real checking server process on loopback, spoken to with make_http_checker and with raw HTTP.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <rapidjson/document.h>

#include "child_process.hpp"
#include "nineteen/checker/checker_pool.hpp"
#include "nineteen/checker/http_check_client.hpp"
#include "nineteen/net/http_client.hpp"

using namespace std::chrono_literals;
using nineteen::checker::BatchRejected;
using nineteen::checker::CheckerBusy;
using nineteen::checker::CheckItem;
using nineteen::checker::JobState;
using nineteen::checker::JobStatus;
using test_support::ChildProcess;
using test_support::ScratchDir;

namespace {

// The reverse of "abc de fgh", one chunk per word, as a miner streams it.
const char* kRequest = R"({"text":"abc de fgh","stream":true})";
const char* kRightAnswer = R"([{"index":0,"word":"cba"},{"index":1,"word":"ed"},{"index":2,"word":"hgf"},{"done":true,"words":3}])";
const char* kWrongAnswer = R"([{"index":0,"word":"cba"},{"index":1,"word":"de"},{"index":2,"word":"fgh"},{"done":true,"words":3}])";

class CheckerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate = dir.file("gate");
    dir.write("tasks.toml", "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"reverse\"\n"
                            "[tasks.gated]\nplugin = \"check_probe\"\ngate_file = \"" + gate + "\"\n");
  }

  void TearDown() override {
    std::filesystem::remove(gate);  // never leave a worker held
  }

  std::string start_checker(const std::string& extra = "", const std::string& name = "checker") {
    dir.write(name + ".toml", std::string("[checker]\ntasks_file = \"tasks.toml\"\nplugins = \"") + CHECKER_PLUGIN_DIR +
                                  "\"\nworkers = 1\nmax_queued_items = 4\nretry_delay_ms = 1\n" + extra);
    checker = std::make_unique<ChildProcess>(CHECKER_MAIN, std::vector<std::string>{"--config", dir.file(name + ".toml")},
                                             dir.file(name + ".log"));
    auto url = checker->wait_for_line(std::regex("^checker listening on (http://[0-9.]+:[0-9]+)$"));
    EXPECT_TRUE(url) << checker->output();
    return url.value_or("http://127.0.0.1:1");
  }

  nineteen::net::ClientResult post(const std::string& url, const std::string& body) {
    nineteen::net::ClientRequest r;
    r.method = "POST";
    r.url = url + "/check";
    r.body = body;
    r.headers.set("Content-Type", "application/json");
    return client.send(r);
  }
  nineteen::net::ClientResult get(const std::string& url) {
    nineteen::net::ClientRequest r;
    r.url = url;
    return client.send(r);
  }

  static rapidjson::Document json(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    EXPECT_FALSE(d.HasParseError()) << body;
    return d;
  }
  static std::string error_code(const std::string& body) {
    rapidjson::Document d = json(body);
    if (!d.IsObject() || !d.HasMember("error") || !d["error"].IsObject()) return "(not an error: " + body + ")";
    return d["error"]["code"].IsString() ? d["error"]["code"].GetString() : "(no code)";
  }

  static JobStatus wait_finished(nineteen::checker::CheckService& service, const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      JobStatus s = service.poll(id);
      if (s.state != JobState::pending) return s;
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "job " << id << " still pending after 20 s";
    return {};
  }

  ScratchDir dir{"checker-process"};
  std::string gate;
  std::unique_ptr<ChildProcess> checker;
  nineteen::net::HttpClient client;
};

}  // namespace

TEST_F(CheckerProcessTest, ScoresARightAndAWrongTextTransformAnswerThroughTheHttpClient) {
  const std::string url = start_checker();
  auto service = nineteen::checker::make_http_checker(url);
  const std::string id = service->submit({{"reverse-words", kRequest, kRightAnswer}, {"reverse-words", kRequest, kWrongAnswer}});
  JobStatus s = wait_finished(*service, id);
  ASSERT_EQ(s.state, JobState::done) << s.error;
  ASSERT_EQ(s.outcomes.size(), 2u);
  EXPECT_EQ(s.outcomes[0].quality, 1.0);
  EXPECT_EQ(s.outcomes[0].reason, "3 of 3 words match the reference");
  EXPECT_LT(s.outcomes[1].quality, 1.0);
  EXPECT_NEAR(s.outcomes[1].quality, 1.0 / 3, 1e-9);
  EXPECT_EQ(s.outcomes[1].reason, "1 of 3 words match the reference");
  // Handed out once.
  EXPECT_EQ(service->poll(id).state, JobState::unknown);

  try {
    service->submit({{"no-such-task", kRequest, kRightAnswer}});
    ADD_FAILURE() << "unknown task accepted";
  } catch (const BatchRejected& e) {
    EXPECT_NE(std::string(e.what()).find("unknown task \"no-such-task\""), std::string::npos) << e.what();
  }
}

TEST_F(CheckerProcessTest, RawHttpAnswersTheDocumentedStatuses) {
  const std::string url = start_checker();

  auto r = post(url, "{\"items\": [");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r.body), "invalid_json");

  r = post(url, R"({"items":[{"task":"reverse-words","request":{"text":"a"}}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r.body), "invalid_batch");
  EXPECT_EQ(json(r.body)["error"]["param"].GetString(), std::string("items[0].response"));

  r = post(url, R"({"items":[{"task":"chat-huge","request":"{}","response":"[]"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown task \\\"chat-huge\\\""), std::string::npos) << r.body;

  r = get(url + "/check?id=0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r.body), "job_not_found");
  r = get(url + "/check");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r.body), "missing_id");

  // Request and response may be embedded JSON values instead of strings holding JSON text.
  r = post(url, std::string(R"({"items":[{"task":"reverse-words","request":)") + kRequest + R"(,"response":)" +
                    kRightAnswer + "}]}");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = json(r.body)["id"].GetString();
  rapidjson::Document status;
  for (int i = 0; i < 2000; ++i) {
    auto poll = get(url + "/check?id=" + id);
    ASSERT_EQ(poll.status, 200) << poll.body;
    status = json(poll.body);
    if (std::string(status["status"].GetString()) != "pending") break;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(status["id"].GetString(), id);
  ASSERT_EQ(status["status"].GetString(), std::string("done"));
  ASSERT_EQ(status["results"].Size(), 1u);
  EXPECT_EQ(status["results"][0]["quality"].GetDouble(), 1.0);
  EXPECT_TRUE(status["error"].IsNull());
}

TEST_F(CheckerProcessTest, AFullQueueAnswers503WithRetryAfterAndNoJobId) {
  const std::string url = start_checker();
  std::ofstream(gate) << "closed";
  const std::string item = R"({"task":"gated","request":{"text":"x"},"response":[{"echo":"x"}]})";
  auto first = post(url, "{\"items\":[" + item + "," + item + "," + item + "," + item + "]}");
  ASSERT_EQ(first.status, 202) << first.body;

  auto full = post(url, "{\"items\":[" + item + "]}");
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(error_code(full.body), "queue_full");
  ASSERT_TRUE(full.headers.get("Retry-After")) << full.body;
  EXPECT_GE(std::stoi(*full.headers.get("Retry-After")), 1);
  EXPECT_FALSE(json(full.body).HasMember("id")) << full.body;

  auto service = nineteen::checker::make_http_checker(url);
  try {
    service->submit({{"gated", R"({"text":"y"})", R"([{"echo":"y"}])"}});
    ADD_FAILURE() << "a full checker accepted a batch";
  } catch (const CheckerBusy& e) {
    EXPECT_GE(e.retry_after_s, 1.0);
  }

  std::filesystem::remove(gate);
  JobStatus s = wait_finished(*service, json(first.body)["id"].GetString());
  ASSERT_EQ(s.state, JobState::done) << s.error;
  EXPECT_EQ(s.outcomes.size(), 4u);
}

TEST_F(CheckerProcessTest, HealthAndMetricsDescribeTheTasksAndTheQueue) {
  const std::string url = start_checker();
  auto service = nineteen::checker::make_http_checker(url);
  wait_finished(*service, service->submit({{"reverse-words", kRequest, kRightAnswer}}));

  auto health = get(url + "/health");
  ASSERT_EQ(health.status, 200);
  rapidjson::Document h = json(health.body);
  EXPECT_EQ(h["status"].GetString(), std::string("ok"));
  EXPECT_EQ(h["max_queued_items"].GetUint(), 4u);
  ASSERT_EQ(h["tasks"].Size(), 2u);
  EXPECT_EQ(h["tasks"][1]["name"].GetString(), std::string("reverse-words"));
  EXPECT_EQ(h["tasks"][1]["state"].GetString(), std::string("ready"));

  auto metrics = get(url + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("nineteen_checker_items_checked_total{task=\"reverse-words\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("nineteen_checker_queue_items 0"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("nineteen_checker_check_seconds_count{task=\"reverse-words\"} 1"), std::string::npos);
}

TEST_F(CheckerProcessTest, StopsCleanlyOnSigterm) {
  start_checker();
  checker->signal(SIGTERM);
  auto code = checker->wait_exit(15s);
  ASSERT_TRUE(code) << checker->output();
  EXPECT_EQ(*code, 0) << checker->output();
  EXPECT_NE(checker->output().find("checker stopped"), std::string::npos) << checker->output();
}

TEST_F(CheckerProcessTest, ABadConfigStopsTheStartWithTheFileAndKey) {
  dir.write("bad.toml", "[checker]\nworkers = \"many\"\n");
  ChildProcess bad(CHECKER_MAIN, {"--config", dir.file("bad.toml")}, dir.file("bad.log"));
  auto code = bad.wait_exit(15s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1);
  EXPECT_NE(bad.output().find(dir.file("bad.toml") + ":2: key \"checker.workers\""), std::string::npos) << bad.output();

  dir.write("unknown.toml", "[checker]\ntasks_file = \"tasks.toml\"\ntasks = [\"nope\"]\n");
  ChildProcess unknown(CHECKER_MAIN, {"--config", dir.file("unknown.toml")}, dir.file("unknown.log"));
  code = unknown.wait_exit(15s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1);
  EXPECT_NE(unknown.output().find("key \"checker.tasks\": task \"nope\" is not in"), std::string::npos) << unknown.output();
}

TEST(HttpChecker, NothingListeningIsAClearError) {
  auto service = nineteen::checker::make_http_checker("http://127.0.0.1:1");
  try {
    service->submit({{"reverse-words", kRequest, kRightAnswer}});
    ADD_FAILURE() << "submitted to nothing";
  } catch (const CheckerBusy&) {
    ADD_FAILURE() << "busy is for a full queue, not for a checker that is not there";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach the checker at http://127.0.0.1:1"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(service->poll("abc"), std::runtime_error);
  // Not an id this checker could have given: no request is made.
  EXPECT_EQ(service->poll("../health").state, JobState::unknown);
  EXPECT_THROW(nineteen::checker::make_http_checker("ftp://example.org"), std::invalid_argument);
}

// Issue 22: `checker = [a, b]` spreads batches over two real checking servers; one that goes down is
// skipped (its batches go to the other) and nothing is lost.
TEST_F(CheckerProcessTest, APoolSpreadsBatchesOverCheckersAndSkipsOneThatIsDown) {
  const std::string first = start_checker();
  std::unique_ptr<ChildProcess> first_process = std::move(checker);
  const std::string second = start_checker("", "second");
  ASSERT_NE(first, second);
  auto pool = nineteen::checker::make_http_checkers({first, second});
  std::set<std::string> used;
  for (int i = 0; i < 4; ++i) {
    const std::string id = pool->submit({{"reverse-words", kRequest, kRightAnswer}});
    used.insert(id.substr(0, id.find(':')));
    JobStatus s = wait_finished(*pool, id);
    ASSERT_EQ(s.state, JobState::done) << s.error;
    EXPECT_EQ(s.outcomes.at(0).quality, 1.0);
  }
  EXPECT_EQ(used.size(), 2u) << "batches went round-robin to both checkers";

  first_process->signal(SIGKILL);
  first_process->wait_exit(5s);
  for (int i = 0; i < 4; ++i) {
    const std::string id = pool->submit({{"reverse-words", kRequest, kWrongAnswer}});
    EXPECT_EQ(id.substr(0, 2), "1:") << "the dead checker is skipped";
    JobStatus s = wait_finished(*pool, id);
    ASSERT_EQ(s.state, JobState::done) << s.error;
    EXPECT_NEAR(s.outcomes.at(0).quality, 1.0 / 3, 1e-9);
  }
  // Both down: a clear error naming each.
  checker->signal(SIGKILL);
  checker->wait_exit(5s);
  try {
    pool->submit({{"reverse-words", kRequest, kRightAnswer}});
    ADD_FAILURE() << "a pool with every checker down accepted a batch";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(first), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(second), std::string::npos) << e.what();
  }
}

// Issue 15, item 2: check() over HTTP hides submit, poll and the retries.

using nineteen::checker::CheckResult;
using Kind = nineteen::checker::CheckResult::Kind;

TEST_F(CheckerProcessTest, CheckOverHttpGivesOneResultPerAnswerAndNamesTheOneThatFailedAlone) {
  const std::string url = start_checker();
  auto service = nineteen::checker::make_http_checker(url);
  auto pending = service->check({{"reverse-words", kRequest, kRightAnswer}, {"reverse-words", kRequest, kWrongAnswer}});
  ASSERT_EQ(pending.wait_for(20s), std::future_status::ready);
  std::vector<CheckResult> r = pending.get();
  ASSERT_EQ(r.size(), 2u);
  ASSERT_EQ(r[0].kind, Kind::checked) << r[0].why;
  EXPECT_EQ(r[0].outcome.quality, 1.0);
  ASSERT_EQ(r[1].kind, Kind::checked) << r[1].why;
  EXPECT_NEAR(r[1].outcome.quality, 1.0 / 3, 1e-9);

  // The server's rule splits the failed batch; the wire names the answer that failed alone. The
  // other answers were not the cause: over HTTP they come back to be sent again.
  pending = service->check({{"gated", R"({"text":"a"})", R"([{"echo":"a"}])"},
                            {"gated", R"({"text":"b","fail":true})", R"([{"echo":"b"}])"}});
  ASSERT_EQ(pending.wait_for(20s), std::future_status::ready);
  r = pending.get();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].kind, Kind::not_checked) << r[0].why;
  ASSERT_EQ(r[1].kind, Kind::failed) << r[1].why;
  EXPECT_NE(r[1].why.find("answer 1"), std::string::npos) << r[1].why;
  EXPECT_NE(r[1].why.find("poisoned"), std::string::npos) << r[1].why;
}

TEST(HttpChecker, CheckKeepsTryingACheckerOutOfReachUntilStopped) {
  auto service = nineteen::checker::make_http_checker("http://127.0.0.1:1");
  nineteen::checker::CheckPacing pacing;
  pacing.unreachable_pause = 50ms;
  service->set_pacing(pacing);
  auto stop = std::make_shared<std::atomic<bool>>(false);
  auto pending = service->check({{"reverse-words", kRequest, kRightAnswer}}, stop);
  EXPECT_EQ(pending.wait_for(500ms), std::future_status::timeout) << "an unreachable checker ended the check";
  *stop = true;
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready) << "the stop was not prompt";
  std::vector<CheckResult> r = pending.get();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, Kind::not_checked) << "an answer must not be given up because the checker is away";
}
