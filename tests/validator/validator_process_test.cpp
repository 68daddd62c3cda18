// A validator as a real process with a real chain and miners on loopback: it ranks miners on the
// chain, and a kill -9 mid-period loses no committed row.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <thread>

#include "child_process.hpp"
#include "nineteen/chain/chain_client.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/store/sqlite_database.hpp"
#include "nineteen/store/sqlite_validator_store.hpp"

using namespace std::chrono_literals;
using test_support::ChildProcess;
using test_support::ScratchDir;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Chain, four miners (honest, wrong, flaky, early: stops half way) on the model-free task, and a
// validator's settings.
class LocalNetwork {
 public:
  explicit LocalNetwork(const ScratchDir& dir) : dir_(dir) {
    dir.write("chain.toml", "[chain]\nport = 0\ndb = \"chain.db\"\nblock_time_s = 0.1\ntempo = 10\nrate_limit = 2\n");
    chain_ = std::make_unique<ChildProcess>(NINETEEN_BINARY, std::vector<std::string>{"chain", "--config", dir.file("chain.toml")},
                                            dir.file("chain.log"));
    chain_url = chain_->wait_for_line(std::regex("serving (http://[0-9.:]+)")).value_or("");
    validator_key = nineteen::keys::Hotkey::generate();
    nineteen::keys::save_hotkey(validator_key, dir.file("validator.json"));
    nineteen::chain::ChainClient(chain_url, validator_key)
        .register_node({validator_key.ss58_address(), "", 1000, nineteen::chain::NodeRole::validator, "", 0});
    const char* catalogue = "[tasks.reverse-words]\nplugin = \"text_transform\"\nmode = \"%s\"\nmax_capacity = 1000\n"
                            "volume_per_request = 10\ntimeout_s = 2\n";
    auto write_catalogue = [&](const std::string& name, const char* mode) {
      char text[512];
      std::snprintf(text, sizeof text, catalogue, mode);
      dir.write(name, text);
    };
    write_catalogue("tasks.toml", "reverse");
    write_catalogue("tasks-wrong.toml", "upper");
    write_catalogue("tasks-early.toml", "reverse");
    dir.write("tasks-early.toml", read_text(dir.file("tasks-early.toml")) + "stop_early = true\n");
    for (const std::string behaviour : {"honest", "wrong", "flaky", "early"}) {
      auto key = nineteen::keys::Hotkey::generate();
      nineteen::keys::save_hotkey(key, dir.file(behaviour + ".json"));
      nineteen::chain::ChainClient(chain_url, key).register_node({key.ss58_address(), "", 0, nineteen::chain::NodeRole::miner, "", 0});
      std::string settings = "[miner]\nhotkey = \"" + behaviour + ".json\"\nchain = \"" + chain_url + "\"\ntasks_file = \"" +
                             (behaviour == "wrong"   ? "tasks-wrong.toml"
                              : behaviour == "early" ? "tasks-early.toml"
                                                     : "tasks.toml") +
                             "\"\n";
      if (behaviour == "flaky") settings += "[miner.tasks.reverse-words]\nfail_rate = 0.5\n";
      dir.write(behaviour + ".toml", settings);
      miners_.push_back(std::make_unique<ChildProcess>(
          NINETEEN_BINARY, std::vector<std::string>{"miner", "--config", dir.file(behaviour + ".toml")},
          dir.file(behaviour + ".log")));
      EXPECT_TRUE(miners_.back()->wait_for_line(std::regex("listening on"))) << miners_.back()->output();
      uid_of[behaviour] = uid(key.ss58_address());
      hotkey_of[behaviour] = key.ss58_address();
    }
    dir.write("validator.toml", "[validator]\nhotkey = \"validator.json\"\nchain = \"" + chain_url +
                                    "\"\ndb = \"validator.db\"\ntasks_file = \"tasks.toml\"\nperiod_s = 3\n"
                                    "answer_timeout_s = 2\nsynthetic_multiplier = 10\n");
  }

