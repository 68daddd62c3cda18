// The checking server: the catalogue's tasks loaded with their reference models, a checker queue,
// and its HTTP API (POST /check, GET /check?id=, GET /health, GET /metrics).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "nineteen/checker/checker_config.hpp"

namespace nineteen::checker {

class CheckerServer {
 public:
  // Loads the tasks (a task that fails to load is logged and left out), starts the workers and
  // binds. Throws std::runtime_error when no task could be loaded (naming each reason) or the
  // address cannot be bound.
  explicit CheckerServer(const CheckerConfig& config);
  ~CheckerServer();  // stop() with the default grace
  CheckerServer(const CheckerServer&) = delete;
  CheckerServer& operator=(const CheckerServer&) = delete;

  std::string base_url() const;
  std::vector<std::string> tasks() const;  // the tasks this server checks
  // Messages for catalogue tasks that did not load ("name: reason").
  std::vector<std::string> load_failures() const;

  // Stops accepting requests, lets those in flight finish (up to `grace`), then lets each worker
  // finish its current check call. Safe to call from any thread but a handler's, more than once.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Blocks until stop() has completed.
  void wait();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace nineteen::checker
