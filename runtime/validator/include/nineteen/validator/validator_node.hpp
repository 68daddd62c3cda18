// The validator: each period it asks every miner for its capacity, builds contenders, sends
// synthetic requests per contender over the period, records every outcome, has kept answers
// checked, closes the period into history and sets weights on the chain. All state that matters
// is in the store, so a restart (even kill -9) resumes the period where it was.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "nineteen/scoring/task_votes.hpp"
#include "nineteen/validator/organic_routing.hpp"
#include "nineteen/validator/validator_config.hpp"

namespace nineteen::chain {
class Chain;
}
namespace nineteen::checker {
class CheckService;
}
namespace nineteen::plugin_host {
class PluginHost;
}
namespace nineteen::store {
class ValidatorStore;
}

namespace nineteen::validator {

struct ValidatorParts {
  std::shared_ptr<chain::Chain> chain;
  std::shared_ptr<store::ValidatorStore> store;
  std::shared_ptr<plugin_host::PluginHost> host;       // the tasks' plugins (synthesize, work)
  std::shared_ptr<checker::CheckService> checker;      // inline or over HTTP
};

// What the validator reports as it goes (the CLI prints it; the devnet collects it).
struct ValidatorEvents {
  std::function<void(const std::string& text)> weights_set;  // the tables and the vector, each setting
  std::function<void(const std::string& line)> info;
};

class ValidatorNode : public OrganicRouting {
 public:
  ValidatorNode(ValidatorConfig config, ValidatorParts parts, ValidatorEvents events = {});
  ~ValidatorNode();  // stops and joins every thread

  ValidatorNode(const ValidatorNode&) = delete;
  ValidatorNode& operator=(const ValidatorNode&) = delete;

  // Starts the period loop, the senders and the checking pump.
  void start();
  // Stops: no new request is sent; requests in flight finish (bounded by answer_timeout_s).
  void stop();
  // Blocks until stop() completed.
  void wait();

  std::string hotkey_address() const;

  // OrganicRouting (for the gateway).
  std::vector<OrganicTask> organic_tasks() override;
  std::vector<OrganicCandidate> organic_candidates(const std::string& task) override;
  void organic_started(const std::string& task, const std::string& miner_hotkey) override;
  double organic_finished(const std::string& task, const std::string& miner_hotkey, const std::string& request,
                          const QueryResult& result) override;
  std::vector<ContenderStatus> contender_status() override;
  const keys::Hotkey& signing_key() const override;
  // The served tasks' catalogue weights and bounds, for the task votes (scoring/task_votes.hpp).
  std::vector<scoring::TaskWeightBounds> task_bounds() const;
  std::optional<RequestRefusal> refuse_request(const std::string& task, const std::string& request) override;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace nineteen::validator
