// What a route handler returns: a whole response, or a stream of Server-Sent Events.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "nineteen/net/http_message.hpp"

namespace nineteen::net {

// Given to a streaming producer. Calls block until the bytes are handed to the socket, which gives
// the producer back-pressure. May be called only from the producer's own thread.
// The response head (200, text/event-stream) is committed by the first send() or comment(), with
// that first event in the same write: until then the producer may still refuse() with a plain
// answer of any status, so a failure before the first chunk gets a proper HTTP status.
class SseWriter {
 public:
  virtual ~SseWriter() = default;
  // Sends one event `data: <payload>\n\n` (a payload with newlines becomes several data lines).
  // Returns false once the client has gone or the write failed or timed out: stop producing then.
  virtual bool send(std::string_view payload) = 0;
  // Sends an SSE comment line (": ...\n\n"), e.g. a keep-alive while the producer works.
  virtual bool comment(std::string_view text) = 0;
  // Before the head is committed: answer `response` instead of a stream (the stream reply's own
  // headers are added where the response lacks them; the connection may be kept alive). The producer
  // returns right after. False, and nothing done, once the head went out.
  virtual bool refuse(Response response) = 0;
  // The connection sets `*flag` when the client goes away and, unless `deadline` is max(), at
  // `deadline`: a timer on the connection's strand, no thread of its own. For producers that poll a
  // cancel flag between chunks (a plugin call, an upstream stream).
  virtual void cancel_on(std::shared_ptr<std::atomic<bool>> flag,
                         std::chrono::steady_clock::time_point deadline) = 0;
  // True once the client closed the connection or a write failed; noticed even between sends.
  virtual bool client_gone() const = 0;
  // True once the server is stopping: finish soon (the grace time is running).
  virtual bool server_stopping() const = 0;
};

// Runs on a handler thread. Returning normally ends the stream with `data: [DONE]`; throwing ends
// it with an error event (OpenAI shape) and no [DONE], so the reader knows the stream was cut.
// Returning after SseWriter::refuse() answers the refusal instead.
using StreamProducer = std::function<void(SseWriter&)>;

class Reply {
 public:
  Reply(Response response);  // NOLINT: implicit so handlers can `return json_response(...)`
  // A 200 text/event-stream response; `headers` are added to the response head.
  static Reply stream(StreamProducer producer, Headers headers = {});

  bool is_stream() const { return static_cast<bool>(producer_); }
  const Response& response() const { return response_; }
  Response& response() { return response_; }
  const StreamProducer& producer() const { return producer_; }

 private:
  Reply() = default;
  Response response_;
  StreamProducer producer_;
};

using Handler = std::function<Reply(const Request&)>;

}  // namespace nineteen::net
