// Parses the SSE wire format (WHATWG "event stream" rules) from chunks split at any byte.
#include "nineteen/net/sse_parser.hpp"

namespace nineteen::net {

bool SseParser::feed(std::string_view bytes) {
  if (stopped_) return false;
  for (char c : bytes) {
    if (c == '\n' && last_was_cr_) {  // the LF of a CRLF pair: the line already ended at CR
      last_was_cr_ = false;
      continue;
    }
    last_was_cr_ = (c == '\r');
    if (c == '\r' || c == '\n') {
      std::string line;
      line.swap(line_);
      if (!take_line(line)) {
        stopped_ = true;
        return false;
      }
      continue;
    }
    line_.push_back(c);
  }
  return true;
}

bool SseParser::take_line(std::string_view line) {
  if (line.empty()) return dispatch();
  if (line[0] == ':') return true;  // a comment (keep-alive)
  std::string_view field = line;
  std::string_view value;
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    if (data_seen_) current_.data.push_back('\n');
    current_.data.append(value);
    data_seen_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    current_.id.assign(value);
  }
  return true;
}

bool SseParser::dispatch() {
  if (!has_fields_) return true;
  SseEvent event = std::move(current_);
  bool had_data = data_seen_;
  current_ = SseEvent{};
  has_fields_ = false;
  data_seen_ = false;
  if (!had_data) return true;  // an event without data is not dispatched (per the SSE rules)
  if (event.data == "[DONE]") {
    done_seen_ = true;
    return false;
  }
  ++events_;
  return on_event_ ? on_event_(event) : true;
}

std::string sse_frame(std::string_view payload) {
  // Every line break form the parser accepts (LF, CR, CRLF) starts a new data line, so a payload
  // can never end an event early or smuggle in another field.
  std::string out = "data: ";
  out.reserve(payload.size() + 8);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < payload.size() && payload[i + 1] == '\n') ++i;
      out += "\ndata: ";
      continue;
    }
    out.push_back(c);
  }
  out += "\n\n";
  return out;
}

}  // namespace nineteen::net
