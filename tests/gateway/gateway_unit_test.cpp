// The gateway's pure parts with worked numbers: token bucket, key text, retry rule, settings,
// usage ledger over a real store file, escaping on the status page and in metrics.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include <rapidjson/document.h>

#include "child_process.hpp"
#include "nineteen/gateway/after_answer_queue.hpp"
#include "nineteen/gateway/api_key_gate.hpp"
#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/gateway/attempt_verdict.hpp"
#include "nineteen/gateway/checkable_request.hpp"
#include "nineteen/gateway/gateway_metrics.hpp"
#include "nineteen/gateway/gateway_settings.hpp"
#include "nineteen/gateway/key_usage_ledger.hpp"
#include "nineteen/gateway/model_listing.hpp"
#include "nineteen/gateway/rate_limit_headers.hpp"
#include "nineteen/gateway/request_rate_bucket.hpp"
#include "nineteen/gateway/responses_translation.hpp"
#include "nineteen/gateway/status_page.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

using namespace std::chrono_literals;
using namespace nineteen::gateway;
using nineteen::validator::QueryResult;

TEST(RequestRateBucket, StartsFullRefillsAtItsRateAndSaysWhenToRetry) {
  auto t0 = RequestRateBucket::Clock::time_point{} + 1000s;
  RequestRateBucket bucket(6, t0);  // one token every 10 s, burst of 6
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(bucket.take(t0)) << i;
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_DOUBLE_EQ(bucket.seconds_until(t0), 10.0);
  EXPECT_FALSE(bucket.take(t0 + 9s));
  EXPECT_NEAR(bucket.seconds_until(t0 + 9s), 1.0, 1e-9);
  EXPECT_TRUE(bucket.take(t0 + 10s));
  EXPECT_FALSE(bucket.take(t0 + 10s));
  // Idle for an hour: refills to the burst, not beyond.
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(bucket.take(t0 + 3600s)) << i;
  EXPECT_FALSE(bucket.take(t0 + 3600s));
  // No limit.
  RequestRateBucket open(0, t0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(open.take(t0));
  EXPECT_EQ(open.seconds_until(t0), 0);
  // A lower rate keeps at most the new burst.
  RequestRateBucket changed(60, t0);
  changed.set_rate(2, t0);
  EXPECT_TRUE(changed.take(t0));
  EXPECT_TRUE(changed.take(t0));
  EXPECT_FALSE(changed.take(t0));
}

TEST(ApiKeyText, KeysAreFreshNtHexAndHashedWithSha256) {
  std::string a = new_api_key(), b = new_api_key();
  EXPECT_TRUE(std::regex_match(a, std::regex("nt-[0-9a-f]{32}"))) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(api_key_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(bearer_token("Bearer nt-1"), "nt-1");
  EXPECT_EQ(bearer_token("  bearer   nt-2  "), "nt-2");
  EXPECT_FALSE(bearer_token("Basic abc"));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer   "));
  EXPECT_FALSE(bearer_token("Bearernt-1"));
  EXPECT_FALSE(bearer_token(""));
}

TEST(AttemptVerdict, RetriesOnlyWhatAnotherMinerCouldServeAndNeverAfterAChunkWentOut) {
  QueryResult ok;
  ok.outcome = nineteen::scoring::Outcome::success;
  ok.status = 200;
  EXPECT_EQ(judge_attempt(ok, 0), AttemptVerdict::answered);
  EXPECT_EQ(judge_attempt(ok, 5), AttemptVerdict::answered);
  QueryResult r;
  for (int status : {0, 401, 403, 404, 408, 429, 500, 502, 503, 200}) {
    r.status = status;
    r.outcome = status == 429 ? nineteen::scoring::Outcome::rate_limited : nineteen::scoring::Outcome::failed;
    EXPECT_EQ(judge_attempt(r, 0), AttemptVerdict::try_next) << status;
    EXPECT_EQ(judge_attempt(r, 1), AttemptVerdict::stream_cut) << status;
  }
  for (int status : {400, 413, 422}) {
    r.status = status;
    EXPECT_EQ(judge_attempt(r, 0), AttemptVerdict::refused) << status;
  }
}

TEST(GatewaySettings, ReadsTheTableAndNamesFileLineAndKeyOnErrors) {
  EXPECT_FALSE(parse_gateway_settings("v.toml", "[validator]\nhotkey = \"k\"\n"));
  auto s = parse_gateway_settings("v.toml", "[validator]\n[gateway]\naddress = \"0.0.0.0\"\nport = 8080\nmax_attempts = 5\n"
                                            "key_cache_s = 0\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, "0.0.0.0");
  EXPECT_EQ(s->port, 8080);
  EXPECT_EQ(s->max_attempts, 5);
  EXPECT_EQ(s->key_cache_s, 0);
  EXPECT_EQ(s->handler_threads, 64);
  auto error_of = [](const std::string& text) {
    try {
      parse_gateway_settings("v.toml", text);
    } catch (const GatewaySettingsError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of("[gateway]\nport = 70000\n"), "v.toml:2: key \"gateway.port\": expected an integer from 0 to 65535");
  EXPECT_EQ(error_of("[gateway]\nport = \"80\"\n"), "v.toml:2: key \"gateway.port\": expected an integer from 0 to 65535");
  EXPECT_EQ(error_of("[gateway]\n\nprot = 80\n"),
            "v.toml:3: unknown key \"gateway.prot\" (known: address, port, handler_threads, max_body_bytes, "
            "max_attempts, key_cache_s, usage_flush_s, tls_certificate, tls_private_key)");
  EXPECT_EQ(error_of("[gateway]\ntls_certificate = \"cert.pem\"\n"),
            "v.toml: [gateway] sets only one of tls_certificate and tls_private_key; HTTPS needs both (or neither, "
            "for plain HTTP)");
  EXPECT_EQ(error_of("[gateway]\ntls_private_key = 3\n"),
            "v.toml:2: key \"gateway.tls_private_key\": expected the path of a PEM file");
  EXPECT_EQ(error_of("gateway = 3\n"), "v.toml:1: \"gateway\" must be a table ([gateway] with address, port, ...)");
  EXPECT_NE(error_of("[gateway\n").find("v.toml:1:"), std::string::npos);
  EXPECT_EQ(error_of("[gateway]\nmax_attempts = 0\n"), "v.toml:2: key \"gateway.max_attempts\": expected an integer from 1 to 100");
}

TEST(UtcDay, DaysAndTheTimeToMidnight) {
  auto t = std::chrono::system_clock::time_point{} + std::chrono::seconds(1738281600 + 3600);  // 2025-01-31 01:00Z
  EXPECT_EQ(utc_day(t), "2025-01-31");
  EXPECT_DOUBLE_EQ(seconds_to_utc_midnight(t), 23 * 3600.0);
}

class GatewayStoreTest : public ::testing::Test {
 protected:
  test_support::ScratchDir dir{"gateway-unit"};
  std::shared_ptr<nineteen::store::SqliteValidatorStore> store =
      std::make_shared<nineteen::store::SqliteValidatorStore>(dir.file("validator.db"));

  nineteen::store::ApiKeyRecord add_key(const std::string& key, double rpm, double work_per_day,
                                        double work_per_minute = 0) {
    nineteen::store::ApiKeyRecord r;
    r.key_hash = api_key_hash(key);
    r.name = "user-" + key;
    r.requests_per_minute = rpm;
    r.work_per_day = work_per_day;
    r.work_per_minute = work_per_minute;
    r.created_at = std::chrono::system_clock::now();
    r.id = store->add_api_key(r);
    return r;
  }
};

TEST_F(GatewayStoreTest, LedgerCountsAtOnceAndWritesInBatches) {
  auto key = add_key("nt-a", 0, 0);
  const std::string day = "2025-01-31";
  store->add_api_key_usage(key.id, "chat", day, 3, 30);  // from an earlier run
  KeyUsageLedger ledger(store);
  EXPECT_DOUBLE_EQ(ledger.work_on(key.id, day), 30);
  ledger.add(key.id, "chat", day, 1, 12.5);
  ledger.add(key.id, "words", day, 1, 2);
  ledger.add(key.id, "words", day, 1, -5);  // nothing to bill
  EXPECT_DOUBLE_EQ(ledger.work_on(key.id, day), 44.5);
  EXPECT_TRUE(ledger.has_pending());
  EXPECT_EQ(store->api_key_usage(key.id, day).size(), 1u);  // not written yet
  ledger.flush();
  EXPECT_FALSE(ledger.has_pending());
  auto rows = store->api_key_usage(key.id, day);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].task, "chat");
  EXPECT_EQ(rows[0].requests, 4u);
  EXPECT_DOUBLE_EQ(rows[0].work, 42.5);
  EXPECT_EQ(rows[1].task, "words");
  EXPECT_EQ(rows[1].requests, 2u);
  EXPECT_DOUBLE_EQ(rows[1].work, 2);
  // A fresh ledger (a restarted gateway) reads the same total back.
  EXPECT_DOUBLE_EQ(KeyUsageLedger(store).work_on(key.id, day), 44.5);
}

TEST_F(GatewayStoreTest, GateRefusesMissingUnknownRevokedAndOverLimitKeys) {
  KeyUsageLedger ledger(store);
  ApiKeyGate gate(store, ledger, 0ms);
  EXPECT_EQ(gate.admit(std::nullopt).status, 401);
  EXPECT_EQ(gate.admit(std::nullopt).code, "missing_api_key");
  EXPECT_EQ(gate.admit("Bearer nt-nobody").code, "invalid_api_key");
  EXPECT_EQ(gate.admit("Token nt-a").code, "invalid_api_key");

  auto limited = add_key("nt-limited", 2, 0);
  EXPECT_EQ(gate.admit("Bearer nt-limited").status, 200);
  EXPECT_EQ(gate.admit("Bearer nt-limited").status, 200);
  Admission third = gate.admit("Bearer nt-limited");
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(third.code, "rate_limit_exceeded");
  EXPECT_EQ(third.retry_after_s, 30);  // 2 a minute: the next token in 30 s
  ASSERT_TRUE(third.key);
  EXPECT_EQ(third.key->name, "user-nt-limited");

  auto daily = add_key("nt-daily", 0, 10);
  EXPECT_EQ(gate.admit("Bearer nt-daily").status, 200);
  ledger.add(daily.id, "chat", utc_day(std::chrono::system_clock::now()), 1, 10);
  Admission over = gate.admit("Bearer nt-daily");
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.code, "daily_work_exceeded");
  EXPECT_GE(over.retry_after_s, 1);
  EXPECT_LE(over.retry_after_s, 86400);

  auto revoked = add_key("nt-revoked", 0, 0);
  EXPECT_EQ(gate.admit("Bearer nt-revoked").status, 200);
  store->revoke_api_key(revoked.id, std::chrono::system_clock::now());
  Admission gone = gate.admit("Bearer nt-revoked");
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(gone.code, "revoked_api_key");
}

TEST_F(GatewayStoreTest, WorkPerMinuteRefusesAKeyInDebtUntilItsBucketRefills) {
  KeyUsageLedger ledger(store);
  ApiKeyGate gate(store, ledger, 0ms);
  auto key = add_key("nt-tokens", 0, 0, 600);  // 600 tokens a minute: 10 a second
  ASSERT_DOUBLE_EQ(store->api_key_by_hash(api_key_hash("nt-tokens"))->work_per_minute, 600);
  EXPECT_EQ(gate.admit("Bearer nt-tokens").status, 200);
  gate.charge_work(key, 500);  // an answer of 500 tokens: 100 left
  EXPECT_EQ(gate.admit("Bearer nt-tokens").status, 200);
  gate.charge_work(key, 400);  // 300 tokens in debt
  Admission over = gate.admit("Bearer nt-tokens");
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.code, "work_rate_exceeded");
  EXPECT_GE(over.retry_after_s, 29);  // 300 tokens at 10 a second
  EXPECT_LE(over.retry_after_s, 31);
  // Other keys are not touched.
  add_key("nt-free", 0, 0);
  EXPECT_EQ(gate.admit("Bearer nt-free").status, 200);
}

