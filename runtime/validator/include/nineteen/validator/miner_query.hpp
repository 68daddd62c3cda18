// The validator's side of the wire protocol: one signed request to a miner, classified as
// MECHANISM.md §4 counts it, with the answer in the form the checker takes (a JSON array of chunks).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/openai_request.hpp"
#include "nineteen/scoring/outcome_counts.hpp"

namespace nineteen::validator {

struct MinerAddress {
  std::string hotkey;    // SS58
  std::string base_url;  // "http://127.0.0.1:8091"
};

struct QueryTimeouts {
  std::chrono::milliseconds first_byte{2000};  // the task's timeout_s: time to the first chunk
  std::chrono::milliseconds total{60000};

  // The timeouts of one request: the task's timeout_s to the first chunk, answer_timeout_s for the
  // whole answer. A request that does not stream on a task that can (a user's, or a synthetic one
  // drawn like a user's, "stream": false) gets its first byte only with the whole answer, so both
  // limits are the whole answer's. A task that never streams (an image) keeps timeout_s.
  static QueryTimeouts for_request(double task_timeout_s, double answer_timeout_s, bool task_streams,
                                   bool request_streams) {
    QueryTimeouts t;
    t.total = std::chrono::milliseconds(static_cast<long>(answer_timeout_s * 1000));
    t.first_byte = task_streams && !request_streams ? t.total
                                                     : std::chrono::milliseconds(static_cast<long>(task_timeout_s * 1000));
    return t;
  }
};

struct QueryResult {
  scoring::Outcome outcome = scoring::Outcome::failed;
  int status = 0;                  // HTTP status; 0 when none arrived
  std::string response_json;       // "[chunk, chunk, ...]" for a success, or read before the caller stopped
  // The caller stopped reading (the gateway's user left): neither the miner's success nor its fault.
  bool stopped_by_caller = false;
  std::string error;               // why it was not a success
  net::ClientErrorKind transport = net::ClientErrorKind::none;  // how the exchange broke, if it did
  std::string miner_message;       // a non-200 answer's error.message (OpenAI shape), else its first bytes
  double first_byte_s = 0;
  double total_s = 0;
  size_t chunks = 0;
};

// Called with each chunk of a streamed answer as it arrives (the gateway relays them to its user).
// Returning false stops reading.
using ChunkObserver = std::function<bool(std::string_view chunk)>;

// Sends `body` (JSON, with "model" already set) to base_url + endpoint, signed by `validator`.
// Streams (SSE) when `stream`; setting `stop` then ends the reading at once, as the observer
// returning false does (closing the connection, which cancels the call on the miner). Never throws
// for a miner's misbehaviour: it is in the result.
QueryResult query_miner(net::HttpClient& client, const keys::Hotkey& validator, const MinerAddress& miner,
                        const std::string& endpoint, const std::string& body, bool stream,
                        const QueryTimeouts& timeouts, const ChunkObserver& observer = nullptr,
                        std::shared_ptr<const std::atomic<bool>> stop = nullptr);

struct CapacityAnswer {
  bool ok = false;
  std::map<std::string, double> capacities;  // task → declared volume
  std::string error;
};

// Signed GET /capacity.
CapacityAnswer query_capacity(net::HttpClient& client, const keys::Hotkey& validator, const MinerAddress& miner,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

using net::with_model;
using net::wants_stream;

}  // namespace nineteen::validator
