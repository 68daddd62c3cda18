// The producer thread → SSE writer relay.
#include "nineteen/net/stream_relay.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "nineteen/net/openai_error.hpp"

namespace nineteen::net {
namespace {

// How soon a client that went away while no chunk is due is noticed (and the producer cancelled).
constexpr auto kClientWatch = std::chrono::milliseconds(20);

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
                   std::shared_ptr<std::atomic<bool>> cancelled, std::chrono::milliseconds deadline) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point give_up_at = deadline.count() > 0 ? Clock::now() + deadline : Clock::time_point::max();
  const std::string too_slow = "the task did not finish its answer within " + std::to_string(deadline.count() / 1000.0) +
                               " s; the call was cancelled";
  auto channel = std::make_shared<Channel>();
  channel->cancelled = std::move(cancelled);
  // The producer's thread. Whoever drops the last reference while it still runs (an exception out of
  // the stream below, a server stopping) cancels the call and lets the thread finish on its own: a
  // joinable std::thread destroyed would std::terminate the whole node (seen in bench_soak).
  auto worker = std::shared_ptr<std::thread>(new std::thread([producer = std::move(producer), channel] {
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
  }), [cancelled = channel->cancelled](std::thread* thread) {
    if (thread->joinable()) {
      *cancelled = true;
      thread->detach();
    }
    delete thread;
  });

  {
    std::unique_lock<std::mutex> lock(channel->mutex);
    if (!channel->changed.wait_until(lock, give_up_at, [&] { return channel->finished || !channel->chunks.empty(); })) {
      *channel->cancelled = true;
      lock.unlock();
      worker->detach();  // a producer that never returns keeps its own thread, not the caller's
      on_done(504, "[]");
      return error_response(504, too_slow, std::string("timeout"));
    }
    if (channel->chunks.empty()) {
      lock.unlock();
      worker->join();
      RelayOutcome o = channel->outcome;
      if (o.status == 200) o = RelayOutcome{500, "the answer had no chunk", "internal"};
      on_done(o.status, "[]");
      return error_response(o.status, o.message, o.code.empty() ? std::nullopt : std::optional<std::string>(o.code));
    }
  }

  return Reply::stream([channel, worker, on_done = std::move(on_done), keep_alive, give_up_at,
                        too_slow](SseWriter& writer) {
    std::string response = "[";
    bool first = true;
    bool client_gone = false;
    std::optional<Clock::time_point> cancelled_at;
    while (true) {
      std::string chunk;
      {
        std::unique_lock<std::mutex> lock(channel->mutex);
        channel->changed.wait_for(lock, kClientWatch,
                                  [&] { return channel->finished || !channel->chunks.empty(); });
        if (channel->chunks.empty()) {
          if (channel->finished) break;
          if (writer.client_gone()) client_gone = true;
          if (client_gone || Clock::now() >= give_up_at) {
            *channel->cancelled = true;
            if (!cancelled_at) cancelled_at = Clock::now();
          }
          const bool overdue = Clock::now() >= give_up_at;
          const bool ignores_cancel = cancelled_at && Clock::now() - *cancelled_at > std::chrono::seconds(2);
          if (overdue || ignores_cancel) {
            lock.unlock();
            worker->detach();  // it may finish later, on its own thread; this stream ends now
            on_done(client_gone ? 499 : 504, response + "]");
            if (client_gone) return;
            throw std::runtime_error(too_slow);  // an error event and no [DONE]: the stream is cut
          }
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
