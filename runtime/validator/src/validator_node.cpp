// The validator's loops: periods and the synthetic timetable, the senders, the checking pump, weights.
#include "nineteen/validator/validator_node.hpp"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "nineteen/chain/chain.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/checker/check_service.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/request_signing.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/scoring/capacity_draw.hpp"
#include "nineteen/scoring/organic_routing.hpp"
#include "nineteen/scoring/period_score.hpp"
#include "nineteen/scoring/synthetic_schedule.hpp"
#include "nineteen/store/validator_store.hpp"
#include "nineteen/validator/miner_query.hpp"
#include "nineteen/validator/weight_report.hpp"

namespace nineteen::validator {
namespace {

using SystemClock = std::chrono::system_clock;

// A contender with where to reach it, as the senders need it.
struct Contender {
  store::PeriodContender row;
  std::string base_url;
  std::string endpoint;
  double timeout_s = 2;
};

struct Due {
  SystemClock::time_point at;
  size_t contender = 0;
  bool operator>(const Due& o) const { return at > o.at; }
};

struct SendJob {
  std::int64_t period_id = 0;
  Contender contender;
};

using ContenderKey = std::pair<std::string, std::string>;  // (task, miner hotkey)

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

// How many of a contender's newest checks routing looks at: enough to forgive one odd answer, few
// enough that a miner that starts answering wrong loses its users within a few checks.
constexpr size_t kRecentChecks = 8;

// A contender's figures at the last weight setting.
struct Figures {
  double quality = 0, period_score = 0, speed_bonus = 0, weight = 0;
};

// Routing's prior for a contender with no figures yet, so a new miner can be tried at all.
constexpr double kPriorQuality = 0.5;
constexpr double kPriorPeriodScore = 0.5;

}  // namespace

struct ValidatorNode::State {
  ValidatorConfig config;
  ValidatorParts parts;
  ValidatorEvents events;
  keys::Hotkey hotkey = keys::Hotkey::generate();

  std::mutex rng_mutex;
  std::mt19937_64 rng{std::random_device{}()};

  std::mutex mutex;
  std::condition_variable changed;
  std::int64_t period_id = 0;  // 0: no period running
  SystemClock::time_point period_end;
  SystemClock::time_point period_start;  // what checking did "this period" counts from
  std::vector<Contender> contenders;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> timetable;
  std::deque<SendJob> send_queue;
  size_t in_flight = 0;
  std::atomic<bool> stopping{false};
  bool stopped = false;

  std::map<ContenderKey, LiveStats> live;    // guarded by `mutex`
  std::map<ContenderKey, Figures> figures;   // guarded by `mutex`

  std::int64_t last_closed_period = 0;
  bool weights_pending = false;
  SystemClock::time_point next_weights_try;
  SystemClock::time_point last_weights_set;

  std::thread loop_thread, check_thread;
  std::vector<std::thread> senders;

  void info(const std::string& line) {
    spdlog::info("{}", line);
    if (events.info) events.info(line);
  }
  uint64_t draw_seed() {
    std::lock_guard<std::mutex> lock(rng_mutex);
    return rng();
  }
  // The schedule's randomness: unpredictable to miners (it includes the validator's secret) and the
  // same after a restart, so a resumed period keeps its timetable.
  uint64_t schedule_seed(std::int64_t period, const std::string& miner, const std::string& task) const {
    // The schedule must be unguessable by miners: keyed by the validator's secret. A key loaded from
    // btcli's privateKey alone has no seed (all zeros), so its schnorrkel secret keys it instead.
    std::string secret(reinterpret_cast<const char*>(hotkey.seed().data()), hotkey.seed().size());
    if (!hotkey.has_seed()) {
      const keys::Sr25519SecretKey& key = hotkey.sr25519_secret();
      secret.assign(reinterpret_cast<const char*>(key.scalar.data()), key.scalar.size());
      secret.append(reinterpret_cast<const char*>(key.nonce.data()), key.nonce.size());
    }
    std::string digest = keys::sha256_hex(secret + ":" + std::to_string(period) + ":" + miner + ":" + task);
    return std::stoull(digest.substr(0, 16), nullptr, 16);
  }
  // Where a miner is reached: http://ip:port, or https:// when the subnet's miners serve TLS.
  std::string miner_base_url(const std::string& ip, std::uint16_t port) const {
    const bool v6 = ip.find(':') != std::string::npos;
    return std::string(config.miners_https ? "https://" : "http://") + (v6 ? "[" + ip + "]" : ip) + ":" +
           std::to_string(port);
  }
  net::ClientOptions miner_client_options() const {
    net::ClientOptions options;
    options.tls_ca_file = config.miners_ca_file;
    return options;
  }

  std::vector<std::string> served_tasks() const {
    std::vector<std::string> names;
    for (const auto& entry : parts.host->catalog().tasks) {
      if (entry.enabled && parts.host->task(entry.name)) names.push_back(entry.name);
    }
    return names;
  }

