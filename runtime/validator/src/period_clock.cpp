// The period clock: opens a period (asking every miner for its capacities) or resumes the one in the
// store, fires its synthetic timetable into the sender, closes it into history, and gives the weight
// setter its turn.
#include <future>
#include <sstream>

#include <spdlog/spdlog.h>

#include "nineteen/chain/chain.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/scoring/capacity_draw.hpp"
#include "nineteen/scoring/period_score.hpp"
#include "nineteen/scoring/synthetic_schedule.hpp"
#include "validator_loops.hpp"

namespace nineteen::validator::loops {

void PeriodClock::start() { thread_ = std::thread([this] { run(); }); }

void PeriodClock::join() {
  if (thread_.joinable()) thread_.join();
}

void PeriodClock::run() {
  while (!stopping) {
    try {
      ensure_period();
      const auto now = SystemClock::now();
      bool period_over = false;
      SystemClock::time_point wake = now + std::chrono::milliseconds(200);
      {
        std::lock_guard<std::mutex> lock(board.mutex);
        bool queued = false;
        while (!timetable_.empty() && timetable_.top().at <= now) {
          const Contender& c = board.contenders[timetable_.top().contender];
          LiveStats& stats = board.live[{c.row.task, c.row.miner_hotkey}];
          if (stats.synthetic_to_skip > 0) {
            --stats.synthetic_to_skip;  // an organic request already tested this contender in its place
          } else {
            sender_.enqueue_locked(SendJob{board.period_id, c});
            queued = true;
          }
          timetable_.pop();
        }
        if (queued) board.changed.notify_all();
        period_over = board.period_id != 0 && now >= board.period_end;
        if (!timetable_.empty()) wake = std::min(wake, timetable_.top().at);
        wake = std::min(wake, board.period_end);
      }
      if (period_over) {
        finish_period();
        continue;
      }
      weights_.tick(now);
      std::unique_lock<std::mutex> lock(board.mutex);
      board.changed.wait_until(lock, wake, [&] { return stopping.load(); });
    } catch (const std::exception& e) {
      spdlog::error("validator: {} (retrying in 2 s)", e.what());
      std::unique_lock<std::mutex> lock(board.mutex);
      board.changed.wait_for(lock, std::chrono::seconds(2), [&] { return stopping.load(); });
    }
  }
  // Let the senders finish what they took, then end them.
  std::unique_lock<std::mutex> lock(board.mutex);
  sender_.finish_locked();
}

void PeriodClock::ensure_period() {
  {
    std::lock_guard<std::mutex> lock(board.mutex);
    if (board.period_id != 0) return;
  }
  if (auto open = parts.store->open_period()) {
    if (SystemClock::now() < open->ends_at) {
      resume_period(*open);
    } else {
      // The validator was down past the end of this period: close it with what was recorded.
      {
        std::lock_guard<std::mutex> lock(board.mutex);
        board.period_id = open->id;
        board.period_end = open->ends_at;
        board.period_start = open->starts_at;
      }
      finish_period();
    }
    return;
  }
  start_period();
}

void PeriodClock::start_period() {
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
    if (n.role == chain::NodeRole::miner && !n.ip.empty() && n.port != 0 && n.hotkey != core.hotkey.ss58_address()) {
      miners.push_back(&n);
    }
  }
  std::vector<CapacityAnswer> answers(miners.size());
  for (size_t begin = 0; begin < miners.size(); begin += 16) {
    std::vector<std::future<CapacityAnswer>> futures;
    for (size_t i = begin; i < std::min(miners.size(), begin + 16); ++i) {
      futures.push_back(std::async(std::launch::async, [this, m = miners[i]] {
        net::HttpClient client(core.miner_client_options());
        return query_capacity(client, core.hotkey, MinerAddress{m->hotkey, core.miner_base_url(m->ip, m->port)});
      }));
    }
    for (size_t i = 0; i < futures.size(); ++i) answers[begin + i] = futures[i].get();
  }

