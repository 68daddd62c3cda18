// Forwarding a task to an upstream OpenAI-compatible server (vLLM, llama.cpp) instead of a plugin.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "nineteen/net/handler.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/stream_relay.hpp"

namespace nineteen::miner {

struct UpstreamTarget {
  std::string url;  // the upstream endpoint, e.g. http://127.0.0.1:8000/v1/chat/completions
  std::chrono::milliseconds total_timeout{120'000};
};

// Sends `body` to the upstream and answers with what it answers: the same status and body, or for a
// stream the same events. An upstream that cannot be reached is a 502 naming it.
net::Reply forward_to_upstream(net::HttpClient& client, const UpstreamTarget& target, const std::string& body,
                               bool stream, net::RelayDone on_done, std::shared_ptr<void> keep_alive);

}  // namespace nineteen::miner