  // The catalogue as the task vote sees it: each served task's weight and bounds.
  std::vector<scoring::TaskWeightBounds> task_bounds() const {
    std::vector<scoring::TaskWeightBounds> out;
    for (const std::string& name : served_tasks()) {
      const config::TaskEntry* e = parts.host->catalog().find(name);
      out.push_back(scoring::TaskWeightBounds{name, e->weight, e->weight_min, e->weight_max});
    }
    return out;
  }
  // The effective task weights: the stake-weighted median of the validators' published votes, clipped to
  // the catalogue's bounds; the catalogue's own weights when the chain cannot be read.
  scoring::EffectiveTaskWeights effective_task_weights(std::string* note) const {
    const std::vector<scoring::TaskWeightBounds> bounds = task_bounds();
    std::vector<scoring::TaskVote> votes;
    try {
      std::map<std::string, double> stake_of;
      for (const chain::Neuron& n : parts.chain->metagraph())
        if (n.role == chain::NodeRole::validator) stake_of[n.hotkey] = n.stake;
      for (const chain::Commitment& c : parts.chain->commitments()) {
        auto stake = stake_of.find(c.hotkey);
        if (stake == stake_of.end()) continue;
        if (auto decoded = scoring::decode_task_votes(c.data)) votes.push_back({c.hotkey, stake->second, *decoded});
      }
    } catch (const std::exception& e) {
      if (note) *note = std::string("task votes could not be read (the catalogue's weights are used): ") + e.what();
      votes.clear();
    }
    return scoring::effective_task_weights(bounds, votes);
  }
  void publish_task_votes();

  void run_loop();
  void ensure_period();
  void start_period();
  void resume_period(const store::PeriodRecord& period);
  void schedule(std::int64_t period, SystemClock::time_point starts_at, bool skip_past);
  void finish_period();
  void try_set_weights();
  void run_sender();
  void send(const SendJob& job);
  void run_check_pump();
  void pump_checks_once();
  // Synthetic sends whose outcome the store could not take (a full disk), and when that was last logged.
  std::atomic<std::size_t> unrecorded_sends{0};
  std::mutex log_mutex;
  std::chrono::steady_clock::time_point last_unrecorded_log{};
  void record(std::int64_t period, const std::string& task, const std::string& miner, scoring::Outcome outcome, double work);
  void keep(const std::string& task, const std::string& miner, std::uint16_t uid, const std::string& request,
            const QueryResult& result, double work, bool synthetic);
  void reset_live();
  void load_figures();
  // An organic answer's work in its task's unit; 0 when the plugin cannot read it.
  double answer_work(const std::string& task, const std::string& request, const std::string& response_json);
  // Set by stop(): ends a check in progress promptly.
  std::shared_ptr<std::atomic<bool>> check_stop = std::make_shared<std::atomic<bool>>(false);
  void check_answers(const std::vector<store::KeptAnswer>& answers);
};

ValidatorNode::ValidatorNode(ValidatorConfig config, ValidatorParts parts, ValidatorEvents events)
    : state_(std::make_shared<State>()) {
  state_->config = std::move(config);
  state_->parts = std::move(parts);
  state_->events = std::move(events);
  state_->hotkey = keys::load_hotkey(state_->config.hotkey_file).key;
}

ValidatorNode::~ValidatorNode() {
  stop();
  wait();
}

std::string ValidatorNode::hotkey_address() const { return state_->hotkey.ss58_address(); }

void ValidatorNode::start() {
  State& s = *state_;
  bool registered = false;
  for (const chain::Neuron& n : s.parts.chain->metagraph()) {
    registered = registered || (n.hotkey == s.hotkey.ss58_address() && n.role == chain::NodeRole::validator);
  }
  if (!registered) {
    const bool local = chain::chain_kind(s.config.chain_url) == chain::ChainKind::local_http;
    throw std::runtime_error(
        "validator " + s.hotkey.ss58_address() + " is not registered as a validator on " + s.config.chain_url +
        "; register it first: " +
        (local ? "nineteen chain register --chain " + s.config.chain_url + " --key " + s.config.hotkey_file +
                     " --stake N --role validator"
               : std::string("on Bittensor with btcli subnet register (and stake for a validator permit); on the "
                             "local chain with nineteen chain register --chain <its http:// URL>")));
  }
  s.load_figures();
  s.publish_task_votes();
  for (size_t i = 0; i < s.config.senders; ++i) s.senders.emplace_back([&s] { s.run_sender(); });
  s.check_thread = std::thread([&s] { s.run_check_pump(); });
  s.loop_thread = std::thread([&s] { s.run_loop(); });
}

void ValidatorNode::stop() {
  state_->stopping = true;
  *state_->check_stop = true;
  state_->changed.notify_all();
}

void ValidatorNode::wait() {
  State& s = *state_;
  if (s.loop_thread.joinable()) s.loop_thread.join();
  if (s.check_thread.joinable()) s.check_thread.join();
  for (auto& t : s.senders) {
    if (t.joinable()) t.join();
  }
  s.senders.clear();
}

// ---------------------------------------------------------------- organic routing

std::vector<OrganicTask> ValidatorNode::organic_tasks() {
  State& s = *state_;
  std::map<std::string, size_t> count;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (const Contender& c : s.contenders) ++count[c.row.task];
  }
  std::vector<OrganicTask> tasks;
  for (const std::string& name : s.served_tasks()) {
    auto live = s.parts.host->task(name);
    if (!live) continue;
    const auto& info = live->info();
    OrganicTask task{name, info.kind, info.endpoint, info.stream, info.work_unit, count[name], info.check_needs, info.listing};
    if (const config::TaskEntry* entry = s.parts.host->catalog().find(name)) {
      task.price_per_million_input_tokens = entry->price_per_million_input_tokens;
      task.price_per_million_output_tokens = entry->price_per_million_output_tokens;
    }
    tasks.push_back(std::move(task));
  }
  return tasks;
}

