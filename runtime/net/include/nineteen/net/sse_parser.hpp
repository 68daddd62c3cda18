// Incremental Server-Sent Events parser: bytes in (split anywhere), whole events out.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace nineteen::net {

struct SseEvent {
  std::string event;  // the `event:` field; empty for the default "message"
  std::string data;   // `data:` lines joined with '\n'
  std::string id;
};

class SseParser {
 public:
  // Called once per complete event, in order; return false to stop parsing.
  using EventCallback = std::function<bool(const SseEvent&)>;

  explicit SseParser(EventCallback on_event) : on_event_(std::move(on_event)) {}

  // Feeds bytes. Returns false once the callback asked to stop or `data: [DONE]` arrived
  // (the [DONE] event itself is not passed to the callback).
  bool feed(std::string_view bytes);

  bool done_seen() const { return done_seen_; }
  std::size_t events() const { return events_; }
  // Bytes of an unfinished line or event still held (a stream cut mid-event leaves some).
  bool has_partial_event() const { return !line_.empty() || has_fields_; }

 private:
  bool take_line(std::string_view line);
  bool dispatch();

  EventCallback on_event_;
  std::string line_;
  bool last_was_cr_ = false;
  SseEvent current_;
  bool has_fields_ = false;
  bool data_seen_ = false;
  bool done_seen_ = false;
  bool stopped_ = false;
  std::size_t events_ = 0;
};

// One SSE frame for `payload`: "data: <line>\n" per line, then "\n".
std::string sse_frame(std::string_view payload);

}  // namespace nineteen::net