  std::unique_ptr<ChildProcess> start_validator(const std::string& log) {
    auto v = std::make_unique<ChildProcess>(NINETEEN_BINARY,
                                            std::vector<std::string>{"validator", "--config", dir_.file("validator.toml")},
                                            dir_.file(log));
    EXPECT_TRUE(v->wait_for_line(std::regex("running"))) << v->output();
    return v;
  }

  // The chain as an outage would take it: SIGKILL, then back on the same address and database file.
  void kill_chain() {
    chain_->signal(SIGKILL);
    chain_->wait_exit(5s);
    chain_.reset();
  }
  void restart_chain() {
    const std::string port = chain_url.substr(chain_url.rfind(':') + 1);
    dir_.write("chain.toml", "[chain]\nport = " + port +
                                 "\ndb = \"chain.db\"\nblock_time_s = 0.1\ntempo = 10\nrate_limit = 2\n");
    chain_ = std::make_unique<ChildProcess>(NINETEEN_BINARY, std::vector<std::string>{"chain", "--config", dir_.file("chain.toml")},
                                            dir_.file("chain-2.log"));
    EXPECT_TRUE(chain_->wait_for_line(std::regex("serving (http://[0-9.:]+)"))) << chain_->output();
  }

  // The block of the validator's latest weights on the chain; 0 before any.
  uint64_t weights_block() const {
    auto w = nineteen::chain::ChainClient(chain_url).weights_of(validator_key.ss58_address());
    return w ? w->block : 0;
  }
  // Waits (up to `timeout`) until the validator has set weights after `block`; returns weights_block().
  uint64_t wait_for_weights_after(uint64_t block, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline && weights_block() <= block) std::this_thread::sleep_for(200ms);
    return weights_block();
  }
  // SQLite's verdict on a database file: "ok" when it is whole ("(no answer)" when it gave none).
  static std::string integrity_check(const std::string& db_file) {
    nineteen::store::SqliteDatabase db(db_file);
    auto check = db.prepare("PRAGMA integrity_check");
    return check.step() ? check.column_text(0) : "(no answer)";
  }

  unsigned uid(const std::string& hotkey) {
    for (const auto& n : nineteen::chain::ChainClient(chain_url).metagraph()) {
      if (n.hotkey == hotkey) return n.uid;
    }
    return 0;
  }

  std::string chain_url;
  nineteen::keys::Hotkey validator_key = nineteen::keys::Hotkey::generate();
  std::map<std::string, unsigned> uid_of;
  std::map<std::string, std::string> hotkey_of;

 private:
  const ScratchDir& dir_;
  std::unique_ptr<ChildProcess> chain_;
  std::vector<std::unique_ptr<ChildProcess>> miners_;
};

}  // namespace

TEST(ValidatorProcess, RanksHonestAboveFlakyAboveWrongOnTheChain) {
  ScratchDir dir("validator-rank");
  LocalNetwork net(dir);
  auto validator = net.start_validator("validator.log");
  nineteen::chain::ChainClient chain(net.chain_url);
  std::optional<nineteen::chain::ValidatorWeights> weights;
  // Three weight settings: the first is on one period of history.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  int settings = 0;
  uint64_t last_block = 0;
  while (std::chrono::steady_clock::now() < deadline && settings < 3) {
    std::this_thread::sleep_for(200ms);
    weights = chain.weights_of(net.validator_key.ss58_address());
    if (weights && weights->block != last_block) {
      last_block = weights->block;
      ++settings;
    }
  }
  ASSERT_GE(settings, 3) << validator->output();
  std::map<unsigned, double> value;
  double total = 0;
  for (size_t i = 0; i < weights->uids.size(); ++i) {
    value[weights->uids[i]] = weights->values[i];
    total += weights->values[i];
  }
  const double honest = value[net.uid_of["honest"]] / total;
  const double flaky = value[net.uid_of["flaky"]] / total;
  const double wrong = value[net.uid_of["wrong"]] / total;
  EXPECT_GT(honest, flaky) << validator->output();
  EXPECT_GT(flaky, wrong);
  EXPECT_LT(wrong, 0.01);
  EXPECT_NE(validator->output().find("task reverse-words"), std::string::npos) << "the weight table is printed";

  // The early stopper's −10 goes from the plugin's check through the checker and the store into
  // its quality figure (Q_h < 0) and so to a zero weight (issue 24, item 4).
  const double early = value[net.uid_of["early"]] / total;
  EXPECT_LT(early, 0.01);
  nineteen::store::SqliteValidatorStore store(dir.file("validator.db"));
  auto latest = store.latest_weight_setting();
  ASSERT_TRUE(latest);
  bool seen = false;
  for (const auto& r : store.weight_breakdowns(*latest)) {
    if (r.miner_hotkey != net.hotkey_of["early"]) continue;
    seen = true;
    EXPECT_LT(r.figures.quality, 0) << "Q_h of the early stopper";
    EXPECT_EQ(r.final_weight, 0);
  }
  EXPECT_TRUE(seen) << "the early stopper is in the weight breakdown";
}

