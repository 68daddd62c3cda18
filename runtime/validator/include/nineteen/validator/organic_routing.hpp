// What the gateway (organic API) needs from the validator: which tasks can be served, which
// contenders to try in order (MECHANISM.md §9), and where to report organic outcomes so they count
// like synthetic ones (and replace one of the contender's pending synthetic requests).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/validator/miner_query.hpp"

namespace nineteen::validator {

// An enabled task as users see it (its descriptor), with how many contenders it has this period.
struct OrganicTask {
  std::string name;  // the OpenAI "model"
  std::string kind;
  std::string endpoint;
  bool stream = false;
  std::string work_unit;
  size_t contenders = 0;
  std::string check_needs = {};  // the task's descriptor "check_needs" (JSON), empty when none
  std::string listing = {};      // the task's descriptor "listing" (JSON) for GET /v1/models, empty when none
  // The operator's price in tasks.toml, per million tokens; unset when the catalogue gives none.
  std::optional<double> price_per_million_input_tokens = {}, price_per_million_output_tokens = {};
};

// One contender to try for an organic request.
struct OrganicCandidate {
  MinerAddress miner;
  std::uint16_t uid = 0;
  std::string endpoint;
  QueryTimeouts timeouts;  // first byte: the task's timeout_s
};

// A contender's live state and figures, for the status page.
struct ContenderStatus {
  std::string task;
  std::string miner_hotkey;
  std::uint16_t uid = 0;
  double capacity = 0;
  double consumed = 0;
  std::uint64_t requests = 0, rate_limited = 0, failed = 0;  // this period
  size_t in_flight = 0;
  bool healthy = true;
  double recent_quality = 0;  // Q_h at the last weight setting (a prior for new contenders)
  double period_score = 0;    // P_h at the last weight setting
  double speed_bonus = 0;
  double weight = 0;          // final weight at the last weight setting
  // Its answers this period: checked, recorded as unchecked, waiting for a checker (issue 22).
  std::uint64_t checked = 0, unchecked = 0, pending = 0, organic_checked = 0;
};

// Why a task refuses a user's request (its plugin's validate), for an OpenAI error.
struct RequestRefusal {
  std::string message;
  std::string code = "invalid_request";  // or "unsupported_parameter": a key the task does not implement
};

// Thread-safe; implemented by ValidatorNode.
class OrganicRouting {
 public:
  virtual ~OrganicRouting() = default;
  virtual std::vector<OrganicTask> organic_tasks() = 0;
  // The contenders of `task` in the order to try them; empty when none can serve now.
  virtual std::vector<OrganicCandidate> organic_candidates(const std::string& task) = 0;
  // Around each attempt: counts it in flight (routing prefers the least busy), then records its
  // outcome in the period's counters, replaces one pending synthetic request of that contender, and
  // keeps a success for checking. `request` is the body sent (with "model" set). A miner's 400, 413
  // or 422 (the user's request was bad) is not counted against the miner.
  // organic_finished returns the answer's work in the task's unit, read once by its plugin: for a
  // success, and for what a stream produced before its user left; 0 otherwise, or when the plugin
  // cannot read it. The same figure is counted for the miner and billed to the user.
  virtual void organic_started(const std::string& task, const std::string& miner_hotkey) = 0;
  virtual double organic_finished(const std::string& task, const std::string& miner_hotkey, const std::string& request,
                                  const QueryResult& result) = 0;
  // Every contender of the current period (all tasks).
  virtual std::vector<ContenderStatus> contender_status() = 0;
  // The key organic requests to miners are signed with.
  virtual const keys::Hotkey& signing_key() const = 0;
  // The task's own verdict on a user's request before any miner sees it (its plugin's validate):
  // nullopt when it would be served.
  virtual std::optional<RequestRefusal> refuse_request(const std::string& task, const std::string& request) = 0;
};

}  // namespace nineteen::validator
