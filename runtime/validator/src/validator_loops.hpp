// The validator's loops and what they share (private to the validator library): the contender
// board, the core (settings, parts, key, randomness, stopping), and one class per loop: the period
// clock, the synthetic sender, the check pump and the weight setter. Organic routing is
// ValidatorNode's OrganicRouting side (organic_routing.cpp), on the same board.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/scoring/outcome_counts.hpp"
#include "nineteen/scoring/task_votes.hpp"
#include "nineteen/store/validator_store.hpp"
#include "nineteen/validator/miner_query.hpp"
#include "nineteen/validator/validator_config.hpp"
#include "nineteen/validator/validator_node.hpp"

namespace nineteen::validator::loops {

using SystemClock = std::chrono::system_clock;

// A contender with where to reach it, as the senders need it.
struct Contender {
  store::PeriodContender row;
  std::string base_url;
  std::string endpoint;
  double timeout_s = 2;
};

using ContenderKey = std::pair<std::string, std::string>;  // (task, miner hotkey)

// How many of a contender's newest checks routing looks at: enough to forgive one odd answer, few
// enough that a miner that starts answering wrong loses its users within a few checks.
constexpr size_t kRecentChecks = 8;

// What routing needs to know of a contender right now, kept beside the store's counters.
struct LiveStats {
  size_t in_flight = 0;
  std::uint32_t consecutive_failures = 0;
  SystemClock::time_point last_429{};
  scoring::OutcomeCounts counts;  // this period
  size_t synthetic_to_skip = 0;   // pending synthetic requests replaced by organic ones
  std::deque<double> recent_checks;  // the newest checked qualities (at most kRecentChecks), for routing

  // Mean of the recent checked qualities; nullopt before the first check.
  std::optional<double> recent_checked_quality() const {
    if (recent_checks.empty()) return std::nullopt;
    double sum = 0;
    for (double q : recent_checks) sum += q;
    return sum / static_cast<double>(recent_checks.size());
  }
};

// A contender's figures at the last weight setting.
struct Figures {
  double quality = 0, period_score = 0, speed_bonus = 0, weight = 0;
};

// Routing's prior for a contender with no figures yet, so a new miner can be tried at all.
constexpr double kPriorQuality = 0.5;
constexpr double kPriorPeriodScore = 0.5;

// The contender board: the period running, its contenders, what routing knows of each now and
// their figures at the last weight setting. Every loop reads and writes it under `mutex`; the loops
// wait on `changed`, which stop() and every change that may wake one notify.
struct ContenderBoard {
  std::mutex mutex;
  std::condition_variable changed;
  std::int64_t period_id = 0;  // 0: no period running
  SystemClock::time_point period_end;
  SystemClock::time_point period_start;  // what checking did "this period" counts from
  std::vector<Contender> contenders;
  std::map<ContenderKey, LiveStats> live;
  std::map<ContenderKey, Figures> figures;

  // Under `mutex`: the live stats of the current contenders, from the store's counters. A
  // contender's recent checks outlive the period: routing keeps what checking has seen.
  void reset_live();
  // Takes `mutex`: an outcome of `period` in the contender's live stats (nothing when the period is over).
  void note_outcome(std::int64_t period, const ContenderKey& key, scoring::Outcome outcome, double work);
  // Takes `mutex`: an organic request routed around the contender because it said 429 lately,
  // counted as one of its 429s (without starting a new 2 s window: that would keep it out for good).
  void note_routed_around(std::int64_t period, const ContenderKey& key);
  // Takes `mutex`: checked qualities, for routing.
  void note_checks(const std::vector<std::pair<ContenderKey, double>>& checked);
};

// What every loop shares besides the board.
struct ValidatorCore {
  ValidatorConfig config;
  ValidatorParts parts;
  ValidatorEvents events;
  keys::Hotkey hotkey = keys::Hotkey::generate();
  std::mutex rng_mutex;
  std::mt19937_64 rng{std::random_device{}()};
  std::atomic<bool> stopping{false};
  ContenderBoard board;

