// The chunk producer → SSE relay, on the handler's thread.
#include "nineteen/net/stream_relay.hpp"

#include <optional>
#include <stdexcept>

#include "nineteen/net/openai_error.hpp"

namespace nineteen::net {

Reply relay_stream(ChunkProducer producer, RelayDone on_done, std::shared_ptr<void> keep_alive,
                   std::shared_ptr<std::atomic<bool>> cancelled, std::chrono::milliseconds deadline) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point give_up_at = deadline.count() > 0 ? Clock::now() + deadline : Clock::time_point::max();
  const std::string too_slow = "the task did not finish its answer within " + std::to_string(deadline.count() / 1000.0) +
                               " s; the call was cancelled";
  return Reply::stream([producer = std::move(producer), on_done = std::move(on_done), keep_alive,
                        cancelled = std::move(cancelled), give_up_at, too_slow](SseWriter& writer) {
    writer.cancel_on(cancelled, give_up_at);
    std::string response = "[";
    bool sent_any = false;
    bool client_gone = false;
    RelayOutcome outcome;
    try {
      outcome = producer([&](std::string_view chunk) {
        if (client_gone) return false;
        if (Clock::now() >= give_up_at) *cancelled = true;
        response += sent_any ? "," : "";
        response.append(chunk.data(), chunk.size());
        sent_any = true;
        if (!writer.send(chunk)) {
          client_gone = true;
          *cancelled = true;  // the producer stops at its next chunk
        }
        return !cancelled->load();
      });
    } catch (const std::exception& e) {
      outcome = RelayOutcome{500, e.what(), "internal", {}};
    }
    client_gone = client_gone || writer.client_gone();
    const bool overdue = Clock::now() >= give_up_at;
    if (!sent_any) {
      if (client_gone) return on_done(499, "[]");
      RelayOutcome o = outcome;
      if (overdue) o = RelayOutcome{504, too_slow, "timeout", o.headers};
      if (o.status == 200) o = RelayOutcome{500, "the answer had no chunk", "internal", {}};
      on_done(o.status, "[]");
      Response refusal = error_response(o.status, o.message, o.code.empty() ? std::nullopt : std::optional<std::string>(o.code));
      for (const auto& [name, value] : o.headers.fields()) refusal.headers.set(name, value);
      writer.refuse(std::move(refusal));
      return;
    }
    if (client_gone) return on_done(499, response + "]");
    if (outcome.status != 200) {
      on_done(overdue ? 504 : outcome.status, response + "]");
      // An error event and no [DONE]: the stream was cut.
      throw std::runtime_error(overdue ? too_slow : outcome.message);
    }
    on_done(200, response + "]");
  });
}

}  // namespace nineteen::net
