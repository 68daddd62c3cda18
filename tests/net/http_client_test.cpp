// Client outcomes a validator classifies: timeouts by phase, refused, closed, protocol errors.
#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <thread>

#include <boost/asio.hpp>

#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/stop_signals.hpp"

using namespace nineteen::net;
using namespace std::chrono_literals;

namespace {

Router slow_router() {
  Router router;
  router.add("GET", "/slow", [](const Request&) {
    std::this_thread::sleep_for(600ms);
    return json_response(200, "{}");
  });
  router.add("GET", "/trickle", [](const Request&) {
    return Reply::stream([](SseWriter& w) {
      for (int i = 0; i < 20 && w.send("{}"); ++i) std::this_thread::sleep_for(50ms);
    });
  });
  router.add("GET", "/pause", [](const Request&) {  // one event, then 1 s of silence
    return Reply::stream([](SseWriter& w) {
      if (w.send("{}")) std::this_thread::sleep_for(1000ms);
    });
  });
  router.add("GET", "/fast", [](const Request&) { return json_response(200, "{}"); });
  return router;
}

// A listener that answers every connection with fixed bytes, then closes: for protocol errors.
class ScriptedPeer {
 public:
  explicit ScriptedPeer(std::string reply)
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}), reply_(std::move(reply)) {
    thread_ = std::thread([this] {
      boost::system::error_code ec;
      auto socket = acceptor_.accept(ec);
      if (ec) return;
      char buf[4096];
      socket.read_some(boost::asio::buffer(buf), ec);
      boost::asio::write(socket, boost::asio::buffer(reply_), ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    });
  }
  ~ScriptedPeer() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/"; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string reply_;
  std::thread thread_;
};

}  // namespace

TEST(HttpClient, SlowHandlerIsAFirstByteTimeout) {
  HttpServer server(slow_router(), ServerOptions{});
  ClientOptions o;
  o.timeouts.first_byte = 150ms;
  HttpClient client(o);
  ClientRequest r;
  r.url = server.base_url() + "/slow";
  ClientResult res = client.send(r);
  EXPECT_EQ(res.error, ClientErrorKind::first_byte_timeout) << res.error_message;
  EXPECT_TRUE(is_timeout(res.error));
  EXPECT_NE(res.error_message.find("150 ms"), std::string::npos) << res.error_message;
  EXPECT_EQ(res.status, 0);
  // The same client still works (the timed-out connection was dropped, not pooled).
  r.url = server.base_url() + "/fast";
  EXPECT_EQ(client.send(r).status, 200);
}

TEST(HttpClient, LongStreamIsATotalTimeout) {
  HttpServer server(slow_router(), ServerOptions{});
  HttpClient client;
  ClientRequest r;
  r.url = server.base_url() + "/trickle";
  r.timeouts = ClientTimeouts{1000ms, 1000ms, 300ms};
  std::size_t seen = 0;
  ClientResult res = client.stream(r, [&](const SseEvent&) {
    ++seen;
    return true;
  });
  EXPECT_EQ(res.error, ClientErrorKind::total_timeout) << res.error_message;
  EXPECT_EQ(res.status, 200);
  EXPECT_GT(seen, 0u);
  EXPECT_EQ(res.events, seen);
  EXPECT_FALSE(res.done_seen);
}

TEST(HttpClient, AStreamStopsSoonAfterItsStopFlagIsSetEvenWhileTheServerIsSilent) {
  HttpServer server(slow_router(), ServerOptions{});
  HttpClient client;
  ClientRequest r;
  r.url = server.base_url() + "/pause";
  auto stop = std::make_shared<std::atomic<bool>>(false);
  r.stop = stop;
  std::chrono::steady_clock::time_point set_at;
  std::thread setter;
  ClientResult res = client.stream(r, [&](const SseEvent&) {
    setter = std::thread([&] {  // after the first event, from another thread, as a gateway's relay does
      std::this_thread::sleep_for(100ms);
      set_at = std::chrono::steady_clock::now();
      *stop = true;
    });
    return true;
  });
  const auto stopped_at = std::chrono::steady_clock::now();
  setter.join();
  EXPECT_EQ(res.error, ClientErrorKind::stopped_by_caller) << res.error_message;
  EXPECT_EQ(res.events, 1u);
  EXPECT_LT(stopped_at - set_at, 500ms) << "the read waited for the server's next event";
}