TEST_F(GatewayStoreTest, CachedKeysAreTrustedOnlyForTheCacheTime) {
  KeyUsageLedger ledger(store);
  ApiKeyGate gate(store, ledger, 1000ms);
  auto key = add_key("nt-c", 0, 0);
  EXPECT_EQ(gate.admit("Bearer nt-c").status, 200);
  store->revoke_api_key(key.id, std::chrono::system_clock::now());
  EXPECT_EQ(gate.admit("Bearer nt-c").status, 200);  // still cached
  std::this_thread::sleep_for(1050ms);
  EXPECT_EQ(gate.admit("Bearer nt-c").status, 401);
}

TEST(AfterAnswerQueue, RunsJobsInOrderOffTheCallerAndFlushesOnDrainAndStop) {
  std::mutex m;
  std::vector<int> seen;
  int idles = 0;
  std::thread::id caller = std::this_thread::get_id(), runner;
  AfterAnswerQueue queue([&] { std::lock_guard<std::mutex> l(m); idles++; }, 10s);
  for (int i = 0; i < 100; ++i) {
    queue.post([&, i] {
      std::lock_guard<std::mutex> l(m);
      seen.push_back(i);
      runner = std::this_thread::get_id();
    });
  }
  queue.drain();
  {
    std::lock_guard<std::mutex> l(m);
    ASSERT_EQ(seen.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i);
    EXPECT_NE(runner, caller);
    EXPECT_GE(idles, 1);
  }
  int before = idles;
  queue.post([] { throw std::runtime_error("a failing job is logged, not fatal"); });
  queue.stop();
  EXPECT_GT(idles, before);
  bool ran = false;
  queue.post([&] { ran = true; });  // after stop: on the caller's thread
  EXPECT_TRUE(ran);
}