std::vector<OrganicCandidate> ValidatorNode::organic_candidates(const std::string& task) {
  State& s = *state_;
  std::vector<scoring::RoutingContender> routing;
  std::vector<OrganicCandidate> candidates;
  const auto now = SystemClock::now();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (const Contender& c : s.contenders) {
      if (c.row.task != task) continue;
      const ContenderKey key{c.row.task, c.row.miner_hotkey};
      const LiveStats& stats = s.live[key];
      auto figures = s.figures.find(key);
      scoring::RoutingContender r;
      r.recent_failures = stats.consecutive_failures;
      r.answering_429 = now - stats.last_429 < std::chrono::seconds(2);
      r.capacity_left = c.row.capacity - stats.counts.consumed;
      r.in_flight = static_cast<std::uint32_t>(stats.in_flight);
      // Routing trusts what checking saw lately, then the last weight setting, then a prior.
      const std::optional<double> checked = stats.recent_checked_quality();
      r.recent_quality = checked               ? *checked
                         : figures == s.figures.end() ? kPriorQuality
                                                      : figures->second.quality;
      r.period_score = figures == s.figures.end() ? kPriorPeriodScore : figures->second.period_score;
      routing.push_back(r);
      OrganicCandidate candidate;
      candidate.miner = MinerAddress{c.row.miner_hotkey, c.base_url};
      candidate.uid = c.row.uid;
      candidate.endpoint = c.endpoint;
      candidate.timeouts.first_byte = std::chrono::milliseconds(static_cast<long>(c.timeout_s * 1000));
      candidate.timeouts.total = std::chrono::milliseconds(static_cast<long>(s.config.answer_timeout_s * 1000));
      candidates.push_back(candidate);
    }
  }
  std::vector<size_t> order;
  {
    std::lock_guard<std::mutex> lock(s.rng_mutex);
    order = scoring::organic_try_order(routing, s.config.mechanism.organic_routing, s.rng);
  }
  std::vector<OrganicCandidate> ordered;
  for (size_t i : order) ordered.push_back(candidates[i]);
  return ordered;
}

void ValidatorNode::organic_started(const std::string& task, const std::string& miner_hotkey) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  ++state_->live[{task, miner_hotkey}].in_flight;
}

double ValidatorNode::organic_finished(const std::string& task, const std::string& miner_hotkey,
                                       const std::string& request, const QueryResult& result) {
  State& s = *state_;
  // The answer's work, read once: counted for the miner below and billed to the user by the gateway.
  const bool success = result.outcome == scoring::Outcome::success;
  const bool cut_with_chunks = result.stopped_by_caller && result.response_json.size() > 2;
  const double work = success || cut_with_chunks ? s.answer_work(task, request, result.response_json) : 0;
  std::int64_t period;
  std::uint16_t uid = 0;
  bool contender = false;
  // A miner refusing a user's malformed or oversized request did its job: not a failure of the miner.
  // So is a connection the miner closed on receiving a user's request (the gateway sends such a
  // request to no other miner): the request is suspected, not the miner.
  // And a stream the gateway stopped because its user left: the miner was cut off, not failing.
  const bool users_fault = result.status == 400 || result.status == 413 || result.status == 422 ||
                           (result.status == 0 && result.transport == net::ClientErrorKind::connection_closed) ||
                           result.stopped_by_caller;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    LiveStats& stats = s.live[{task, miner_hotkey}];
    if (stats.in_flight > 0) --stats.in_flight;
    if (users_fault) return work;
    ++stats.synthetic_to_skip;  // MECHANISM.md §3: an organic request replaces a pending synthetic one
    period = s.period_id;
    for (const Contender& c : s.contenders) {
      if (c.row.task == task && c.row.miner_hotkey == miner_hotkey) {
        uid = c.row.uid;
        contender = true;
      }
    }
  }
  if (!contender || period == 0) return work;
  s.record(period, task, miner_hotkey, result.outcome, work);
  if (success) s.keep(task, miner_hotkey, uid, request, result, work, /*synthetic=*/false);
  return work;
}

std::vector<ContenderStatus> ValidatorNode::contender_status() {
  State& s = *state_;
  SystemClock::time_point since;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    since = s.period_start;
  }
  std::map<ContenderKey, store::AnswerTally> tallies;
  try {
    for (store::AnswerTally& t : s.parts.store->answer_tallies(since)) tallies[{t.task, t.miner_hotkey}] = t;
  } catch (const std::exception& e) {
    spdlog::warn("status: the answer tallies could not be read: {}", e.what());
  }
  std::lock_guard<std::mutex> lock(s.mutex);
  std::vector<ContenderStatus> out;
  const auto now = SystemClock::now();
  for (const Contender& c : s.contenders) {
    const ContenderKey key{c.row.task, c.row.miner_hotkey};
    const LiveStats& stats = s.live[key];
    ContenderStatus st;
    st.task = c.row.task;
    st.miner_hotkey = c.row.miner_hotkey;
    st.uid = c.row.uid;
    st.capacity = c.row.capacity;
    st.consumed = stats.counts.consumed;
    st.requests = stats.counts.total;
    st.rate_limited = stats.counts.rate_limited;
    st.failed = stats.counts.failed;
    st.in_flight = stats.in_flight;
    st.healthy = stats.consecutive_failures <= s.config.mechanism.organic_routing.max_recent_failures &&
                 now - stats.last_429 >= std::chrono::seconds(2);
    if (auto t = tallies.find(key); t != tallies.end()) {
      st.checked = t->second.checked;
      st.unchecked = t->second.unchecked;
      st.pending = t->second.pending;
      st.organic_checked = t->second.organic_checked;
    }
    auto f = s.figures.find(key);
    if (f != s.figures.end()) {
      st.recent_quality = f->second.quality;
      st.period_score = f->second.period_score;
      st.speed_bonus = f->second.speed_bonus;
      st.weight = f->second.weight;
    }
    out.push_back(st);
  }
  return out;
}