TEST(HttpClient, NothingListeningIsConnectionRefused) {
  uint16_t port;
  {
    HttpServer server(slow_router(), ServerOptions{});
    port = server.port();
  }
  HttpClient client;
  ClientRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/fast";
  ClientResult res = client.send(r);
  EXPECT_EQ(res.error, ClientErrorKind::connection_refused) << res.error_message;
  EXPECT_FALSE(is_timeout(res.error));
  EXPECT_NE(res.error_message.find(std::to_string(port)), std::string::npos) << res.error_message;
}

TEST(HttpClient, GarbageAnswerIsAProtocolError) {
  ScriptedPeer peer("SMTP READY\r\n\r\n");
  HttpClient client;
  ClientRequest r;
  r.url = peer.url();
  ClientResult res = client.send(r);
  EXPECT_EQ(res.error, ClientErrorKind::protocol_error) << res.error_message;
}

TEST(HttpClient, CutBodyIsConnectionClosed) {
  ScriptedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
  HttpClient client;
  ClientRequest r;
  r.url = peer.url();
  ClientResult res = client.send(r);
  EXPECT_EQ(res.error, ClientErrorKind::connection_closed) << res.error_message;
  EXPECT_EQ(res.status, 200);
}

TEST(HttpClient, BadChunkedAnswerIsAProtocolError) {
  ScriptedPeer peer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n");
  HttpClient client;
  ClientRequest r;
  r.url = peer.url();
  ClientResult res = client.send(r);
  EXPECT_EQ(res.error, ClientErrorKind::protocol_error) << res.error_message;
}

TEST(HttpClient, OversizeAnswerIsRefused) {
  ScriptedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'z'));
  ClientOptions o;
  o.max_response_bytes = 1000;
  HttpClient client(o);
  ClientRequest r;
  r.url = peer.url();
  EXPECT_EQ(client.send(r).error, ClientErrorKind::response_too_large);
}

TEST(HttpClient, BadUrlIsReported) {
  HttpClient client;
  ClientRequest r;
  r.url = "ftp://example.com/";
  ClientResult res = client.send(r);
  EXPECT_EQ(res.error, ClientErrorKind::bad_url);
  EXPECT_NE(res.error_message.find("http:// or https://"), std::string::npos) << res.error_message;
}

TEST(HttpClient, ParallelCallsEachGetAnAnswer) {
  ServerOptions so;
  so.handler_threads = 4;
  HttpServer server(slow_router(), so);
  HttpClient client;
  std::vector<std::future<int>> calls;
  for (int t = 0; t < 4; ++t) {
    calls.push_back(std::async(std::launch::async, [&] {
      int ok = 0;
      ClientRequest r;
      r.url = server.base_url() + "/fast";
      for (int i = 0; i < 25; ++i) ok += client.send(r).status == 200;
      return ok;
    }));
  }
  for (auto& c : calls) EXPECT_EQ(c.get(), 25);
  EXPECT_LE(client.idle_connections(), 4u);
}

TEST(StopSignals, SigtermStopsTheServer) {
  HttpServer server(slow_router(), ServerOptions{});
  auto signals = stop_on_signals(server, 1s);
  std::raise(SIGTERM);
  auto waited = std::async(std::launch::async, [&] { server.wait(); });
  ASSERT_EQ(waited.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(signals->received(), 1);
  HttpClient client;
  ClientRequest r;
  r.url = server.base_url() + "/fast";
  EXPECT_EQ(client.send(r).error, ClientErrorKind::connection_refused);
}