TEST(ValidatorProcess, KillDashNineMidPeriodLosesNoCommittedRow) {
  ScratchDir dir("validator-kill");
  LocalNetwork net(dir);
  dir.write("validator.toml", "[validator]\nhotkey = \"validator.json\"\nchain = \"" + net.chain_url +
                                  "\"\ndb = \"validator.db\"\ntasks_file = \"tasks.toml\"\nperiod_s = 8\n"
                                  "answer_timeout_s = 2\nsynthetic_multiplier = 10\n");
  auto validator = net.start_validator("validator-1.log");
  nineteen::store::SqliteValidatorStore store(dir.file("validator.db"));

  // Wait until the first period has recorded outcomes and some checked answers.
  std::optional<nineteen::store::PeriodRecord> period;
  double recorded = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
    period = store.open_period();
    if (!period) continue;
    recorded = 0;
    for (const auto& c : store.contenders(period->id)) recorded += static_cast<double>(c.counts.total);
    if (recorded >= 10) break;
  }
  ASSERT_TRUE(period);
  ASSERT_GE(recorded, 10) << validator->output();
  validator->signal(SIGKILL);
  validator->wait_exit(5s);

  // What was committed before the kill.
  std::map<std::string, nineteen::scoring::OutcomeCounts> before;
  double total_before = 0;
  for (const auto& c : store.contenders(period->id)) {
    before[c.miner_hotkey] = c.counts;
    total_before += static_cast<double>(c.counts.total);
  }
  const auto checked_before =
      store.checked_answers("reverse-words", std::chrono::system_clock::now() - 1h, std::chrono::system_clock::now()).size();

  auto restarted = net.start_validator("validator-2.log");
  auto resumed = restarted->wait_for_line(std::regex("resumed period ([0-9]+)"), 10s);
  ASSERT_TRUE(resumed) << restarted->output();
  EXPECT_EQ(std::stoll(*resumed), period->id) << "the restarted validator goes on with the same period";

  // The period closes with at least every request recorded before the kill.
  deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline && store.open_period() && store.open_period()->id == period->id) {
    std::this_thread::sleep_for(100ms);
  }
  double total_after = 0;
  for (const auto& c : store.contenders(period->id)) {
    EXPECT_GE(c.counts.total, before[c.miner_hotkey].total) << c.miner_hotkey;
    EXPECT_GE(c.counts.consumed, before[c.miner_hotkey].consumed) << c.miner_hotkey;
    total_after += static_cast<double>(c.counts.total);
  }
  EXPECT_GE(total_after, total_before);
  EXPECT_GE(store.checked_answers("reverse-words", std::chrono::system_clock::now() - 1h, std::chrono::system_clock::now()).size(),
            checked_before);
  auto scores = store.period_scores("reverse-words", before.begin()->first, 10);
  bool closed = false;
  for (const auto& s : scores) closed = closed || s.period_id == period->id;
  EXPECT_TRUE(closed) << "the resumed period was closed into history";
}