  void info(const std::string& line);
  uint64_t draw_seed();
  // The schedule's randomness: unpredictable to miners (it includes the validator's secret) and the
  // same after a restart, so a resumed period keeps its timetable.
  uint64_t schedule_seed(std::int64_t period, const std::string& miner, const std::string& task) const;
  // Where a miner is reached: http://ip:port, or https:// when the subnet's miners serve TLS.
  std::string miner_base_url(const std::string& ip, std::uint16_t port) const;
  net::ClientOptions miner_client_options() const;
  std::vector<std::string> served_tasks() const;
  // An answer's work in its task's unit; 0 when the plugin cannot read it.
  double answer_work(const std::string& task, const std::string& request, const std::string& response_json);
  // An outcome in the store and on the board.
  void record(std::int64_t period, const std::string& task, const std::string& miner, scoring::Outcome outcome,
              double work);
  // An organic request routed around `miner` after its 429, in the store and on the board (a 429).
  void record_routed_around(std::int64_t period, const std::string& task, const std::string& miner);
  // A success kept for checking (or, for a synthetic one not drawn, recorded unchecked).
  void keep(const std::string& task, const std::string& miner, std::uint16_t uid, const std::string& request,
            const QueryResult& result, double work, bool synthetic);
  // Waits on the board up to `pause`, or until stopping.
  void rest(std::chrono::milliseconds pause);
};

// The names the loops' code uses for what they share.
struct LoopBase {
  explicit LoopBase(ValidatorCore& c)
      : core(c), config(c.config), parts(c.parts), board(c.board), stopping(c.stopping) {}
  ValidatorCore& core;
  const ValidatorConfig& config;
  ValidatorParts& parts;
  ContenderBoard& board;
  std::atomic<bool>& stopping;
};

struct SendJob {
  std::int64_t period_id = 0;
  Contender contender;
};

// The synthetic sender: `config.senders` threads sending the requests the period clock queues.
class SyntheticSender : LoopBase {
 public:
  using LoopBase::LoopBase;
  void start();
  void join();
  // Each under board.mutex.
  void enqueue_locked(SendJob job);
  void drop_unsent_locked() { send_queue_.clear(); }
  bool idle_locked() const { return in_flight_ == 0; }
  // Under board.mutex: drop what is not sent and let the threads end once theirs is done.
  void finish_locked();

 private:
  void run();
  void send(const SendJob& job);

  std::deque<SendJob> send_queue_;  // guarded by board.mutex
  size_t in_flight_ = 0;            // guarded by board.mutex
  bool stopped_ = false;            // guarded by board.mutex
  std::vector<std::thread> threads_;
  // Sends whose outcome the store could not take (a full disk), and when that was last logged.
  std::atomic<std::size_t> unrecorded_sends_{0};
  std::mutex log_mutex_;
  std::chrono::steady_clock::time_point last_unrecorded_log_{};
};

// The weight setter: the task votes at start, and weights after each period (or every
// weights_every_s), retried until the chain takes them.
class WeightSetter : LoopBase {
 public:
  using LoopBase::LoopBase;
  void publish_task_votes();
  void load_figures();
  std::vector<scoring::TaskWeightBounds> task_bounds() const;
  // The period clock's turn: sets weights when they are due.
  void tick(SystemClock::time_point now);
  void period_closed(std::int64_t id);

 private:
  // The effective task weights: the stake-weighted median of the validators' published votes, clipped
  // to the catalogue's bounds; the catalogue's own weights when the chain cannot be read.
  scoring::EffectiveTaskWeights effective_task_weights(std::string* note) const;
  void try_set_weights();

  std::int64_t last_closed_period_ = 0;
  bool weights_pending_ = false;
  SystemClock::time_point next_weights_try_;
  SystemClock::time_point last_weights_set_;
};

// The period clock: opens (or resumes) a period, fires its synthetic timetable into the sender,
// closes it into history, and gives the weight setter its turn.
class PeriodClock : LoopBase {
 public:
  PeriodClock(ValidatorCore& c, SyntheticSender& sender, WeightSetter& weights)
      : LoopBase(c), sender_(sender), weights_(weights) {}
  void start();
  void join();

 private:
  struct Due {
    SystemClock::time_point at;
    size_t contender = 0;
    bool operator>(const Due& o) const { return at > o.at; }
  };
  void run();
  void ensure_period();
  void start_period();
  void resume_period(const store::PeriodRecord& period);
  void schedule(std::int64_t period, SystemClock::time_point starts_at, bool skip_past);
  void finish_period();

  SyntheticSender& sender_;
  WeightSetter& weights_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> timetable_;  // guarded by board.mutex
  std::thread thread_;
};

// The check pump: kept answers to the checker, organic ones first, and their results to the store.
class CheckPump : LoopBase {
 public:
  using LoopBase::LoopBase;
  void start();
  void stop() { *check_stop_ = true; }
  void join();

 private:
  void run();
  void pump_once();
  void check_answers(const std::vector<store::KeptAnswer>& answers);

  // Set by stop(): ends a check in progress promptly.
  std::shared_ptr<std::atomic<bool>> check_stop_ = std::make_shared<std::atomic<bool>>(false);
  std::thread thread_;
};

}  // namespace nineteen::validator::loops

namespace nineteen::validator {

struct ValidatorNode::State {
  loops::ValidatorCore core;
  loops::SyntheticSender sender{core};
  loops::WeightSetter weights{core};
  loops::PeriodClock clock{core, sender, weights};
  loops::CheckPump pump{core};
};

}  // namespace nineteen::validator
