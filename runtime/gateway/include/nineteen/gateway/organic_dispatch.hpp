// One organic request through the contenders of its task, in the routing's order: each attempt is
// reported to the validator (started/finished), failures before the first chunk reached the user
// move on to the next contender, and the result says what the user gets.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
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
  int status = 200;           // 200, or what the user gets: 503 none could serve, a miner's 4xx, 502 cut,
                              // 499 the user left mid-stream
  std::string body;           // whole answers: the miner's JSON; errors: the message
  std::string code;           // errors: an OpenAI-style code ("no_miner_available", ...)
  std::string response_json;  // a success's chunks as a JSON array (for usage); for 499 the chunks produced
  std::size_t retries = 0;    // attempts after the first
  bool stream_cut = false;    // chunks reached the user before the failure
  std::vector<AttemptRecord> attempts;
};

// Returns false once the user has gone: reading the miner's answer stops at once (closing the
// connection cancels the call on the miner), and the attempt counts neither for nor against it.
using UserChunkSink = std::function<bool(std::string_view chunk)>;

// Bills the user for an answer: called once, off the request's path, with the answer's work as the
// validator counted it (organic_finished), for a success or for what a stream produced before its
// user left.
using AnswerBilling = std::function<void(double work)>;

class OrganicDispatch {
 public:
  // `reports` runs organic_finished off the request's path.
  OrganicDispatch(validator::OrganicRouting& routing, net::HttpClient& client, AfterAnswerQueue& reports,
                  int max_attempts);

  // `body` has "model" set to the task. With a sink the request streams and chunks go to the sink
  // as they arrive; without one the answer is read whole. `user_left`, set by the user's side when
  // the user has gone, stops a stream at once, even while the miner sends nothing.
  DispatchResult serve(const validator::OrganicTask& task, const std::string& body, const UserChunkSink& sink,
                       std::shared_ptr<const std::atomic<bool>> user_left = nullptr, AnswerBilling bill = nullptr);

 private:
  validator::OrganicRouting& routing_;
  net::HttpClient& client_;
  AfterAnswerQueue& reports_;
  int max_attempts_;
};

}  // namespace nineteen::gateway
