// Relays a chunk producer (a plugin's serve, an upstream or miner stream) as Server-Sent Events on
// the handler's own thread: the first chunk commits the response head, so a failure before it still
// gets a proper HTTP status (and a caller may try elsewhere), and a client that goes away, or the
// deadline, cancels the producer. No thread and no channel of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "nineteen/net/handler.hpp"

namespace nineteen::net {

struct RelayOutcome {
  int status = 200;     // not 200: failed, with `message` and `code`
  std::string message;
  std::string code;
  Headers headers;      // for the error answer when it fails before the first chunk (e.g. Retry-After)
};

// Pushes one chunk; returns false once the call is cancelled (the producer should stop).
using ChunkPush = std::function<bool(std::string_view chunk)>;
using ChunkProducer = std::function<RelayOutcome(const ChunkPush& push)>;
// Called once at the end: the final status (499 when the client went away) and the chunks sent as
// a JSON array.
using RelayDone = std::function<void(int status, const std::string& response_json)>;

// `cancelled` is set when the client goes away (the producer may poll it between chunks).
// `deadline` (0 = none) bounds the whole answer: past it `cancelled` is set and the answer ends with
// 504 (before the first chunk) or a cut stream, once the producer returns. `keep_alive` is held
// until then. The producer runs on the handler thread: one that ignores `cancelled` keeps that
// thread (an isolated plugin's worker is killed after its grace, which ends the call).
Reply relay_stream(ChunkProducer producer, RelayDone on_done, std::shared_ptr<void> keep_alive,
                   std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false),
                   std::chrono::milliseconds deadline = std::chrono::milliseconds(0));

}  // namespace nineteen::net
