// The organic API: an OpenAI-compatible HTTP server on the validator that routes users' requests to
// miners (MECHANISM.md §9), with API keys, limits, usage, Prometheus metrics and a status page.
#pragma once

#include <functional>
#include <memory>
#include <string>

// The whole public surface the validator and the CLI use: the server and its settings.
#include "nineteen/gateway/gateway_settings.hpp"
#include "nineteen/gateway/status_page.hpp"
#include "nineteen/validator/organic_routing.hpp"

namespace nineteen::store {
class ValidatorStore;
}

namespace nineteen::gateway {

// Endpoints:
//   GET  /v1/models                   the enabled tasks with at least one contender
//   POST <each task's endpoint>        /v1/chat/completions, /v1/completions, ... ("model" = task name)
//   GET  /metrics                      Prometheus text
//   GET  /                             status page (HTML): contenders, charts, the last weights
//   GET  /status.json                  the same facts for `nineteen status` (net::StatusReport)
//   GET  /miner?hotkey=<ss58>          one miner's weight step by step; 404 for an unknown hotkey
class GatewayServer {
 public:
  // Binds and serves at once. The task endpoints are read from routing.organic_tasks() now (plus the
  // OpenAI text endpoints), so a task with a new endpoint needs a restart. Throws std::runtime_error
  // naming the address when the bind fails.
  GatewayServer(GatewaySettings settings, validator::OrganicRouting& routing, std::shared_ptr<store::ValidatorStore> store);
  ~GatewayServer();  // stop()
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  std::string base_url() const;
  // Lets the status page show the chain's consensus: each validator's weights beside it. Read at
  // most every 10 s (a page view must not hammer the chain's RPC).
  void set_consensus_source(std::function<ConsensusView()> read);
  // Stops serving (requests in flight get a short grace), then reports every outcome still queued
  // and writes the usage. Safe to call more than once.
  void stop();
  // Waits until every finished request's outcome and usage is reported, and writes the usage now.
  void flush_usage();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace nineteen::gateway
