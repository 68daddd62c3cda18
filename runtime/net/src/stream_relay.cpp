// The producer thread → SSE writer relay.
#include "nineteen/net/stream_relay.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "nineteen/net/openai_error.hpp"

namespace nineteen::net {
namespace {

struct Channel {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> chunks;
  bool finished = false;
  RelayOutcome outcome;
  std::shared_ptr<std::atomic<bool>> cancelled;
};

}  // namespace

Reply relay_stream(ChunkProducer producer, RelayDone on_done, std::shared_ptr<void> keep_alive,
                   std::shared_ptr<std::atomic<bool>> cancelled) {
  auto channel = std::make_shared<Channel>();
  channel->cancelled = std::move(cancelled);
  auto worker = std::make_shared<std::thread>([producer = std::move(producer), channel] {
    RelayOutcome outcome;
    try {
      outcome = producer(
          [&](std::string_view chunk) {
            std::lock_guard<std::mutex> lock(channel->mutex);
            channel->chunks.emplace_back(chunk);
            channel->changed.notify_all();
            return !channel->cancelled->load();
          });
    } catch (const std::exception& e) {
      outcome = RelayOutcome{500, e.what(), "internal"};
    }
    std::lock_guard<std::mutex> lock(channel->mutex);
    channel->outcome = outcome;
    channel->finished = true;
    channel->changed.notify_all();
  });

  {
    std::unique_lock<std::mutex> lock(channel->mutex);
    channel->changed.wait(lock, [&] { return channel->finished || !channel->chunks.empty(); });
    if (channel->chunks.empty()) {
      lock.unlock();
      worker->join();
      RelayOutcome o = channel->outcome;
      if (o.status == 200) o = RelayOutcome{500, "the answer had no chunk", "internal"};
      on_done(o.status, "[]");
      return error_response(o.status, o.message, o.code.empty() ? std::nullopt : std::optional<std::string>(o.code));
    }
  }

  return Reply::stream([channel, worker, on_done = std::move(on_done), keep_alive](SseWriter& writer) {
    std::string response = "[";
    bool first = true;
    bool client_gone = false;
    while (true) {
      std::string chunk;
      {
        std::unique_lock<std::mutex> lock(channel->mutex);
        channel->changed.wait_for(lock, std::chrono::milliseconds(200),
                                  [&] { return channel->finished || !channel->chunks.empty(); });
        if (channel->chunks.empty()) {
          if (channel->finished) break;
          if (writer.client_gone()) *channel->cancelled = true;
          continue;
        }
        chunk = std::move(channel->chunks.front());
        channel->chunks.pop_front();
      }
      response += (first ? "" : ",") + chunk;
      first = false;
      if (!client_gone && !writer.send(chunk)) {
        client_gone = true;
        *channel->cancelled = true;  // the producer stops at its next chunk
      }
    }
    worker->join();
    if (client_gone) {
      on_done(499, response + "]");
      return;
    }
    if (channel->outcome.status != 200) {
      on_done(channel->outcome.status, response + "]");
      throw std::runtime_error(channel->outcome.message);  // an error event and no [DONE]: the stream was cut
    }
    on_done(200, response + "]");
  });
}

}  // namespace nineteen::net