std::vector<scoring::TaskWeightBounds> ValidatorNode::task_bounds() const { return state_->task_bounds(); }

const keys::Hotkey& ValidatorNode::signing_key() const { return state_->hotkey; }

std::optional<RequestRefusal> ValidatorNode::refuse_request(const std::string& task, const std::string& request) {
  auto live = state_->parts.host->task(task);
  if (!live) return RequestRefusal{"the task \"" + task + "\" is not loaded on this validator right now; retry later"};
  try {
    live->validate(request);
  } catch (const plugin_host::TaskCallError& e) {
    if (e.code() == NT_INVALID_ARGUMENT) return RequestRefusal{e.what()};
    if (e.code() == NT_UNIMPLEMENTED) return RequestRefusal{e.what(), "unsupported_parameter"};
    spdlog::warn("task {}: validate failed ({}): {}", task, plugin_host::code_name(e.code()), e.what());
  } catch (const std::exception& e) {
    spdlog::warn("task {}: validate failed: {}", task, e.what());
  }
  return std::nullopt;  // a validate that fails by itself does not stop users: the miner still checks
}

double ValidatorNode::State::answer_work(const std::string& task, const std::string& request,
                                        const std::string& response_json) {
  auto live = parts.host->task(task);
  if (!live) return 0;
  try {
    const double work = live->work(request, response_json);
    return std::isfinite(work) && work > 0 ? work : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

// ---------------------------------------------------------------- periods

void ValidatorNode::State::run_loop() {
  while (!stopping) {
    try {
      ensure_period();
      const auto now = SystemClock::now();
      bool period_over = false;
      SystemClock::time_point wake = now + std::chrono::milliseconds(200);
      {
        std::lock_guard<std::mutex> lock(mutex);
        while (!timetable.empty() && timetable.top().at <= now) {
          const Contender& c = contenders[timetable.top().contender];
          LiveStats& stats = live[{c.row.task, c.row.miner_hotkey}];
          if (stats.synthetic_to_skip > 0) {
            --stats.synthetic_to_skip;  // an organic request already tested this contender in its place
          } else {
            send_queue.push_back(SendJob{period_id, c});
          }
          timetable.pop();
        }
        if (!send_queue.empty()) changed.notify_all();
        period_over = period_id != 0 && now >= period_end;
        if (!timetable.empty()) wake = std::min(wake, timetable.top().at);
        wake = std::min(wake, period_end);
      }
      if (period_over) {
        finish_period();
        continue;
      }
      if (config.weights_every_s > 0 && last_closed_period != 0 &&
          now - last_weights_set >= std::chrono::duration<double>(config.weights_every_s)) {
        weights_pending = true;
      }
      if (weights_pending && now >= next_weights_try) try_set_weights();
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait_until(lock, wake, [&] { return stopping.load(); });
    } catch (const std::exception& e) {
      spdlog::error("validator: {} (retrying in 2 s)", e.what());
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait_for(lock, std::chrono::seconds(2), [&] { return stopping.load(); });
    }
  }
  // Let the senders finish what they took, then end them.
  std::unique_lock<std::mutex> lock(mutex);
  send_queue.clear();
  stopped = true;
  changed.notify_all();
}

void ValidatorNode::State::ensure_period() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (period_id != 0) return;
  }
  if (auto open = parts.store->open_period()) {
    if (SystemClock::now() < open->ends_at) {
      resume_period(*open);
    } else {
      // The validator was down past the end of this period: close it with what was recorded.
      {
        std::lock_guard<std::mutex> lock(mutex);
        period_id = open->id;
        period_end = open->ends_at;
        period_start = open->starts_at;
      }
      finish_period();
    }
    return;
  }
  start_period();
}

