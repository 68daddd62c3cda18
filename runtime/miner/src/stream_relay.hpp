// Runs a chunk producer (a plugin's serve, an upstream stream) on its own thread and relays its
// chunks as Server-Sent Events, so that a failure before the first chunk still gets a proper HTTP
// status, and a client that goes away cancels the producer.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "nineteen/net/handler.hpp"
#include "nineteen/plugin_host/live_task.hpp"

namespace nineteen::miner {

struct RelayOutcome {
  int status = 200;     // not 200: failed, with `message` and `code`
  std::string message;
  std::string code;
};

// Pushes one chunk; returns false once the call is cancelled (the producer should stop).
using ChunkPush = std::function<bool(std::string_view chunk)>;
using ChunkProducer = std::function<RelayOutcome(const ChunkPush& push, plugin_host::CallControl& control)>;
// Called once at the end: the final status (499 when the client went away) and the chunks sent as
// a JSON array.
using RelayDone = std::function<void(int status, const std::string& response_json)>;

net::Reply relay_stream(ChunkProducer producer, RelayDone on_done, std::shared_ptr<void> keep_alive);

}  // namespace nineteen::miner