// Issue 17, item 4: the chain is unreachable for several periods. The validator keeps scoring (the
// miners are already known), says why it cannot set weights, loses no committed row, and sets
// weights again by itself once the chain is back.
TEST(ValidatorProcess, AChainOutageLosesNothingAndWeightsResumeByThemselves) {
  ScratchDir dir("validator-chain-outage");
  LocalNetwork net(dir);
  auto validator = net.start_validator("validator.log");
  nineteen::chain::ChainClient chain(net.chain_url);
  ASSERT_GT(net.wait_for_weights_after(0, 30s), 0u) << validator->output();

  nineteen::store::SqliteValidatorStore store(dir.file("validator.db"));
  const auto settings_before = store.latest_weight_setting();
  net.kill_chain();
  // The chain's own file, killed at whatever point of a block or a weight submission it was.
  ASSERT_EQ(LocalNetwork::integrity_check(dir.file("chain.db")), "ok");
  std::this_thread::sleep_for(10s);  // three periods of 3 s with the chain gone
  ASSERT_FALSE(validator->wait_exit(0ms)) << "the validator stopped while the chain was down:\n" << validator->output();
  // Periods went on closing: scoring does not need the chain.
  const auto settings_during = store.latest_weight_setting();
  EXPECT_GT(settings_during.value_or(0), settings_before.value_or(0)) << validator->output();

  net.restart_chain();
  const uint64_t restarted_at = chain.current_block();
  EXPECT_GT(net.wait_for_weights_after(restarted_at, 40s), restarted_at)
      << "no weights after the chain came back:\n" << validator->output();
  ASSERT_FALSE(validator->wait_exit(0ms)) << validator->output();
  validator->signal(SIGTERM);
  EXPECT_EQ(validator->wait_exit(30s).value_or(-1), 0) << validator->output();

  // Nothing committed was lost or damaged.
  EXPECT_EQ(LocalNetwork::integrity_check(dir.file("validator.db")), "ok");
}

