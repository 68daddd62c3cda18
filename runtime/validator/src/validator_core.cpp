// What the validator's loops share: the contender board and the core (randomness, addresses, the
// served tasks, recording an outcome and keeping an answer).
#include <sstream>

#include <spdlog/spdlog.h>

#include <cmath>

#include "nineteen/keys/request_signing.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "validator_loops.hpp"

namespace nineteen::validator::loops {

// ---------------------------------------------------------------- the contender board

void ContenderBoard::reset_live() {
  std::map<ContenderKey, LiveStats> previous;
  previous.swap(live);
  for (const Contender& c : contenders) {
    LiveStats& stats = live[{c.row.task, c.row.miner_hotkey}];
    stats.counts = c.row.counts;
    auto before = previous.find({c.row.task, c.row.miner_hotkey});
    if (before != previous.end()) stats.recent_checks = std::move(before->second.recent_checks);
  }
}

void ContenderBoard::note_outcome(std::int64_t period, const ContenderKey& key, scoring::Outcome outcome,
                                  double work) {
  std::lock_guard<std::mutex> lock(mutex);
  if (period != period_id) return;
  LiveStats& stats = live[key];
  stats.counts.record(outcome, work);
  if (outcome == scoring::Outcome::success) stats.consecutive_failures = 0;
  if (outcome == scoring::Outcome::failed) ++stats.consecutive_failures;
  if (outcome == scoring::Outcome::rate_limited) stats.last_429 = SystemClock::now();
}

void ContenderBoard::note_routed_around(std::int64_t period, const ContenderKey& key) {
  std::lock_guard<std::mutex> lock(mutex);
  if (period != period_id) return;
  live[key].counts.record(scoring::Outcome::rate_limited, 0);
}

void ContenderBoard::note_checks(const std::vector<std::pair<ContenderKey, double>>& checked) {
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto& [key, quality] : checked) {
    std::deque<double>& recent = live[key].recent_checks;
    recent.push_back(quality);
    if (recent.size() > kRecentChecks) recent.pop_front();
  }
}

// ---------------------------------------------------------------- the core

void ValidatorCore::info(const std::string& line) {
  spdlog::info("{}", line);
  if (events.info) events.info(line);
}

uint64_t ValidatorCore::draw_seed() {
  std::lock_guard<std::mutex> lock(rng_mutex);
  return rng();
}

uint64_t ValidatorCore::schedule_seed(std::int64_t period, const std::string& miner, const std::string& task) const {
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

std::string ValidatorCore::miner_base_url(const std::string& ip, std::uint16_t port) const {
  const bool v6 = ip.find(':') != std::string::npos;
  return std::string(config.miners_https ? "https://" : "http://") + (v6 ? "[" + ip + "]" : ip) + ":" +
         std::to_string(port);
}

net::ClientOptions ValidatorCore::miner_client_options() const {
  net::ClientOptions options;
  options.tls_ca_file = config.miners_ca_file;
  return options;
}

std::vector<std::string> ValidatorCore::served_tasks() const {
  std::vector<std::string> names;
  for (const auto& entry : parts.host->catalog().tasks) {
    if (entry.enabled && parts.host->task(entry.name)) names.push_back(entry.name);
  }
  return names;
}

double ValidatorCore::answer_work(const std::string& task, const std::string& request,
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

void ValidatorCore::record(std::int64_t period, const std::string& task, const std::string& miner,
                           scoring::Outcome outcome, double work) {
  parts.store->record_outcome(period, miner, task, outcome, work);
  board.note_outcome(period, {task, miner}, outcome, work);
}

void ValidatorCore::record_routed_around(std::int64_t period, const std::string& task, const std::string& miner) {
  parts.store->record_outcome(period, miner, task, scoring::Outcome::rate_limited, 0);
  board.note_routed_around(period, {task, miner});
}

void ValidatorCore::keep(const std::string& task, const std::string& miner, std::uint16_t uid,
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

void ValidatorCore::rest(std::chrono::milliseconds pause) {
  std::unique_lock<std::mutex> lock(board.mutex);
  board.changed.wait_for(lock, pause, [&] { return stopping.load(); });
}

}  // namespace nineteen::validator::loops
