// relay_stream on the handler's own thread (issue 15, item 4): a failure before the first chunk is
// an answer with its status, one after it cuts the stream, the deadline answers 504, a client that
// leaves cancels the producer, and no thread is started per stream.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <thread>

#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/stream_relay.hpp"

using namespace nineteen::net;
using namespace std::chrono_literals;

namespace {

int process_threads() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

ClientRequest post(const HttpServer& s) {
  ClientRequest r;
  r.method = "POST";
  r.url = s.base_url() + "/relay";
  r.body = "{\"stream\":true}";
  return r;
}

struct Done {
  std::promise<std::pair<int, std::string>> result;
  RelayDone callback() {
    return [this](int status, const std::string& json) { result.set_value({status, json}); };
  }
};

}  // namespace

TEST(StreamRelay, ChunksGoOutAndOnDoneGetsThemAllWithNoThreadOfItsOwn) {
  Done done;
  std::promise<int> threads_while_producing;
  Router router;
  router.add("POST", "/relay", [&](const Request&) {
    return relay_stream(
        [&](const ChunkPush& push) {
          push("{\"n\":1}");
          threads_while_producing.set_value(process_threads());
          push("{\"n\":2}");
          return RelayOutcome{};
        },
        done.callback(), nullptr);
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  const int threads_before = process_threads();
  std::vector<std::string> events;
  ClientResult res = client.stream(post(server), [&](const SseEvent& e) {
    events.push_back(e.data);
    return true;
  });
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_TRUE(res.done_seen);
  EXPECT_EQ(events, (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}"}));
  EXPECT_EQ(threads_while_producing.get_future().get(), threads_before) << "the producer ran on the handler thread";
  auto [status, json] = done.result.get_future().get();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(json, "[{\"n\":1},{\"n\":2}]");
}

TEST(StreamRelay, AFailureBeforeTheFirstChunkIsAnAnswerWithItsStatusAndHeaders) {
  Done done;
  Router router;
  router.add("POST", "/relay", [&](const Request&) {
    return relay_stream(
        [](const ChunkPush&) {
          RelayOutcome busy{503, "every miner is busy", "busy", {}};
          busy.headers.set("Retry-After", "1");
          return busy;
        },
        done.callback(), nullptr);
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientResult res = client.stream(post(server), [](const SseEvent&) { return true; });
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 503);
  EXPECT_NE(res.body.find("every miner is busy"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("\"code\":\"busy\""), std::string::npos) << res.body;
  EXPECT_EQ(res.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(done.result.get_future().get().first, 503);
}

TEST(StreamRelay, AFailureAfterTheFirstChunkCutsTheStream) {
  Done done;
  Router router;
  router.add("POST", "/relay", [&](const Request&) {
    return relay_stream(
        [](const ChunkPush& push) {
          push("{\"n\":1}");
          return RelayOutcome{502, "the miner went away", "upstream_error", {}};
        },
        done.callback(), nullptr);
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  std::vector<std::string> events;
  ClientResult res = client.stream(post(server), [&](const SseEvent& e) {
    events.push_back(e.data);
    return true;
  });
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.done_seen);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[1].find("the miner went away"), std::string::npos) << events[1];
  auto [status, json] = done.result.get_future().get();
  EXPECT_EQ(status, 502);
  EXPECT_EQ(json, "[{\"n\":1}]");
}

TEST(StreamRelay, TheDeadlineCancelsAProducerThatSendsNothingAndAnswers504) {
  Done done;
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  Router router;
  router.add("POST", "/relay", [&](const Request&) {
    return relay_stream(
        [&](const ChunkPush&) {
          // A plugin that polls its cancel flag and sends nothing.
          auto limit = std::chrono::steady_clock::now() + 20s;
          while (!cancelled->load() && std::chrono::steady_clock::now() < limit) std::this_thread::sleep_for(5ms);
          return RelayOutcome{499, "cancelled", "cancelled", {}};
        },
        done.callback(), nullptr, cancelled, 300ms);
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientResult res = client.stream(post(server), [](const SseEvent&) { return true; });
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 504);
  EXPECT_NE(res.body.find("did not finish its answer within"), std::string::npos) << res.body;
  EXPECT_TRUE(cancelled->load());
  EXPECT_EQ(done.result.get_future().get().first, 504);
}

TEST(StreamRelay, AClientThatLeavesCancelsTheProducerAndIsCounted499) {
  Done done;
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  Router router;
  router.add("POST", "/relay", [&](const Request&) {
    return relay_stream(
        [&](const ChunkPush& push) {
          push("{\"n\":1}");
          auto limit = std::chrono::steady_clock::now() + 20s;
          while (!cancelled->load() && std::chrono::steady_clock::now() < limit) std::this_thread::sleep_for(5ms);
          return RelayOutcome{};
        },
        done.callback(), nullptr, cancelled);
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientResult res = client.stream(post(server), [](const SseEvent&) { return false; });
  EXPECT_EQ(res.error, ClientErrorKind::stopped_by_caller);
  auto f = done.result.get_future();
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
  auto [status, json] = f.get();
  EXPECT_EQ(status, 499);
  EXPECT_EQ(json, "[{\"n\":1}]");
  EXPECT_TRUE(cancelled->load());
}