// Issue 17, item 4: the store's disk fills up (here: the store reaches its size cap, db_max_mb, which
// fails writes exactly as a full disk does, SQLITE_FULL). The validator stays up and says why, loses
// no committed row, and scores and sets weights again by itself once there is room.
TEST(ValidatorProcess, AFullDiskUnderTheStoreLosesNothingAndTheValidatorGoesOnWhenThereIsRoom) {
  ScratchDir dir("validator-full-disk");
  LocalNetwork net(dir);
  auto first = net.start_validator("validator-1.log");
  ASSERT_GT(net.wait_for_weights_after(0, 30s), 0u) << first->output();
  first->signal(SIGTERM);
  ASSERT_EQ(first->wait_exit(30s).value_or(-1), 0) << first->output();

  // What is committed now, and a cap at the file's present size: the next page written fails.
  auto committed = [&] {
    nineteen::store::SqliteDatabase db(dir.file("validator.db"));
    auto count = db.prepare("SELECT (SELECT count(*) FROM weight_settings), (SELECT count(*) FROM checked_answers)");
    count.step();
    auto pages = db.prepare("PRAGMA page_count");
    pages.step();
    auto size = db.prepare("PRAGMA page_size");
    size.step();
    return std::tuple<std::int64_t, std::int64_t, double>(count.column_int(0), count.column_int(1),
                                                          double(pages.column_int(0) * size.column_int(0)));
  };
  const auto [settings_before, checked_before, bytes] = committed();
  ASSERT_GT(settings_before, 0);
  const std::string settings = read_text(dir.file("validator.toml"));
  char cap[64];
  std::snprintf(cap, sizeof cap, "db_max_mb = %.6f\n", bytes / (1024.0 * 1024.0));
  dir.write("validator.toml", settings + cap);
  auto full = net.start_validator("validator-2.log");
  ASSERT_TRUE(full->wait_for_line(std::regex("size cap"), 20s)) << "the full store is reported:\n" << full->output();
  std::this_thread::sleep_for(7s);  // two periods of 3 s on a full store
  ASSERT_FALSE(full->wait_exit(0ms)) << "the validator stopped on a full store:\n" << full->output();
  full->signal(SIGTERM);
  EXPECT_EQ(full->wait_exit(30s).value_or(-1), 0) << full->output();
  const auto [settings_full, checked_full, bytes_full] = committed();
  EXPECT_GE(settings_full, settings_before) << "no committed weight setting was lost";
  EXPECT_GE(checked_full, checked_before) << "no committed check was lost";
  EXPECT_LE(bytes_full, bytes) << "the cap held";

  // Room again: the same file, no cap. Scoring and weights resume.
  dir.write("validator.toml", settings);
  const uint64_t resumed_from = net.weights_block();
  auto resumed = net.start_validator("validator-3.log");
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  while (std::chrono::steady_clock::now() < deadline &&
         (net.weights_block() <= resumed_from || std::get<0>(committed()) <= settings_full)) {
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_GT(net.weights_block(), resumed_from) << "no weights once there was room again:\n" << resumed->output();
  EXPECT_GT(std::get<0>(committed()), settings_full) << "weight settings are recorded again";
  resumed->signal(SIGTERM);
  EXPECT_EQ(resumed->wait_exit(30s).value_or(-1), 0) << resumed->output();

  EXPECT_EQ(LocalNetwork::integrity_check(dir.file("validator.db")), "ok");
}

// Issue 17, item 4: the validator's checking server is killed (kill -9) with batches in hand. The
// answers stay kept (none recorded as unchecked for it), and once a checker is back on the same
// address, checking resumes by itself. One answer per batch: a lost job then has no one-by-one
// retry to hide behind (the restarted checker answers `unknown` for it; CI once saw that recorded as
// the answer's failure).
TEST(ValidatorProcess, ACheckerKilledWithAQueueLosesNoAnswerAndCheckingResumes) {
  ScratchDir dir("validator-checker-kill");
  LocalNetwork net(dir);
  auto start_checker = [&](const std::string& port, const std::string& log) {
    dir.write("checker.toml", "[checker]\nport = " + port + "\ntasks_file = \"tasks.toml\"\nworkers = 1\n");
    auto c = std::make_unique<ChildProcess>(NINETEEN_BINARY, std::vector<std::string>{"checker", "--config", dir.file("checker.toml")},
                                            dir.file(log));
    EXPECT_TRUE(c->wait_for_line(std::regex("checker listening on (http://[0-9.:]+)"))) << c->output();
    return c;
  };
  auto checker = start_checker("0", "checker-1.log");
  const auto url = checker->wait_for_line(std::regex("checker listening on (http://[0-9.:]+)"), 1s).value_or("");
  ASSERT_FALSE(url.empty()) << checker->output();
  dir.write("validator.toml", read_text(dir.file("validator.toml")) + "checker = \"" + url + "\"\ncheck_batch = 1\n");
  auto validator = net.start_validator("validator.log");

  nineteen::store::SqliteValidatorStore store(dir.file("validator.db"));
  auto checked = [&] {
    nineteen::store::SqliteDatabase db(dir.file("validator.db"));
    auto q = db.prepare("SELECT (SELECT count(*) FROM checked_answers), "
                        "(SELECT count(*) FROM unchecked_answers WHERE reason LIKE '%checker failed%')");
    q.step();
    return std::pair<std::int64_t, std::int64_t>(q.column_int(0), q.column_int(1));
  };
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline && checked().first < 8) std::this_thread::sleep_for(100ms);
  ASSERT_GE(checked().first, 8) << validator->output() << checker->output();

  checker->signal(SIGKILL);
  checker->wait_exit(5s);
  const auto at_kill = checked().first;
  std::this_thread::sleep_for(4s);  // answers keep coming and are kept; nothing can check them
  ASSERT_FALSE(validator->wait_exit(0ms)) << validator->output();
  EXPECT_LE(checked().first, at_kill + 4) << "at most the batch in hand when the checker died was recorded";

  checker = start_checker(url.substr(url.rfind(':') + 1), "checker-2.log");
  deadline = std::chrono::steady_clock::now() + 40s;
  while (std::chrono::steady_clock::now() < deadline && checked().first < at_kill + 8) std::this_thread::sleep_for(200ms);
  EXPECT_GE(checked().first, at_kill + 8) << "checking did not resume:\n" << validator->output();
  EXPECT_EQ(checked().second, 0) << "answers were given up because the checker was down:\n" << validator->output();
  validator->signal(SIGTERM);
  EXPECT_EQ(validator->wait_exit(30s).value_or(-1), 0) << validator->output();
}
