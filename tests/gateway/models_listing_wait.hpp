// The gateway lists a model once its validator has the model's contenders (capacity queries at the
// period's start): tests that start a validator wait for that before they send anything.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "nineteen/net/http_client.hpp"

namespace gateway_testing {

// Asks GET {gateway}/v1/models with `key` until the listing names `model` or `timeout` passes;
// returns the last listing (the caller asserts on it).
inline std::string wait_until_listed(nineteen::net::HttpClient& client, const std::string& gateway,
                                     const std::string& key, const std::string& model,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  std::string models;
  for (auto deadline = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < deadline;) {
    nineteen::net::ClientRequest r;
    r.url = gateway + "/v1/models";
    r.headers.set("Authorization", "Bearer " + key);
    models = client.send(r).body;
    if (models.find("\"" + model + "\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return models;
}

}  // namespace gateway_testing