void ValidatorNode::State::start_period() {
  const auto now = SystemClock::now();
  std::vector<chain::Neuron> neurons;
  try {
    neurons = parts.chain->metagraph();
    std::vector<store::NodeRecord> nodes;
    for (const chain::Neuron& n : neurons) {
      nodes.push_back(store::NodeRecord{n.uid, n.hotkey, n.coldkey, n.stake, chain::role_name(n.role), n.ip, n.port,
                                        n.last_update});
    }
    parts.store->replace_nodes(nodes);
  } catch (const chain::ChainError& e) {
    // The chain is unreachable: score the miners it listed last time (kept in the store) rather
    // than stop; weights wait for the chain (try_set_weights retries).
    for (const store::NodeRecord& r : parts.store->nodes()) {
      chain::Neuron n;
      n.uid = r.uid;
      n.hotkey = r.hotkey;
      n.coldkey = r.coldkey;
      n.stake = r.stake;
      n.role = chain::parse_role(r.role).value_or(chain::NodeRole::miner);
      n.ip = r.ip;
      n.port = r.port;
      n.last_update = r.last_update;
      neurons.push_back(std::move(n));
    }
    if (neurons.empty()) throw;  // nothing known yet: nothing to score
    spdlog::warn("validator: the chain is unreachable ({}); this period scores the {} nodes it listed last",
                 e.what(), neurons.size());
  }

  // Ask every miner that published an address for its capacities, a few at a time.
  std::vector<const chain::Neuron*> miners;
  for (const chain::Neuron& n : neurons) {
    if (n.role == chain::NodeRole::miner && !n.ip.empty() && n.port != 0 && n.hotkey != hotkey.ss58_address()) {
      miners.push_back(&n);
    }
  }
  std::vector<CapacityAnswer> answers(miners.size());
  for (size_t begin = 0; begin < miners.size(); begin += 16) {
    std::vector<std::future<CapacityAnswer>> futures;
    for (size_t i = begin; i < std::min(miners.size(), begin + 16); ++i) {
      futures.push_back(std::async(std::launch::async, [this, m = miners[i]] {
        net::HttpClient client(miner_client_options());
        return query_capacity(client, hotkey, MinerAddress{m->hotkey, miner_base_url(m->ip, m->port)});
      }));
    }
    for (size_t i = 0; i < futures.size(); ++i) answers[begin + i] = futures[i].get();
  }

  const auto ends = now + std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(config.period_s));
  const std::int64_t id = parts.store->start_period(now, ends);
  std::vector<Contender> fresh;
  std::vector<store::PeriodContender> rows;
  const std::vector<std::string> tasks = served_tasks();
  size_t unreachable = 0;
  for (size_t i = 0; i < miners.size(); ++i) {
    if (!answers[i].ok) {
      ++unreachable;
      spdlog::debug("miner {} gave no capacity: {}", miners[i]->hotkey, answers[i].error);
      continue;
    }
    for (const std::string& task : tasks) {
      auto declared = answers[i].capacities.find(task);
      if (declared == answers[i].capacities.end() || declared->second <= 0) continue;
      const config::TaskEntry* entry = parts.host->catalog().find(task);
      auto live = parts.host->task(task);
      if (!entry || !live) continue;
      Contender c;
      c.row.period_id = id;
      c.row.miner_hotkey = miners[i]->hotkey;
      c.row.uid = miners[i]->uid;
      c.row.task = task;
      c.row.declared_capacity = declared->second;
      c.row.capacity = scoring::clamp_capacity(declared->second, entry->max_capacity);
      {
        std::lock_guard<std::mutex> lock(rng_mutex);
        c.row.capacity_to_score = scoring::draw_capacity_to_score(c.row.capacity, config.mechanism.capacity_draw, rng);
      }
      c.base_url = miner_base_url(miners[i]->ip, miners[i]->port);
      c.endpoint = live->info().endpoint;
      c.timeout_s = entry->timeout_s;
      rows.push_back(c.row);
      fresh.push_back(std::move(c));
    }
  }
  parts.store->put_contenders(rows);
  {
    std::lock_guard<std::mutex> lock(mutex);
    period_id = id;
    period_end = ends;
    period_start = now;
    contenders = std::move(fresh);
    reset_live();
  }
  schedule(id, now, /*skip_past=*/false);
  std::ostringstream line;
  line << "period " << id << ": " << rows.size() << " contenders from " << miners.size() - unreachable << " of "
       << miners.size() << " miners, " << timetable.size() << " synthetic requests over " << config.period_s << " s";
  info(line.str());
}

void ValidatorNode::State::resume_period(const store::PeriodRecord& period) {
  std::map<std::string, std::pair<std::string, std::uint16_t>> address_of;  // hotkey → (url, port) from the snapshot
  for (const store::NodeRecord& n : parts.store->nodes()) {
    address_of[n.hotkey] = {miner_base_url(n.ip, n.port), n.port};
  }
  std::vector<Contender> resumed;
  for (const store::PeriodContender& row : parts.store->contenders(period.id)) {
    const config::TaskEntry* entry = parts.host->catalog().find(row.task);
    auto live = parts.host->task(row.task);
    auto address = address_of.find(row.miner_hotkey);
    if (!entry || !live || address == address_of.end()) continue;
    Contender c;
    c.row = row;
    c.base_url = address->second.first;
    c.endpoint = live->info().endpoint;
    c.timeout_s = entry->timeout_s;
    resumed.push_back(std::move(c));
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    period_id = period.id;
    period_end = period.ends_at;
    period_start = period.starts_at;
    contenders = std::move(resumed);
    reset_live();
  }
  schedule(period.id, period.starts_at, /*skip_past=*/true);
  info("resumed period " + std::to_string(period.id) + " with " + std::to_string(contenders.size()) +
       " contenders, " + std::to_string(timetable.size()) + " synthetic requests left");
}

