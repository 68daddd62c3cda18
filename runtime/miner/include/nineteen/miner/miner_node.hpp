// The miner node: serves its tasks' endpoints to signed validator requests, with a concurrency limit
// per task (429 at once beyond it), optional forwarding to an upstream OpenAI-compatible server,
// per-validator capacity at GET /capacity, GET /health and GET /metrics, and its own status page at
// GET / and GET /status.json (loopback clients only unless miner.status_page_public).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "nineteen/miner/miner_config.hpp"
#include "nineteen/miner/validator_directory.hpp"

namespace nineteen::miner {

class MinerNode {
 public:
  // Loads the key and the tasks and starts serving. Throws with a message naming the file on a bad
  // key, catalogue or address; a task that fails to load is logged and left out.
  MinerNode(MinerConfig config, std::shared_ptr<ValidatorDirectory> validators);
  ~MinerNode();

  MinerNode(const MinerNode&) = delete;
  MinerNode& operator=(const MinerNode&) = delete;

  uint16_t port() const;
  std::string base_url() const;
  std::string hotkey_address() const;
  // Tasks being served, by name.
  std::vector<std::string> served_tasks() const;

  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  void wait();

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace nineteen::miner