  const auto ends = now + std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(config.period_s));
  const std::int64_t id = parts.store->start_period(now, ends);
  std::vector<Contender> fresh;
  std::vector<store::PeriodContender> rows;
  const std::vector<std::string> tasks = core.served_tasks();
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
        std::lock_guard<std::mutex> lock(core.rng_mutex);
        c.row.capacity_to_score = scoring::draw_capacity_to_score(c.row.capacity, config.mechanism.capacity_draw, core.rng);
      }
      c.base_url = core.miner_base_url(miners[i]->ip, miners[i]->port);
      c.endpoint = live->info().endpoint;
      c.timeout_s = entry->timeout_s;
      rows.push_back(c.row);
      fresh.push_back(std::move(c));
    }
  }
  parts.store->put_contenders(rows);
  {
    std::lock_guard<std::mutex> lock(board.mutex);
    board.period_id = id;
    board.period_end = ends;
    board.period_start = now;
    board.contenders = std::move(fresh);
    board.reset_live();
  }
  schedule(id, now, /*skip_past=*/false);
  std::ostringstream line;
  line << "period " << id << ": " << rows.size() << " contenders from " << miners.size() - unreachable << " of "
       << miners.size() << " miners, " << timetable_.size() << " synthetic requests over " << config.period_s << " s";
  core.info(line.str());
}

void PeriodClock::resume_period(const store::PeriodRecord& period) {
  std::map<std::string, std::pair<std::string, std::uint16_t>> address_of;  // hotkey → (url, port) from the snapshot
  for (const store::NodeRecord& n : parts.store->nodes()) {
    address_of[n.hotkey] = {core.miner_base_url(n.ip, n.port), n.port};
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
    std::lock_guard<std::mutex> lock(board.mutex);
    board.period_id = period.id;
    board.period_end = period.ends_at;
    board.period_start = period.starts_at;
    board.contenders = std::move(resumed);
    board.reset_live();
  }
  schedule(period.id, period.starts_at, /*skip_past=*/true);
  core.info("resumed period " + std::to_string(period.id) + " with " + std::to_string(board.contenders.size()) +
       " contenders, " + std::to_string(timetable_.size()) + " synthetic requests left");
}

void PeriodClock::schedule(std::int64_t period, SystemClock::time_point starts_at, bool skip_past) {
  const auto now = SystemClock::now();
  std::lock_guard<std::mutex> lock(board.mutex);
  timetable_ = {};
  for (size_t i = 0; i < board.contenders.size(); ++i) {
    const Contender& c = board.contenders[i];
    const config::TaskEntry* entry = parts.host->catalog().find(c.row.task);
    std::mt19937_64 plan_rng(core.schedule_seed(period, c.row.miner_hotkey, c.row.task));
    for (double offset : scoring::plan_synthetic_requests(c.row.capacity_to_score, entry->volume_per_request,
                                                          config.mechanism.synthetic_schedule, plan_rng)) {
      auto at = starts_at + std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(offset));
      if (skip_past && at < now) continue;
      timetable_.push(Due{at, i});
    }
  }
}

void PeriodClock::finish_period() {
  std::int64_t id;
  {
    // Requests not yet sent belong to a period that is over; those in flight may finish.
    std::unique_lock<std::mutex> lock(board.mutex);
    id = board.period_id;
    sender_.drop_unsent_locked();
    timetable_ = {};
    board.changed.wait_for(lock, std::chrono::duration<double>(config.answer_timeout_s + 1),
                           [&] { return sender_.idle_locked(); });
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
  core.info("period " + std::to_string(id) + " closed with " + std::to_string(scores.size()) + " contender scores");
  {
    std::lock_guard<std::mutex> lock(board.mutex);
    board.period_id = 0;
    board.contenders.clear();
  }
  weights_.period_closed(id);
}

}  // namespace nineteen::validator::loops