void ValidatorNode::State::schedule(std::int64_t period, SystemClock::time_point starts_at, bool skip_past) {
  const auto now = SystemClock::now();
  std::lock_guard<std::mutex> lock(mutex);
  timetable = {};
  for (size_t i = 0; i < contenders.size(); ++i) {
    const Contender& c = contenders[i];
    const config::TaskEntry* entry = parts.host->catalog().find(c.row.task);
    std::mt19937_64 plan_rng(schedule_seed(period, c.row.miner_hotkey, c.row.task));
    for (double offset : scoring::plan_synthetic_requests(c.row.capacity_to_score, entry->volume_per_request,
                                                          config.mechanism.synthetic_schedule, plan_rng)) {
      auto at = starts_at + std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(offset));
      if (skip_past && at < now) continue;
      timetable.push(Due{at, i});
    }
  }
}

void ValidatorNode::State::finish_period() {
  std::int64_t id;
  {
    // Requests not yet sent belong to a period that is over; those in flight may finish.
    std::unique_lock<std::mutex> lock(mutex);
    id = period_id;
    send_queue.clear();
    timetable = {};
    changed.wait_for(lock, std::chrono::duration<double>(config.answer_timeout_s + 1), [&] { return in_flight == 0; });
  }
  std::vector<store::PeriodScoreRecord> scores;
  for (const store::PeriodContender& c : parts.store->contenders(id)) {
    store::PeriodScoreRecord r;
    r.miner_hotkey = c.miner_hotkey;
    r.uid = c.uid;
    r.task = c.task;
    r.period_id = id;
    r.score = scoring::period_score(c.counts, c.capacity, config.mechanism.period_score);
    r.consumed_volume = c.counts.consumed;
    r.tested_volume = c.capacity_to_score;
    scores.push_back(r);
  }
  parts.store->close_period(id, scores);
  info("period " + std::to_string(id) + " closed with " + std::to_string(scores.size()) + " contender scores");
  {
    std::lock_guard<std::mutex> lock(mutex);
    period_id = 0;
    contenders.clear();
    last_closed_period = id;
  }
  if (config.weights_every_s <= 0) {
    weights_pending = true;
    next_weights_try = SystemClock::now();
  }
}

// ---------------------------------------------------------------- weights

// The validator's task vote goes on the chain as its commitment, unless the chain holds it already.
void ValidatorNode::State::publish_task_votes() {
  if (config.task_votes.empty()) return;
  const std::string text = scoring::encode_task_votes(config.task_votes);
  try {
    for (const chain::Commitment& c : parts.chain->commitments()) {
      if (c.hotkey == hotkey.ss58_address() && c.data == text) {
        info("task votes already on the chain: " + text);
        return;
      }
    }
    chain::WriteResult r = parts.chain->set_commitment(hotkey.ss58_address(), text);
    if (r.accepted) {
      info("task votes published at block " + std::to_string(r.block) + ": " + text);
    } else {
      info("task votes were refused by the chain: " + r.reason + " (the validator scores on without them)");
    }
  } catch (const std::exception& e) {
    info(std::string("task votes could not be published: ") + e.what() + " (the validator scores on without them)");
  }
}

void ValidatorNode::State::try_set_weights() {
  const auto now = SystemClock::now();
  std::vector<TaskToScore> tasks;
  std::string votes_note;
  const scoring::EffectiveTaskWeights task_weights = effective_task_weights(&votes_note);
  for (const std::string& name : served_tasks()) {
    auto w = task_weights.weight.find(name);
    tasks.push_back(TaskToScore{name, w == task_weights.weight.end() ? 0.0 : w->second});
  }
  std::vector<scoring::TaskInput> inputs =
      task_inputs(*parts.store, tasks, last_closed_period, now, config.history_periods);
  scoring::WeightsResult result = scoring::compute_weights(inputs, config.mechanism.task_scores);
  std::map<std::uint16_t, std::string> hotkey_of;
  for (const store::PeriodContender& c : parts.store->contenders(last_closed_period)) hotkey_of[c.uid] = c.miner_hotkey;
  scoring::ChainWeights vector = scoring::to_chain_weights(result.miners);
  {
    std::map<std::uint16_t, double> weight_of;
    for (const auto& m : result.miners) weight_of[m.uid] = m.weight;
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& task : result.tasks) {
      for (const auto& c : task.contenders) {
        if (!hotkey_of.count(c.uid)) continue;
        figures[{task.name, hotkey_of[c.uid]}] = Figures{c.quality, c.period_history, c.speed_bonus, weight_of[c.uid]};
      }
    }
  }

  std::ostringstream report;
  report << "weights after period " << last_closed_period << "\n";
  report << "task weights (" << (task_weights.from_votes
                                     ? "stake-weighted median of " + std::to_string(task_weights.votes_counted) +
                                           " validators' votes, clipped to the catalogue's bounds"
                                     : std::string("the catalogue's; no validator voted"))
         << "):";
  for (const auto& [task, w] : task_weights.weight) report << " " << task << "=" << w;
  report << "\n";
  if (!votes_note.empty()) report << votes_note << "\n";
  report << format_weight_tables(result, hotkey_of);
  try {
    report << format_check_tallies(parts.store->answer_tallies(last_weights_set));
  } catch (const std::exception& e) {
    report << "checking: the tallies could not be read: " << e.what() << "\n";
  }
  if (vector.uids.empty()) {
    report << "nothing to set: no miner has a weight yet\n";
    weights_pending = false;
    last_weights_set = now;
    if (events.weights_set) events.weights_set(report.str());
    spdlog::debug("{}", report.str());
    return;
  }
  const std::int64_t setting = parts.store->record_weight_setting(now, breakdown_rows(result, hotkey_of));
  chain::WriteResult written = parts.chain->set_weights(hotkey.ss58_address(), vector.uids, vector.values,
                                                        config.version_key);
  store::WeightSubmissionRecord submission;
  submission.weight_setting_id = setting;
  submission.submitted_at = now;
  submission.uids = vector.uids;
  submission.values = vector.values;
  submission.block = written.block;
  submission.version_key = config.version_key;
  submission.accepted = written.accepted;
  submission.result = written.accepted ? "accepted" : written.reason;
  parts.store->record_weight_submission(submission);

  report << "vector (uid:u16):";
  for (size_t i = 0; i < vector.uids.size(); ++i) report << " " << vector.uids[i] << ":" << vector.values[i];
  report << "\n" << (written.accepted ? "accepted at block " + std::to_string(written.block)
                                      : "refused by the chain: " + written.reason + " (retrying)")
         << "\n";
  if (written.accepted) {
    weights_pending = false;
    last_weights_set = now;
  } else {
    next_weights_try = now + std::chrono::seconds(5);
  }
  if (events.weights_set) events.weights_set(report.str());
  spdlog::debug("{}", report.str());
}

