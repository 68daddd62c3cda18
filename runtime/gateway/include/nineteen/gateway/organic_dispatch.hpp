// One organic request through the contenders of its task, in the routing's order: each attempt is
// reported to the validator (started/finished), failures before the first chunk reached the user
// move on to the next contender, and the result says what the user gets.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nineteen/net/http_client.hpp"
#include "nineteen/validator/organic_routing.hpp"

namespace nineteen::gateway {

class AfterAnswerQueue;

struct AttemptRecord {
  std::uint16_t uid = 0;
  std::string miner_hotkey;
  int status = 0;
  std::string error;  // empty for the attempt that answered
};

struct DispatchResult {
  int status = 200;           // 200, or what the user gets: 503 none could serve, a miner's 4xx, 502 cut
  std::string body;           // whole answers: the miner's JSON; errors: the message
  std::string code;           // errors: an OpenAI-style code ("no_miner_available", ...)
  std::string response_json;  // a success's chunks as a JSON array (for usage)
  std::size_t retries = 0;    // attempts after the first
  bool stream_cut = false;    // chunks reached the user before the failure
  std::vector<AttemptRecord> attempts;
};

// Returns false once the user has gone (the relay stops forwarding; the miner's answer is still read
// to its end so that it counts as the miner served it, unless the gateway is stopping).
using UserChunkSink = std::function<bool(std::string_view chunk)>;

class OrganicDispatch {
 public:
  // `reports` runs organic_finished off the request's path. Once `stopping` is set, a stream whose
  // user has gone is abandoned at its next chunk (and not reported), so a stop does not wait for it.
  OrganicDispatch(validator::OrganicRouting& routing, net::HttpClient& client, AfterAnswerQueue& reports,
                  int max_attempts, const std::atomic<bool>& stopping);

  // `body` has "model" set to the task. With a sink the request streams and chunks go to the sink
  // as they arrive; without one the answer is read whole.
  DispatchResult serve(const validator::OrganicTask& task, const std::string& body, const UserChunkSink& sink);

 private:
  validator::OrganicRouting& routing_;
  net::HttpClient& client_;
  AfterAnswerQueue& reports_;
  int max_attempts_;
  const std::atomic<bool>& stopping_;
};

}  // namespace nineteen::gateway
