// Server-Sent Events end to end: delivery event by event, a client that leaves, a server that stops.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/openai_error.hpp"
#include "test_server_fixture.hpp"

using namespace nineteen::net;
using namespace std::chrono_literals;

namespace {

// A counter one thread raises and another waits on, with a timeout so a broken test fails, not hangs.
class Progress {
 public:
  void raise_to(int v) {
    std::lock_guard<std::mutex> lock(m_);
    value_ = v;
    cv_.notify_all();
  }
  bool wait_for_at_least(int v, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return value_ >= v; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int value_ = 0;
};

ClientRequest stream_request(const HttpServer& s, const std::string& path) {
  ClientRequest r;
  r.method = "POST";
  r.url = s.base_url() + path;
  r.body = "{\"stream\":true}";
  return r;
}

}  // namespace

TEST(HttpStream, EventsArriveOneByOne) {
  Progress received;
  std::atomic<bool> producer_waited_ok{true};
  Router router;
  router.add("POST", "/stream", [&](const Request&) {
    return Reply::stream(
        [&](SseWriter& w) {
          for (int i = 1; i <= 5; ++i) {
            ASSERT_TRUE(w.send("{\"n\":" + std::to_string(i) + "}"));
            // The next event goes only after the client saw this one: a server or client that
            // buffered the stream would stall here and fail the test.
            if (!received.wait_for_at_least(i, 5s)) producer_waited_ok = false;
          }
        },
        [] {
          Headers h;
          h.set("X-Task", "chat");
          return h;
        }());
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  std::vector<std::string> events;
  ClientResult res = client.stream(stream_request(server, "/stream"), [&](const SseEvent& e) {
    events.push_back(e.data);
    received.raise_to(static_cast<int>(events.size()));
    return true;
  });
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_TRUE(producer_waited_ok);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.get("Content-Type"), "text/event-stream");
  EXPECT_EQ(res.headers.get("X-Task"), "chat");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0], "{\"n\":1}");
  EXPECT_EQ(events[4], "{\"n\":5}");
  EXPECT_TRUE(res.done_seen);
  EXPECT_EQ(res.events, 5u);
  EXPECT_GE(res.first_byte_after.count(), 0);

  // The chunked stream ended cleanly, so the connection is reused for the next request.
  ClientResult again = client.stream(stream_request(server, "/stream"), [&](const SseEvent&) { return true; });
  received.raise_to(100);
  ASSERT_TRUE(again.ok()) << again.error_message;
  EXPECT_TRUE(again.reused_connection);
  EXPECT_TRUE(again.done_seen);
}