// ---------------------------------------------------------------- synthetic requests

void ValidatorNode::State::run_sender() {
  while (true) {
    SendJob job;
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return stopped || !send_queue.empty(); });
      if (send_queue.empty()) return;  // stopped
      job = std::move(send_queue.front());
      send_queue.pop_front();
      ++in_flight;
    }
    try {
      send(job);
    } catch (const std::exception& e) {
      // A full disk fails every send the same way: the first is logged, then one line per 10 s.
      const std::size_t missed = ++unrecorded_sends;
      const auto now = std::chrono::steady_clock::now();
      std::lock_guard<std::mutex> lock(log_mutex);
      if (now - last_unrecorded_log >= std::chrono::seconds(10)) {
        spdlog::warn("synthetic request to {} for {} not recorded ({} so far): {}", job.contender.row.miner_hotkey,
                     job.contender.row.task, missed, e.what());
        last_unrecorded_log = now;
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    --in_flight;
    changed.notify_all();
  }
}

void ValidatorNode::State::send(const SendJob& job) {
  const Contender& c = job.contender;
  auto task = parts.host->task(c.row.task);
  if (!task) return;  // the validator cannot make this task's requests now: not the miner's fault
  const std::string request = with_model(task->synthesize(draw_seed()), c.row.task);
  const bool stream = wants_stream(request);
  QueryTimeouts timeouts;
  timeouts.first_byte = std::chrono::milliseconds(static_cast<long>(c.timeout_s * 1000));
  timeouts.total = std::chrono::milliseconds(static_cast<long>(config.answer_timeout_s * 1000));
  // One client per sender thread (its kept-alive connections), made again if the CA setting differs.
  thread_local std::unique_ptr<net::HttpClient> client;
  thread_local std::string client_ca;
  if (!client || client_ca != config.miners_ca_file) {
    client = std::make_unique<net::HttpClient>(miner_client_options());
    client_ca = config.miners_ca_file;
  }
  QueryResult result = query_miner(*client, hotkey, MinerAddress{c.row.miner_hotkey, c.base_url}, c.endpoint, request,
                                   stream, timeouts);
  double work = 0;
  if (result.outcome == scoring::Outcome::success) {
    try {
      work = task->work(request, result.response_json);
    } catch (const std::exception& e) {
      result.outcome = scoring::Outcome::failed;  // an answer the task cannot read is malformed
      result.error = e.what();
    }
  }
  record(job.period_id, c.row.task, c.row.miner_hotkey, result.outcome, work);
  if (result.outcome != scoring::Outcome::success) {
    spdlog::debug("{} {} → {}", c.row.task, c.row.miner_hotkey, result.error);
    return;
  }
  keep(c.row.task, c.row.miner_hotkey, c.row.uid, request, result, work, /*synthetic=*/true);
}

void ValidatorNode::State::record(std::int64_t period, const std::string& task, const std::string& miner,
                                  scoring::Outcome outcome, double work) {
  parts.store->record_outcome(period, miner, task, outcome, work);
  std::lock_guard<std::mutex> lock(mutex);
  if (period != period_id) return;
  LiveStats& stats = live[{task, miner}];
  stats.counts.record(outcome, work);
  if (outcome == scoring::Outcome::success) stats.consecutive_failures = 0;
  if (outcome == scoring::Outcome::failed) ++stats.consecutive_failures;
  if (outcome == scoring::Outcome::rate_limited) stats.last_429 = SystemClock::now();
}

void ValidatorNode::State::keep(const std::string& task, const std::string& miner, std::uint16_t uid,
                                const std::string& request, const QueryResult& result, double work, bool synthetic) {
  store::KeptAnswer kept;
  kept.task = task;
  kept.miner_hotkey = miner;
  kept.uid = uid;
  kept.request = request;
  kept.response = result.response_json;
  kept.synthetic = synthetic;
  kept.work = work;
  kept.response_time_s = result.total_s;
  kept.received_at = SystemClock::now();
  // The check budget: every organic answer, and this share of the synthetic ones, drawn at random.
  // An answer not drawn is recorded as unchecked: it counts neither for nor against the miner.
  if (synthetic && config.check_fraction < 1) {
    bool drawn;
    {
      std::lock_guard<std::mutex> lock(rng_mutex);
      drawn = std::uniform_real_distribution<double>(0, 1)(rng) < config.check_fraction;
    }
    if (!drawn) {
      std::ostringstream why;
      why << "not drawn for checking (check_fraction " << config.check_fraction << ")";
      parts.store->add_unchecked_answer(kept, why.str(), kept.received_at);
      return;
    }
  }
  parts.store->keep_answer(kept, config.answers_kept_per_task);
}

