// Organic routing, the gateway's side of the validator (OrganicRouting): the tasks users see, the
// contenders to try in order, and each organic outcome counted on the contender board as a
// synthetic one would be (its work read once, and returned for the user's bill).
#include <cmath>
#include <map>
#include <random>

#include <spdlog/spdlog.h>

#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/scoring/organic_routing.hpp"
#include "validator_loops.hpp"

namespace nineteen::validator {

std::vector<OrganicTask> ValidatorNode::organic_tasks() {
  loops::ValidatorCore& s = state_->core;
  loops::ContenderBoard& b = s.board;
  std::map<std::string, size_t> count;
  {
    std::lock_guard<std::mutex> lock(b.mutex);
    for (const loops::Contender& c : b.contenders) ++count[c.row.task];
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
  loops::ValidatorCore& s = state_->core;
  loops::ContenderBoard& b = s.board;
  std::vector<scoring::RoutingContender> routing;
  std::vector<OrganicCandidate> candidates;
  std::vector<std::string> routed_around;  // hotkeys left out only because they said 429 in the last 2 s
  std::size_t could_answer = 0;            // contenders nothing keeps out
  std::int64_t period = 0;
  const auto now = loops::SystemClock::now();
  const auto& routing_settings = s.config.mechanism.organic_routing;
  {
    std::lock_guard<std::mutex> lock(b.mutex);
    period = b.period_id;
    for (const loops::Contender& c : b.contenders) {
      if (c.row.task != task) continue;
      const loops::ContenderKey key{c.row.task, c.row.miner_hotkey};
      const loops::LiveStats& stats = b.live[key];
      auto figures = b.figures.find(key);
      scoring::RoutingContender r;
      r.recent_failures = stats.consecutive_failures;
      r.answering_429 = now - stats.last_429 < std::chrono::seconds(2);
      r.capacity_left = c.row.capacity - stats.counts.consumed;
      r.in_flight = static_cast<std::uint32_t>(stats.in_flight);
      // Routing trusts what checking saw lately, then the last weight setting, then a prior.
      const std::optional<double> checked = stats.recent_checked_quality();
      r.recent_quality = checked               ? *checked
                         : figures == b.figures.end() ? loops::kPriorQuality
                                                      : figures->second.quality;
      r.period_score = figures == b.figures.end() ? loops::kPriorPeriodScore : figures->second.period_score;
      // Counted only where the 429 alone keeps it out (not also failures, low quality or a used-up volume).
      const bool otherwise_eligible =
          r.recent_failures <= routing_settings.max_recent_failures && r.capacity_left > 0 &&
          std::isfinite(r.recent_quality) && r.recent_quality >= routing_settings.min_quality;
      if (otherwise_eligible && r.answering_429) routed_around.push_back(c.row.miner_hotkey);
      if (otherwise_eligible && !r.answering_429) ++could_answer;
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
  // A miner that says 429 while its declared volume is unused is routed around for 2 s, and so would
  // meet few of the requests it cannot take: each request routed around it counts as one of its 429s
  // with the chance it had of being asked (an even share among the contenders that could answer), so
  // its served share and period score show the demand it turned away, not only the refusals it made.
  // A 429 after the declared volume was used up still costs nothing (u = 0, MECHANISM.md §5).
  std::vector<std::string> counted;
  std::vector<size_t> order;
  {
    std::lock_guard<std::mutex> lock(s.rng_mutex);
    order = scoring::organic_try_order(routing, routing_settings, s.rng);
    std::uniform_real_distribution<double> draw(0, 1);
    for (const std::string& hotkey : routed_around) {
      if (draw(s.rng) < 1.0 / static_cast<double>(could_answer + 1)) counted.push_back(hotkey);
    }
  }
  if (period != 0) {
    for (const std::string& hotkey : counted) {
      try {
        s.record_routed_around(period, task, hotkey);
      } catch (const std::exception& e) {  // the user's request goes on; the count is what is lost
        spdlog::warn("routing: a request routed around {} could not be counted: {}", hotkey, e.what());
      }
    }
  }
  std::vector<OrganicCandidate> ordered;
  for (size_t i : order) ordered.push_back(candidates[i]);
  return ordered;
}

void ValidatorNode::organic_started(const std::string& task, const std::string& miner_hotkey) {
  std::lock_guard<std::mutex> lock(state_->core.board.mutex);
  ++state_->core.board.live[{task, miner_hotkey}].in_flight;
}

double ValidatorNode::organic_finished(const std::string& task, const std::string& miner_hotkey,
                                       const std::string& request, const QueryResult& result) {
  loops::ValidatorCore& s = state_->core;
  loops::ContenderBoard& b = s.board;
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
    std::lock_guard<std::mutex> lock(b.mutex);
    loops::LiveStats& stats = b.live[{task, miner_hotkey}];
    if (stats.in_flight > 0) --stats.in_flight;
    if (users_fault) return work;
    ++stats.synthetic_to_skip;  // MECHANISM.md §3: an organic request replaces a pending synthetic one
    period = b.period_id;
    for (const loops::Contender& c : b.contenders) {
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
  loops::ValidatorCore& s = state_->core;
  loops::ContenderBoard& b = s.board;
  loops::SystemClock::time_point since;
  {
    std::lock_guard<std::mutex> lock(b.mutex);
    since = b.period_start;
  }
  std::map<loops::ContenderKey, store::AnswerTally> tallies;
  try {
    for (store::AnswerTally& t : s.parts.store->answer_tallies(since)) tallies[{t.task, t.miner_hotkey}] = t;
  } catch (const std::exception& e) {
    spdlog::warn("status: the answer tallies could not be read: {}", e.what());
  }
  std::lock_guard<std::mutex> lock(b.mutex);
  std::vector<ContenderStatus> out;
  const auto now = loops::SystemClock::now();
  for (const loops::Contender& c : b.contenders) {
    const loops::ContenderKey key{c.row.task, c.row.miner_hotkey};
    const loops::LiveStats& stats = b.live[key];
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
    auto f = b.figures.find(key);
    if (f != b.figures.end()) {
      st.recent_quality = f->second.quality;
      st.period_score = f->second.period_score;
      st.speed_bonus = f->second.speed_bonus;
      st.weight = f->second.weight;
    }
    out.push_back(st);
  }
  return out;
}

std::vector<scoring::TaskWeightBounds> ValidatorNode::task_bounds() const { return state_->weights.task_bounds(); }

const keys::Hotkey& ValidatorNode::signing_key() const { return state_->core.hotkey; }

std::optional<RequestRefusal> ValidatorNode::refuse_request(const std::string& task, const std::string& request) {
  auto live = state_->core.parts.host->task(task);
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

}  // namespace nineteen::validator