TEST(HttpStream, ClientLeavingIsNoticedWithoutFurtherSends) {
  std::promise<bool> noticed;
  Router router;
  router.add("POST", "/stream", [&](const Request&) {
    return Reply::stream([&](SseWriter& w) {
      w.send("{\"n\":1}");
      auto deadline = std::chrono::steady_clock::now() + 5s;
      while (!w.client_gone() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
      bool gone = w.client_gone();
      if (gone) {
        EXPECT_FALSE(w.send("{\"n\":2}")) << "a send after the client left must fail";
      }
      noticed.set_value(gone);
    });
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientResult res = client.stream(stream_request(server, "/stream"), [](const SseEvent&) { return false; });
  EXPECT_EQ(res.error, ClientErrorKind::stopped_by_caller);
  EXPECT_EQ(res.events, 1u);
  auto f = noticed.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(f.get());
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpStream, ProducerThatThrowsEndsWithAnErrorEventAndNoDone) {
  Router router;
  router.add("POST", "/stream", [](const Request&) {
    return Reply::stream([](SseWriter& w) {
      w.send("{\"n\":1}");
      throw std::runtime_error("model crashed");
    });
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  std::vector<std::string> events;
  ClientResult res = client.stream(stream_request(server, "/stream"), [&](const SseEvent& e) {
    events.push_back(e.data);
    return true;
  });
  ASSERT_TRUE(res.ok()) << res.error_message;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[1].find("model crashed"), std::string::npos) << events[1];
  EXPECT_NE(events[1].find("\"code\":\"stream_error\""), std::string::npos) << events[1];
  EXPECT_FALSE(res.done_seen);
}

TEST(HttpStream, StopLetsACooperativeStreamFinish) {
  Progress started;
  std::atomic<bool> saw_stopping{false};
  Router router;
  router.add("POST", "/stream", [&](const Request&) {
    return Reply::stream([&](SseWriter& w) {
      for (int i = 0; i < 500 && !w.server_stopping(); ++i) {
        if (!w.send("{\"tick\":" + std::to_string(i) + "}")) return;
        started.raise_to(1);
        std::this_thread::sleep_for(10ms);
      }
      saw_stopping = w.server_stopping();
      w.send("{\"final\":true}");
    });
  });
  HttpServer server(std::move(router), ServerOptions{});
  auto result = std::async(std::launch::async, [&] {
    HttpClient client;
    std::string last;
    ClientResult res = client.stream(stream_request(server, "/stream"), [&](const SseEvent& e) {
      last = e.data;
      return true;
    });
    return std::make_pair(res, last);
  });
  ASSERT_TRUE(started.wait_for_at_least(1, 5s));
  server.stop(5s);
  auto [res, last] = result.get();
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_TRUE(saw_stopping);
  EXPECT_TRUE(res.done_seen);
  EXPECT_EQ(last, "{\"final\":true}");
  EXPECT_EQ(res.headers.get("Connection"), "keep-alive");
}

TEST(HttpStream, StopCutsAStreamThatOutlivesTheGrace) {
  Progress started;
  std::atomic<bool> send_failed{false};
  Router router;
  router.add("POST", "/stream", [&](const Request&) {
    return Reply::stream([&](SseWriter& w) {
      for (int i = 0; i < 1000; ++i) {  // ignores server_stopping() on purpose
        if (!w.send("{\"tick\":" + std::to_string(i) + "}")) {
          send_failed = true;
          return;
        }
        started.raise_to(1);
        std::this_thread::sleep_for(10ms);
      }
    });
  });
  HttpServer server(std::move(router), ServerOptions{});
  auto result = std::async(std::launch::async, [&] {
    HttpClient client;
    return client.stream(stream_request(server, "/stream"), [](const SseEvent&) { return true; });
  });
  ASSERT_TRUE(started.wait_for_at_least(1, 5s));
  auto t0 = std::chrono::steady_clock::now();
  server.stop(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  ClientResult res = result.get();
  EXPECT_EQ(res.error, ClientErrorKind::connection_closed) << res.error_message;
  EXPECT_FALSE(res.done_seen);
  EXPECT_GT(res.events, 0u);
  EXPECT_TRUE(send_failed);
}

TEST(HttpStream, NonStreamAnswerToAStreamCallIsReadWhole) {
  Router router;
  router.add("POST", "/stream", [](const Request&) { return json_response(401, "{\"error\":{}}"); });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  int calls = 0;
  ClientResult res = client.stream(stream_request(server, "/stream"), [&](const SseEvent&) {
    ++calls;
    return true;
  });
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.body, "{\"error\":{}}");
  EXPECT_EQ(calls, 0);
}

// Issue 15, item 4: the head goes out with the first event, so a producer that fails before it
// answers a plain response of its own status; the stream reply's headers come with it and the
// connection is kept for the next request.
TEST(HttpStream, ARefusalBeforeTheFirstEventIsAPlainAnswerOnAKeptConnection) {
  Router router;
  router.add("POST", "/stream", [](const Request& r) {
    Headers extra;
    extra.set("X-Limit", "7");
    if (r.body.find("refuse") == std::string::npos) {
      return Reply::stream([](SseWriter& w) { w.send("{\"n\":1}"); }, extra);
    }
    return Reply::stream([](SseWriter& w) {
      Response busy = error_response(503, "all miners are busy", std::string("busy"));
      busy.headers.set("Retry-After", "1");
      EXPECT_TRUE(w.refuse(busy));
    }, extra);
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientRequest refused = stream_request(server, "/stream");
  refused.body = "{\"stream\":true,\"refuse\":1}";
  int events = 0;
  ClientResult res = client.stream(refused, [&](const SseEvent&) { return ++events > 0; });
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(events, 0);
  EXPECT_NE(res.body.find("all miners are busy"), std::string::npos) << res.body;
  EXPECT_EQ(res.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(res.headers.get("X-Limit").value_or(""), "7");
  EXPECT_EQ(client.idle_connections(), 1u) << "the refusal keeps the connection alive";
  // The same connection then carries a stream.
  ClientResult ok = client.stream(stream_request(server, "/stream"), [&](const SseEvent&) { return ++events > 0; });
  ASSERT_TRUE(ok.ok()) << ok.error_message;
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(ok.done_seen);
  EXPECT_EQ(events, 1);
}

TEST(HttpStream, ARefusalAfterTheFirstEventIsNotPossible) {
  std::promise<bool> refused;
  Router router;
  router.add("POST", "/stream", [&](const Request&) {
    return Reply::stream([&](SseWriter& w) {
      w.send("{\"n\":1}");
      refused.set_value(w.refuse(error_response(500, "too late")));
    });
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientResult res = client.stream(stream_request(server, "/stream"), [](const SseEvent&) { return true; });
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.done_seen);
  EXPECT_FALSE(refused.get_future().get());
}

// The connection sets a producer's cancel flag when the client goes, with no thread of its own.
TEST(HttpStream, CancelOnSetsTheFlagWhenTheClientGoes) {
  std::promise<bool> cancelled_seen;
  Router router;
  router.add("POST", "/stream", [&](const Request&) {
    return Reply::stream([&](SseWriter& w) {
      auto flag = std::make_shared<std::atomic<bool>>(false);
      w.cancel_on(flag, std::chrono::steady_clock::time_point::max());
      w.send("{\"n\":1}");
      // A producer that never sends again, only polls its flag (a plugin between chunks).
      auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!flag->load() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
      cancelled_seen.set_value(flag->load());
    });
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientResult res = client.stream(stream_request(server, "/stream"), [](const SseEvent&) { return false; });
  EXPECT_EQ(res.error, ClientErrorKind::stopped_by_caller);
  auto f = cancelled_seen.get_future();
  ASSERT_EQ(f.wait_for(15s), std::future_status::ready);
  EXPECT_TRUE(f.get());
}

TEST(HttpStream, CancelOnSetsTheFlagAtTheDeadline) {
  std::promise<bool> cancelled_seen;
  Router router;
  router.add("POST", "/stream", [&](const Request&) {
    return Reply::stream([&](SseWriter& w) {
      auto flag = std::make_shared<std::atomic<bool>>(false);
      w.cancel_on(flag, std::chrono::steady_clock::now() + 200ms);
      auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!flag->load() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
      cancelled_seen.set_value(flag->load());
      w.send("{\"late\":true}");
    });
  });
  HttpServer server(std::move(router), ServerOptions{});
  HttpClient client;
  ClientResult res = client.stream(stream_request(server, "/stream"), [](const SseEvent&) { return true; });
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(cancelled_seen.get_future().get());
}