// Under `mutex`: the live stats of the current contenders, from the store's counters.
// A contender's recent checks outlive the period: routing keeps what checking has seen.
void ValidatorNode::State::reset_live() {
  std::map<ContenderKey, LiveStats> previous;
  previous.swap(live);
  for (const Contender& c : contenders) {
    LiveStats& stats = live[{c.row.task, c.row.miner_hotkey}];
    stats.counts = c.row.counts;
    auto before = previous.find({c.row.task, c.row.miner_hotkey});
    if (before != previous.end()) stats.recent_checks = std::move(before->second.recent_checks);
  }
}

void ValidatorNode::State::load_figures() {
  auto latest = parts.store->latest_weight_setting();
  if (!latest) return;
  std::lock_guard<std::mutex> lock(mutex);
  for (const store::WeightBreakdownRecord& r : parts.store->weight_breakdowns(*latest)) {
    figures[{r.task, r.miner_hotkey}] =
        Figures{r.figures.quality, r.figures.period_history, r.figures.speed_bonus, r.final_weight};
  }
}

// ---------------------------------------------------------------- checking

void ValidatorNode::State::run_check_pump() {
  while (!stopping) {
    try {
      pump_checks_once();
    } catch (const std::exception& e) {
      // The store cannot take the results (a full disk): the answers stay kept and are checked again.
      spdlog::error("checking: {} (retrying in 2 s)", e.what());
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait_for(lock, std::chrono::seconds(2), [&] { return stopping.load(); });
    }
  }
}

// One round of the check pump: a batch of some task's answers checked, or a short wait when none is kept.
void ValidatorNode::State::pump_checks_once() {
  {
    bool worked = false;
    // Two passes: every task's organic answers, then (only when none is waiting) synthetic ones,
    // task by task. Users' answers are what a validator sells: they are checked first.
    for (const bool organic_pass : {true, false}) {
      for (const std::string& task : served_tasks()) {
        if (stopping) break;
        // Organic answers first, then each miner's in random order (the store's rule).
        std::vector<store::KeptAnswer> answers = parts.store->next_answers_to_check(task, config.check_batch);
        if (organic_pass) {
          auto synthetic = std::find_if(answers.begin(), answers.end(), [](const store::KeptAnswer& a) { return a.synthetic; });
          answers.erase(synthetic, answers.end());
        }
        if (answers.empty()) continue;
        worked = true;
        check_answers(answers);
      }
      if (worked) break;
    }
    if (!worked) {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait_for(lock, std::chrono::milliseconds(300), [&] { return stopping.load(); });
    }
  }
}

// Has `answers` checked and records what became of each: its quality; or, for an answer the
// checker failed on alone (its rule: a failed batch is split into single answers there, not here),
// unchecked with the checker's reason. An answer the checker did not check for a reason of its own
// (stopping, a lost job) stays kept and comes back next round; so do all of them when we stop.
void ValidatorNode::State::check_answers(const std::vector<store::KeptAnswer>& answers) {
  std::vector<checker::CheckItem> items;
  for (const store::KeptAnswer& a : answers) items.push_back(checker::CheckItem{a.task, a.request, a.response});
  std::future<std::vector<checker::CheckResult>> pending = parts.checker->check(std::move(items), check_stop);
  while (pending.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (stopping) return;  // check_stop ends the check promptly; the answers stay kept
  }
  std::vector<checker::CheckResult> results;
  try {
    results = pending.get();
  } catch (const std::exception& e) {
    spdlog::error("checking: the check of {} answers ended without results ({}); they stay kept", answers.size(),
                  e.what());
    return;
  }
  const auto now = SystemClock::now();
  std::vector<std::pair<ContenderKey, double>> checked;
  for (size_t i = 0; i < answers.size() && i < results.size(); ++i) {
    const store::KeptAnswer& a = answers[i];
    const checker::CheckResult& r = results[i];
    switch (r.kind) {
      case checker::CheckResult::Kind::checked:
        parts.store->record_check(a.id, r.outcome.quality, r.outcome.reason, now);
        checked.emplace_back(ContenderKey{a.task, a.miner_hotkey}, r.outcome.quality);
        break;
      case checker::CheckResult::Kind::failed:
        spdlog::error("kept answer {} of {} from {} stays unchecked: the checker failed on it: {}", a.id, a.task,
                      a.miner_hotkey, r.why);
        parts.store->record_unchecked(a.id, "the checker failed on it: " + r.why, now);
        break;
      case checker::CheckResult::Kind::not_checked:
        break;  // kept: sent again next round
    }
  }
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto& [key, quality] : checked) {
    std::deque<double>& recent = live[key].recent_checks;
    recent.push_back(quality);
    if (recent.size() > kRecentChecks) recent.pop_front();
  }
}

}  // namespace nineteen::validator