TEST(StatusPage, EscapesEveryOutsideTextAndShowsContendersAndWeights) {
  StatusPageData data;
  nineteen::validator::OrganicTask task;
  task.name = "chat<b>";
  task.endpoint = "/v1/chat/completions";
  task.work_unit = "tokens";
  data.tasks.push_back(task);
  nineteen::validator::ContenderStatus c;
  c.task = "chat<b>";
  c.miner_hotkey = "5F<script>alert(1)</script>";
  c.uid = 7;
  c.capacity = 1000;
  c.requests = 12;
  c.rate_limited = 3;
  c.healthy = false;
  c.weight = 0.25;
  data.contenders.push_back(c);
  data.weight_setting_id = 4;
  nineteen::store::WeightBreakdownRecord w;
  w.task = "chat<b>";
  w.miner_hotkey = "5F\"x'";
  w.figures.uid = 7;
  w.final_weight = 0.25;
  data.weights.push_back(w);
  std::string html = render_status_page(data);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("chat<b>"), std::string::npos);
  EXPECT_NE(html.find("title=\"5F&lt;script&gt;alert(1)&lt;/script&gt;\""), std::string::npos) << html;
  EXPECT_NE(html.find("Task chat&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("5F&quot;x&#39;"), std::string::npos);
  EXPECT_NE(html.find("Weight setting 4"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"bad\">no</td>"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "no external asset";
  data.weight_setting_id.reset();
  EXPECT_NE(render_status_page(data).find("No weights were set yet"), std::string::npos);
}


TEST(StatusPage, ShowsEachValidatorsWeightsBesideTheChainsConsensus) {
  StatusPageData data;
  ConsensusView view;
  view.epoch_block = 80;
  view.validators = {{"5Honest0000000000000000000000000000000000000", 0, 0.6, 1.0, 0.6306},
                     {"5Favour<i>000000000000000000000000000000000000", 2, 0.1, 0.55, 0.0577}};
  ConsensusView::Miner wrong;
  wrong.hotkey = "5Wrong0000000000000000000000000000000000000000";
  wrong.uid = 5;
  wrong.weights = {0.0, 0.45};
  wrong.consensus = 0;
  wrong.incentive = 0;
  view.miners.push_back(wrong);
  data.consensus = view;
  const std::string html = render_status_page(data);
  EXPECT_NE(html.find("Chain consensus"), std::string::npos);
  EXPECT_NE(html.find("epoch at block 80"), std::string::npos) << html;
  EXPECT_NE(html.find("v2 weight"), std::string::npos);
  EXPECT_NE(html.find("0.4500"), std::string::npos);
  EXPECT_NE(html.find("0.0577"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos) << "escaped";
  // The same tables in /status.json, read back as `nineteen status` does.
  const auto report = nineteen::net::parse_status_report_json(nineteen::net::status_report_json(status_report(data)));
  bool miners = false, validators = false;
  for (const auto& t : report.tables) {
    miners = miners || (t.id == "consensus" && t.rows.size() == 1 && t.columns.size() == 6);
    validators = validators || (t.id == "consensus_validators" && t.rows.size() == 2);
  }
  EXPECT_TRUE(miners);
  EXPECT_TRUE(validators);
  // The task votes beside the effective task weights (page and JSON).
  data.consensus->validators[0].stake = 600;
  data.consensus->validators[0].task_votes = {{"chat", 0.7}, {"reverse", 0.3}};
  data.consensus->validators[1].stake = 100;
  data.consensus->validators[1].task_votes = {{"chat", 0.1}, {"reverse", 0.9}};
  std::vector<nineteen::scoring::TaskWeightBounds> catalogue = {{"chat", 0.5, 0, 0.6}, {"reverse", 0.5, 0, 1}};
  data.consensus->task_weights =
      nineteen::scoring::effective_task_weights(catalogue, nineteen::chain::task_votes_of(*data.consensus));
  const std::string with_votes = render_status_page(data);
  EXPECT_NE(with_votes.find("Task weights"), std::string::npos);
  EXPECT_NE(with_votes.find("stake-weighted median of the 2 votes"), std::string::npos) << with_votes;
  // chat: median 0.7 clipped to its bound 0.6, so reverse 0.3 becomes 0.4.
  EXPECT_NE(with_votes.find("0.4000"), std::string::npos);
  bool task_table = false;
  for (const auto& t : nineteen::net::parse_status_report_json(nineteen::net::status_report_json(status_report(data))).tables) {
    task_table = task_table || (t.id == "task_weights" && t.rows.size() == 2 && t.columns.size() == 5);
  }
  EXPECT_TRUE(task_table);
  // A chain that cannot be read says so on the page instead of failing it.
  data.consensus = ConsensusView{};
  data.consensus->error = "ws://127.0.0.1:9 state_call: connection refused";
  EXPECT_NE(render_status_page(data).find("The chain could not be read: ws://127.0.0.1:9"), std::string::npos);
}

namespace {

const std::string kHotkeyA = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const std::string kHotkeyB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const std::string kHotkeyC = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";

// MECHANISM.md §7's example: E = 3, 2, 1 → task shares 0.750, 0.222, 0.028 (one task, w_t = 1).
nineteen::store::WeightBreakdownRecord worked_row(const std::string& hotkey, std::uint16_t uid, double e, double share) {
  nineteen::store::WeightBreakdownRecord w;
  w.miner_hotkey = hotkey;
  w.task = "chat";
  w.task_weight = 1;
  w.figures.uid = uid;
  w.figures.checked_answers = 10;
  w.figures.quality = 0.8;
  w.figures.speed = 12;
  w.figures.speed_rank = uid - 1;
  w.figures.speed_bonus = 0.5 * (0.5 - (uid - 1) / 2.0);
  w.figures.combined_quality = 0.8 * (1 + w.figures.speed_bonus);
  w.figures.scored_periods = 9;
  w.figures.period_history = 0.5;
  w.figures.capacity = e / (w.figures.combined_quality * 0.5);
  w.figures.effective_volume = e;
  w.figures.task_score = share;
  w.total_score = share;
  w.final_weight = share;
  return w;
}

StatusPageData worked_history(int settings) {
  StatusPageData data;
  nineteen::validator::OrganicTask task;
  task.name = "chat";
  task.endpoint = "/v1/chat/completions";
  task.work_unit = "tokens";
  data.tasks.push_back(task);
  for (int i = 1; i <= settings; ++i) {
    WeightSettingRows s{i, {worked_row(kHotkeyA, 1, 3, 27.0 / 36), worked_row(kHotkeyB, 2, 2, 8.0 / 36),
                            worked_row(kHotkeyC, 3, 1, 1.0 / 36)}};
    s.rows[0].final_weight = 0.5 + 0.25 * i / settings;  // A's weight rises over the settings
    data.weight_history.push_back(s);
  }
  data.weight_setting_id = settings;
  data.weights = data.weight_history.back().rows;
  nineteen::store::WeightSubmissionRecord sub;
  sub.accepted = true;
  sub.block = 1234;
  sub.uids = {1, 2, 3};
  sub.values = {65535, 19418, 2427};
  data.last_submission = sub;
  return data;
}

}  // namespace

TEST(StatusPage, ChartsEachMinersWeightAndPeriodScoreOverTheStoredSettings) {
  StatusPageData data = worked_history(4);
  PeriodCounts p1{7, {}};
  nineteen::store::PeriodContender c;
  c.miner_hotkey = kHotkeyA;
  c.uid = 1;
  c.task = "chat";
  c.counts.total = 10;
  c.counts.failed = 2;
  p1.contenders.push_back(c);
  data.recent_periods.push_back(p1);
  data.answer_times.push_back(AnswerTimes{"chat", kHotkeyA, 1, 40, 0.25, 1.5});
  const std::string html = render_status_page(data);
  for (const char* chart : {"weight", "period-score", "error-rate", "latency"}) {
    EXPECT_NE(html.find(std::string("data-chart=\"") + chart + "\""), std::string::npos) << chart;
  }
  // A's weight: 0.5625, 0.625, 0.6875, 0.75 over settings #1..#4, each a point with its value on hover.
  EXPECT_NE(html.find("<title>uid 1 5Grwva\xE2\x80\xA6utQY at #1: 0.562</title>"), std::string::npos) << html;
  EXPECT_NE(html.find("<title>uid 1 5Grwva\xE2\x80\xA6utQY at #4: 0.750</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>uid 1 5Grwva\xE2\x80\xA6utQY at p7: 0.200</title>"), std::string::npos) << "2 of 10 failed";
  EXPECT_NE(html.find("<title>uid 1 p99: 1.500</title>"), std::string::npos);
  EXPECT_NE(html.find("accepted at block 1234, 3 uids"), std::string::npos);
  // Hotkeys are short, with the full one in the title and a link to the miner's page.
  EXPECT_NE(html.find("title=\"" + kHotkeyB + "\"><a href=\"/miner?hotkey=" + kHotkeyB + "\">5FHneW\xE2\x80\xA6" "94ty</a>"),
            std::string::npos);
  EXPECT_EQ(html.find(">" + kHotkeyB + "<"), std::string::npos) << "never the full hotkey as a cell's text";
  EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "no outside asset";

  // The JSON carries the same facts.
  nineteen::net::StatusReport report = status_report(data);
  EXPECT_EQ(report.kind, "gateway");
  ASSERT_EQ(report.tables.size(), 4u);
  EXPECT_EQ(report.tables[1].id, "weights");
  EXPECT_EQ(report.tables[1].rows.size(), 3u);
  EXPECT_DOUBLE_EQ(report.tables[1].rows[0].back().number, 0.75);
}

TEST(MinerPage, ExplainsTheWeightStepByStepWithTheWorkedNumbers) {
  StatusPageData all = worked_history(2);
  MinerPageData data;
  data.miner_hotkey = kHotkeyB;
  for (const auto& s : all.weight_history) {
    WeightSettingRows mine{s.id, {}};
    for (const auto& r : s.rows) {
      if (r.miner_hotkey == kHotkeyB) mine.rows.push_back(r);
    }
    data.weight_history.push_back(mine);
  }
  data.last_setting_all_miners = all.weights;
  data.last_submission = all.last_submission;
  nineteen::store::PeriodScoreRecord p;
  p.task = "chat";
  p.miner_hotkey = kHotkeyB;
  p.period_id = 9;
  p.score = 0.5;
  data.period_scores.push_back(p);
  const std::string html = render_miner_page(data);
  // B: rank 1 of 3 → bonus 0; CQ = 0.8·1 = 0.8; E = 0.8·0.5·5·1 (served all) = 2; s = 8 / 36 = 0.22222.
  EXPECT_NE(html.find("rank 1 of 3 (0 = fastest)"), std::string::npos) << html;
  EXPECT_NE(html.find("= <b>+0.000</b>"), std::string::npos);
  EXPECT_NE(html.find("CQ_h = max(Q_h, 0)·(1 + bonus) = 0.800 · 1.000 = <b>0.800</b>"), std::string::npos);
  EXPECT_NE(html.find("E_h = CQ_h · P_h · C · served_h = 0.800 · 0.500 · 5.0 · 1.000 = <b>2.0</b>"), std::string::npos);
  EXPECT_NE(html.find("= 8.0 / 36.0 = <b>0.22222</b>"), std::string::npos);
  EXPECT_NE(html.find("μ = 1: more than 8 scored periods"), std::string::npos);
  EXPECT_NE(html.find("W_h = S_h / Σ S over 3 miners = 0.22222 / 1.00000 = <b>0.22222</b>"), std::string::npos);
  EXPECT_NE(html.find("19418 of 65535"), std::string::npos);
  EXPECT_NE(html.find("data-chart=\"weight\""), std::string::npos);
  EXPECT_NE(html.find("<table class=\"period_scores\">"), std::string::npos);

  const std::string missing = render_message_page("Not found", "No miner <x>");
  EXPECT_NE(missing.find("<h1>Not found</h1>\n<p>No miner &lt;x&gt;</p>"), std::string::npos) << missing;
}

TEST(GatewayMetrics, OrganicSummaryPerTaskWithTheBucketsOfItsMedianAndP99) {
  GatewayMetrics m;
  for (int i = 0; i < 8; ++i) m.request_done("chat", 200, "k");
  m.request_done("chat", 429, "k");
  m.request_done("chat", 503, "other");
  m.request_done("-", 401, "-");
  // Answered in 0.02 s (x5), 0.2 s (x2) and 20 s (x1): the median is in the 0.025 bucket, the 99th
  // percentile past the last one (10 s).
  for (double t : {0.02, 0.02, 0.02, 0.02, 0.02, 0.2, 0.2, 20.0}) m.latency("chat", t / 2, t);
  std::vector<OrganicSummary> all = m.organic_summaries();
  ASSERT_EQ(all.size(), 1u) << "requests without a task are not a task's";
  const OrganicSummary& chat = all[0];
  EXPECT_EQ(chat.task, "chat");
  EXPECT_EQ(chat.requests, 10u);
  EXPECT_EQ(chat.answered, 8u);
  EXPECT_EQ(chat.refused, 1u);
  EXPECT_EQ(chat.failed, 1u);
  EXPECT_DOUBLE_EQ(chat.p50_at_most_s, 0.025);
  EXPECT_TRUE(std::isinf(chat.p99_at_most_s));

  StatusPageData data;
  data.tasks.push_back(nineteen::validator::OrganicTask{"chat", "text", "/v1/chat/completions", true, "tokens", 1, ""});
  data.organic = all;
  const std::string html = render_status_page(data);
  EXPECT_NE(html.find("Organic requests since the gateway started: 10 (8 answered, 1 refused, 1 failed: 10.0%); "
                      "total time p50 ≤ 0.025 s, p99 &gt; 10 s."),
            std::string::npos)
      << html;
}

TEST(GatewayMetrics, PrometheusTextWithEscapedLabelsAndCumulativeBuckets) {
  GatewayMetrics m;
  m.request_done("chat", 200, "alice \"a\"\n");
  m.request_done("chat", 200, "alice \"a\"\n");
  m.request_done("-", 401, "-");
  m.latency("chat", 0.002, 0.3);
  m.attempt("chat", "retried");
  m.retries("chat", 1);
  std::string text = m.prometheus_text();
  EXPECT_NE(text.find("nineteen_gateway_requests_total{task=\"chat\",status=\"200\",key=\"alice \\\"a\\\"\\n\"} 2\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("nineteen_gateway_requests_total{task=\"-\",status=\"401\",key=\"-\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("nineteen_gateway_first_byte_seconds_bucket{task=\"chat\",le=\"0.001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("nineteen_gateway_first_byte_seconds_bucket{task=\"chat\",le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("nineteen_gateway_request_seconds_bucket{task=\"chat\",le=\"0.25\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("nineteen_gateway_request_seconds_bucket{task=\"chat\",le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("nineteen_gateway_miner_retries_total{task=\"chat\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("nineteen_gateway_miner_attempts_total{task=\"chat\",result=\"retried\"} 1\n"), std::string::npos);
}

// Issue 22: every organic answer stays checkable, and users see only what they asked for.
namespace {
const char* kLlmNeeds =
    R"({"request":{"logprobs":true,"return_token_ids":true},)"
    R"("answer":[{"when":"logprobs","path":"choices[].logprobs","user_sees":null},)"
    R"({"when":"return_token_ids","path":"choices[].token_ids"}]})";
}  // namespace

TEST(CheckableRequest, AsksMinersForWhatTheCheckNeedsAndHidesItFromTheUser) {
  using nineteen::gateway::make_checkable;
  using nineteen::gateway::shape_for_user;
  auto plain = make_checkable(R"({"model":"chat","messages":[{"role":"user","content":"hi"}]})", kLlmNeeds);
  EXPECT_EQ(plain.body,
            R"({"model":"chat","messages":[{"role":"user","content":"hi"}],"logprobs":true,"return_token_ids":true})");
  ASSERT_EQ(plain.shaping.hidden.size(), 2u);
  const std::string chunk =
      R"({"id":"x","choices":[{"index":0,"delta":{"content":"Hi"},"token_ids":[7],)"
      R"("logprobs":{"content":[{"token":"Hi","logprob":-0.5}]},"finish_reason":null}]})";
  EXPECT_EQ(shape_for_user(chunk, plain.shaping).at(0),
            R"({"id":"x","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]})");

  // A user who asked for logprobs keeps them; an explicit false is overridden and hidden.
  auto with_logprobs = make_checkable(R"({"model":"chat","logprobs":true})", kLlmNeeds);
  EXPECT_EQ(with_logprobs.body, R"({"model":"chat","logprobs":true,"return_token_ids":true})");
  ASSERT_EQ(with_logprobs.shaping.hidden.size(), 1u);
  EXPECT_EQ(with_logprobs.shaping.hidden[0].path, "choices[].token_ids");
  auto said_no = make_checkable(R"({"model":"chat","logprobs":false})", kLlmNeeds);
  EXPECT_EQ(said_no.body, R"({"model":"chat","logprobs":true,"return_token_ids":true})");
  EXPECT_EQ(said_no.shaping.hidden.size(), 2u);

  // A task without check_needs: the request and its answers pass untouched.
  auto untouched = make_checkable(R"({"model":"embed","input":"a"})", "");
  EXPECT_EQ(untouched.body, R"({"model":"embed","input":"a"})");
  EXPECT_TRUE(untouched.shaping.hidden.empty());
  EXPECT_EQ(shape_for_user("[not json", plain.shaping), std::vector<std::string>{"[not json"});
  EXPECT_THROW(make_checkable("{}", "[1]"), std::invalid_argument);
}

// Issue 20, item 5: the model the client asked for, and usage in its own final chunk only when
// stream_options.include_usage asks for it.
TEST(CheckableRequest, AnswersNameTheModelAskedForAndStreamUsageComesAsOpenAISendsIt) {
  const std::string final_chunk =
      R"({"id":"c","object":"chat.completion.chunk","created":7,"model":"tiny-llama","choices":[{"index":0,)"
      R"("delta":{},"token_ids":[],"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,)"
      R"("completion_tokens":2,"total_tokens":5}})";
  auto plain = make_checkable(R"({"model":"chat-tiny-llama","stream":true,"messages":[]})", kLlmNeeds);
  EXPECT_EQ(shape_for_user(final_chunk, plain.shaping),
            std::vector<std::string>{R"({"id":"c","object":"chat.completion.chunk","created":7,"model":"chat-tiny-llama",)"
                                     R"("choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]})"});
  auto with_usage = make_checkable(
      R"({"model":"chat-tiny-llama","stream":true,"stream_options":{"include_usage":true},"messages":[]})", kLlmNeeds);
  auto chunks = shape_for_user(final_chunk, with_usage.shaping);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1], R"({"id":"c","object":"chat.completion.chunk","created":7,"model":"chat-tiny-llama",)"
                       R"("choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})");
  // Not streamed: the whole answer keeps its usage.
  auto whole = make_checkable(R"({"model":"chat-tiny-llama","messages":[]})", kLlmNeeds);
  const auto shaped = shape_for_user(R"({"model":"tiny-llama","choices":[],"usage":{"total_tokens":5}})", whole.shaping);
  EXPECT_EQ(shaped, std::vector<std::string>{R"({"model":"chat-tiny-llama","choices":[],"usage":{"total_tokens":5}})"});
}

TEST(RateLimitHeaders, ResetTimesAreWrittenAsOpenAiDoesAndRemainingIsRoundedDown) {
  const std::pair<double, std::string> resets[] = {{0, "0s"},     {-3, "0s"},     {0.25, "250ms"}, {1, "1s"},
                                                   {20, "20s"},  {1.5, "1.5s"},  {360, "6m0s"},   {3723, "1h2m3s"}};
  for (const auto& [seconds, text] : resets) EXPECT_EQ(reset_duration_text(seconds), text) << seconds;
  auto headers = rate_limit_headers({KeyLimitState{"requests", 60, 58.7, 1.3}, KeyLimitState{"tokens", 1000, -5, 61}});
  ASSERT_EQ(headers.size(), 6u);
  EXPECT_EQ(headers[0], std::make_pair(std::string("x-ratelimit-limit-requests"), std::string("60")));
  EXPECT_EQ(headers[1], std::make_pair(std::string("x-ratelimit-remaining-requests"), std::string("58")));
  EXPECT_EQ(headers[2], std::make_pair(std::string("x-ratelimit-reset-requests"), std::string("1.3s")));
  EXPECT_EQ(headers[4].second, "0") << "a key in debt has none left, not a negative number";
  EXPECT_EQ(headers[5].second, "1m1s");
}

TEST_F(GatewayStoreTest, AdmissionSaysWhereEachOfTheKeysLimitsStands) {
  KeyUsageLedger ledger(store);
  add_key("nt-limited", 3, 500, 100);
  ApiKeyGate gate(store, ledger, 0ms);
  Admission a = gate.admit("Bearer nt-limited");
  ASSERT_EQ(a.status, 200) << a.message;
  ASSERT_EQ(a.limits.size(), 3u);
  EXPECT_EQ(a.limits[0].name, "work-per-day");
  EXPECT_DOUBLE_EQ(a.limits[0].remaining, 500);
  EXPECT_EQ(a.limits[1].name, "tokens");
  EXPECT_DOUBLE_EQ(a.limits[1].remaining, 100);
  EXPECT_EQ(a.limits[2].name, "requests");
  EXPECT_NEAR(a.limits[2].remaining, 2, 1e-3);
  EXPECT_NEAR(a.limits[2].reset_s, 20, 0.01);  // one request used of 3 a minute
  gate.charge_work(*a.key, 40);
  a = gate.admit("Bearer nt-limited");
  EXPECT_NEAR(a.limits[1].remaining, 60, 0.1);
  EXPECT_NEAR(a.limits[1].reset_s, 24, 0.1);  // 40 of 100 a minute to refill
  EXPECT_NEAR(a.limits[2].remaining, 1, 1e-3);
}

TEST(ModelListing, ListsThePluginsListingAndTheOperatorsPricePerTokenAsOpenRouterDoes) {
  EXPECT_EQ(price_per_token_text(0.15), "0.00000015");
  EXPECT_EQ(price_per_token_text(2), "0.000002");
  EXPECT_EQ(price_per_token_text(0), "0");
  nineteen::validator::OrganicTask priced{"chat-x", "text", "/v1/chat/completions", true, "tokens", 2};
  priced.listing = R"({"context_length":2048,"max_output_length":1024,"quantization":"bf16",)"
                   R"("supported_sampling_parameters":["temperature"],"id":"not-my-name"})";
  priced.price_per_million_input_tokens = 0.5;
  priced.price_per_million_output_tokens = 1.5;
  nineteen::validator::OrganicTask unpriced{"words", "text", "/v1/text/transform", true, "words", 1};
  nineteen::validator::OrganicTask unserved{"nobody", "text", "/v1/text/transform", true, "words", 0};
  rapidjson::Document d;
  d.Parse(models_json({priced, unpriced, unserved}).c_str());
  ASSERT_TRUE(d.IsObject());
  ASSERT_EQ(d["data"].Size(), 2u) << "a task nobody serves is not listed";
  const auto& m = d["data"][0];
  EXPECT_STREQ(m["id"].GetString(), "chat-x") << "the listing cannot rename the task";
  EXPECT_EQ(m["context_length"].GetInt(), 2048);
  EXPECT_EQ(m["max_output_length"].GetInt(), 1024);
  EXPECT_STREQ(m["quantization"].GetString(), "bf16");
  EXPECT_STREQ(m["supported_sampling_parameters"][0].GetString(), "temperature");
  EXPECT_STREQ(m["pricing"]["prompt"].GetString(), "0.0000005");
  EXPECT_STREQ(m["pricing"]["completion"].GetString(), "0.0000015");
  EXPECT_FALSE(d["data"][1].HasMember("pricing")) << "no price in tasks.toml: none listed";
}

TEST(ResponsesTranslation, ARequestBecomesTheChatRequestItMeans) {
  ResponsesRead read = read_responses_request(
      R"({"model":"chat-x","instructions":"Sys","input":[{"role":"user","content":"hi"}],"max_output_tokens":7,)"
      R"("temperature":0.5,"top_p":0.9,"user":"u1","stream":true,"truncation":"disabled","text":{"format":{"type":"text"}}})");
  ASSERT_FALSE(read.refusal) << read.refusal->message;
  EXPECT_EQ(read.call.chat_body,
            R"({"model":"chat-x","messages":[{"role":"system","content":"Sys"},{"role":"user","content":"hi"}],)"
            R"("max_tokens":7,"temperature":0.5,"top_p":0.9,"user":"u1","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_TRUE(read.call.stream);
  EXPECT_NE(read.call.response_id, read_responses_request(R"({"model":"m","input":"x"})").call.response_id);
  EXPECT_EQ(responses_key_for("max_tokens"), "max_output_tokens");
  EXPECT_EQ(responses_key_for("messages"), "input");
  EXPECT_EQ(responses_key_for("temperature"), "temperature");
}

TEST(ResponsesTranslation, AChatAnswerBecomesAResponseAndItsStreamTheResponsesEvents) {
  ResponsesCall call = read_responses_request(R"({"model":"chat-x","input":"hi","max_output_tokens":2})").call;
  rapidjson::Document whole;
  whole.Parse(response_from_chat_completion(
                  R"({"created":5,"choices":[{"message":{"content":"a b"},"finish_reason":"length"}],)"
                  R"("usage":{"prompt_tokens":3,"completion_tokens":2}})",
                  call)
                  .c_str());
  ASSERT_TRUE(whole.IsObject());
  EXPECT_EQ(whole["created_at"].GetInt(), 5);
  EXPECT_STREQ(whole["status"].GetString(), "incomplete");
  EXPECT_STREQ(whole["output"][0]["content"][0]["text"].GetString(), "a b");
  EXPECT_EQ(whole["usage"]["total_tokens"].GetInt(), 5);

  ResponsesEventStream events(call);
  std::vector<std::string> out = events.on_chat_chunk(R"({"choices":[{"delta":{"content":"a"},"finish_reason":null}]})");
  ASSERT_EQ(out.size(), 5u);  // created, in_progress, item added, part added, the delta
  EXPECT_NE(out[4].find(R"("type":"response.output_text.delta","sequence_number":4)"), std::string::npos) << out[4];
  out = events.on_chat_chunk(R"({"choices":[{"delta":{},"finish_reason":"stop"}]})");
  EXPECT_TRUE(out.empty()) << "no text, no event";
  out = events.on_chat_chunk(R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}})");
  EXPECT_TRUE(out.empty());
  out = events.finish();
  ASSERT_EQ(out.size(), 4u);
  rapidjson::Document completed;
  completed.Parse(out.back().c_str());
  EXPECT_STREQ(completed["type"].GetString(), "response.completed");
  EXPECT_EQ(completed["sequence_number"].GetInt(), 8);
  EXPECT_STREQ(completed["response"]["output"][0]["content"][0]["text"].GetString(), "a");
  EXPECT_EQ(completed["response"]["usage"]["output_tokens"].GetInt(), 1);
}
