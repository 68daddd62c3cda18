// A test double of the validator's side of the gateway (OrganicRouting) over miners on loopback:
// fixed tasks and try orders, and a record of every attempt reported. The miners and HTTP are real.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "nineteen/validator/organic_routing.hpp"

namespace gateway_testing {

struct ReportedAttempt {
  std::string task;
  std::string miner_hotkey;
  std::string request;
  nineteen::validator::QueryResult result;
};

class LoopbackRouting : public nineteen::validator::OrganicRouting {
 public:
  explicit LoopbackRouting(nineteen::keys::Hotkey key) : key_(std::move(key)) {}

  void add_task(nineteen::validator::OrganicTask task, std::vector<nineteen::validator::OrganicCandidate> try_order);
  void set_try_order(const std::string& task, std::vector<nineteen::validator::OrganicCandidate> try_order);

  std::vector<nineteen::validator::OrganicTask> organic_tasks() override;
  std::vector<nineteen::validator::OrganicCandidate> organic_candidates(const std::string& task) override;
  void organic_started(const std::string& task, const std::string& miner_hotkey) override;
  // Returns the test double's work: the number of chunks in a success or a cut stream's answer.
  double organic_finished(const std::string& task, const std::string& miner_hotkey, const std::string& request,
                          const nineteen::validator::QueryResult& result) override;
  std::vector<nineteen::validator::ContenderStatus> contender_status() override;
  const nineteen::keys::Hotkey& signing_key() const override { return key_; }
  // The test double's rule: a request whose "max_tokens" is negative is refused.
  std::optional<nineteen::validator::RequestRefusal> refuse_request(const std::string& task,
                                                                    const std::string& request) override;
  // How often an answer's work was read (once per answered or cut attempt: billing reuses the figure).
  std::size_t work_reads();

  std::vector<ReportedAttempt> finished();
  std::size_t started_count();
  std::size_t in_flight();
  void clear_reports();

 private:
  nineteen::keys::Hotkey key_;
  std::mutex mutex_;
  std::vector<nineteen::validator::OrganicTask> tasks_;
  std::map<std::string, std::vector<nineteen::validator::OrganicCandidate>> try_orders_;
  std::vector<ReportedAttempt> finished_;
  std::size_t started_ = 0;
  std::size_t work_reads_ = 0;
  std::map<std::string, std::size_t> in_flight_;  // by hotkey
};

}  // namespace gateway_testing
