// Fuzz target: net::SseParser, which reads every streamed answer (the gateway from a validator, a
// validator from a miner, the HTTP client), fed in chunks split at fuzzer-chosen bytes; and
// sse_frame, whose framing must give any payload back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nineteen/net/sse_parser.hpp"

namespace net = nineteen::net;

namespace {

// The payload as the parser gives it back: every line break (CRLF, CR, LF) becomes LF.
std::string with_lf_breaks(std::string_view payload) {
  std::string out;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] == '\r') {
      if (i + 1 < payload.size() && payload[i + 1] == '\n') ++i;
      out.push_back('\n');
    } else {
      out.push_back(payload[i]);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 16;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  std::size_t seen = 0;
  net::SseParser parser([&](const net::SseEvent& event) {
    ++seen;
    return event.data != "stop";
  });
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    if (!parser.feed(bytes.substr(at, chunk))) break;
  }
  if (seen != parser.events()) std::abort();
  parser.has_partial_event();

  std::string payload_seen;
  std::size_t frames = 0;
  net::SseParser reader([&](const net::SseEvent& event) {
    payload_seen = event.data;
    ++frames;
    return true;
  });
  reader.feed(net::sse_frame(bytes));
  const std::string expected = with_lf_breaks(bytes);
  if (expected == "[DONE]") {
    if (!reader.done_seen() || frames != 0) std::abort();
  } else if (frames != 1 || payload_seen != expected) {
    std::abort();
  }
  return 0;
}
