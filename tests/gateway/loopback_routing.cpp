// The loopback OrganicRouting double: fixed orders, reports recorded.
#include "loopback_routing.hpp"

#include <rapidjson/document.h>

#include "nineteen/sdk/json.hpp"

namespace gateway_testing {

using namespace nineteen::validator;

void LoopbackRouting::add_task(OrganicTask task, std::vector<OrganicCandidate> try_order) {
  std::lock_guard<std::mutex> lock(mutex_);
  task.contenders = try_order.size();
  try_orders_[task.name] = std::move(try_order);
  tasks_.push_back(std::move(task));
}

void LoopbackRouting::set_try_order(const std::string& task, std::vector<OrganicCandidate> try_order) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& t : tasks_) {
    if (t.name == task) t.contenders = try_order.size();
  }
  try_orders_[task] = std::move(try_order);
}

std::vector<OrganicTask> LoopbackRouting::organic_tasks() {
  std::lock_guard<std::mutex> lock(mutex_);
  return tasks_;
}

std::vector<OrganicCandidate> LoopbackRouting::organic_candidates(const std::string& task) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = try_orders_.find(task);
  return it == try_orders_.end() ? std::vector<OrganicCandidate>{} : it->second;
}

void LoopbackRouting::organic_started(const std::string&, const std::string& miner_hotkey) {
  std::lock_guard<std::mutex> lock(mutex_);
  started_++;
  in_flight_[miner_hotkey]++;
}

double LoopbackRouting::organic_finished(const std::string& task, const std::string& miner_hotkey,
                                         const std::string& request, const QueryResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  in_flight_[miner_hotkey]--;
  finished_.push_back(ReportedAttempt{task, miner_hotkey, request, result});
  if (result.outcome != nineteen::scoring::Outcome::success && !result.stopped_by_caller) return 0;
  ++work_reads_;
  rapidjson::Document doc;
  return nineteen::sdk::parse_json_bounded(doc, result.response_json).empty() && doc.IsArray()
             ? static_cast<double>(doc.Size())
             : 0;
}

std::size_t LoopbackRouting::work_reads() {
  std::lock_guard<std::mutex> lock(mutex_);
  return work_reads_;
}

std::vector<ContenderStatus> LoopbackRouting::contender_status() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ContenderStatus> out;
  for (const auto& [task, order] : try_orders_) {
    for (const OrganicCandidate& c : order) {
      ContenderStatus s;
      s.task = task;
      s.miner_hotkey = c.miner.hotkey;
      s.uid = c.uid;
      s.capacity = 1000;
      for (const ReportedAttempt& a : finished_) {
        if (a.task != task || a.miner_hotkey != c.miner.hotkey) continue;
        s.requests++;
        if (a.result.outcome == nineteen::scoring::Outcome::rate_limited) s.rate_limited++;
        if (a.result.outcome == nineteen::scoring::Outcome::failed) s.failed++;
      }
      s.in_flight = in_flight_[c.miner.hotkey];
      s.recent_quality = 0.9;
      s.period_score = 0.8;
      s.weight = 0.5;
      out.push_back(s);
    }
  }
  return out;
}

std::optional<nineteen::validator::RequestRefusal> LoopbackRouting::refuse_request(const std::string&,
                                                                                  const std::string& request) {
  rapidjson::Document doc;
  if (!nineteen::sdk::parse_json_bounded(doc, request).empty() || !doc.IsObject()) {
    return nineteen::validator::RequestRefusal{"not a JSON object"};
  }
  auto max_tokens = doc.FindMember("max_tokens");
  if (max_tokens != doc.MemberEnd() && max_tokens->value.IsNumber() && max_tokens->value.GetDouble() < 0) {
    return nineteen::validator::RequestRefusal{"request key \"max_tokens\": expected an integer >= 1"};
  }
  return std::nullopt;
}


std::vector<ReportedAttempt> LoopbackRouting::finished() {
  std::lock_guard<std::mutex> lock(mutex_);
  return finished_;
}

std::size_t LoopbackRouting::started_count() {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

std::size_t LoopbackRouting::in_flight() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = 0;
  for (const auto& [hotkey, count] : in_flight_) n += count;
  return n;
}

void LoopbackRouting::clear_reports() {
  std::lock_guard<std::mutex> lock(mutex_);
  finished_.clear();
  started_ = 0;
}

}  // namespace gateway_testing
