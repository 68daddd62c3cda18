// The server's plain request/response behaviour: routing, limits, errors, bad input, keep-alive.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/openai_error.hpp"
#include "test_server_fixture.hpp"

using namespace nineteen::net;
using nineteen::net::testing::error_field;
using nineteen::net::testing::raw_exchange;

namespace {

Router echo_router() {
  Router router;
  router.add("POST", "/echo", [](const Request& r) {
    Response res = json_response(200, r.body);
    res.headers.set("X-Seen-Test-Header", r.headers.get("x-test").value_or("<absent>"));
    res.headers.set("X-Seen-Query", r.query);
    return res;
  });
  router.add("GET", "/health", [](const Request&) { return json_response(200, "{\"ok\":true}"); });
  router.add("GET", "/throw", [](const Request&) -> Reply { throw std::runtime_error("the plugin fell over"); });
  return router;
}

ServerOptions small_options() {
  ServerOptions o;
  o.handler_threads = 4;
  o.max_body_bytes = 1024;
  o.max_header_bytes = 2048;
  return o;
}

ClientRequest post(const HttpServer& s, const std::string& path, std::string body) {
  ClientRequest r;
  r.method = "POST";
  r.url = s.base_url() + path;
  r.body = std::move(body);
  return r;
}

ClientRequest get(const HttpServer& s, const std::string& path) {
  ClientRequest r;
  r.url = s.base_url() + path;
  return r;
}

}  // namespace

TEST(HttpServer, BindsAPickedPortAndReportsIt) {
  HttpServer server(echo_router(), small_options());
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.base_url(), "http://127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpServer, BindingAPortInUseNamesIt) {
  HttpServer first(echo_router(), small_options());
  ServerOptions o = small_options();
  o.port = first.port();
  try {
    HttpServer second(echo_router(), o);
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(first.port())), std::string::npos) << e.what();
  }
}

TEST(HttpServer, RoundTripReusesTheConnection) {
  HttpServer server(echo_router(), small_options());
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    ClientRequest r = post(server, "/echo?n=" + std::to_string(i), "{\"i\":" + std::to_string(i) + "}");
    r.headers.set("X-Test", "value " + std::to_string(i));
    ClientResult res = client.send(r);
    ASSERT_TRUE(res.ok()) << res.error_message;
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "{\"i\":" + std::to_string(i) + "}");
    EXPECT_EQ(res.headers.get("x-seen-test-header"), "value " + std::to_string(i));
    EXPECT_EQ(res.headers.get("X-Seen-Query"), "n=" + std::to_string(i));
    EXPECT_EQ(res.headers.get("content-type"), "application/json");
    EXPECT_EQ(res.reused_connection, i > 0) << "request " << i;
  }
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(HttpServer, OversizeBodyGets413AndServerKeepsServing) {
  HttpServer server(echo_router(), small_options());
  HttpClient client;
  ClientResult res = client.send(post(server, "/echo", std::string(100 * 1024, 'x')));
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(error_field(res.body, "code"), "body_too_large");
  EXPECT_NE(error_field(res.body, "message").find("1024"), std::string::npos) << res.body;
  EXPECT_EQ(client.send(get(server, "/health")).status, 200);
}

TEST(HttpServer, OversizeChunkedBodyGets413) {
  HttpServer server(echo_router(), small_options());
  std::string body(3000, 'y');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  std::string reply = raw_exchange(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                                      std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  EXPECT_EQ(reply.compare(0, 12, "HTTP/1.1 413"), 0) << reply;
}

TEST(HttpServer, HugeHeadersGet431) {
  HttpServer server(echo_router(), small_options());
  HttpClient client;
  ClientRequest r = get(server, "/health");
  r.headers.set("X-Big", std::string(8000, 'h'));
  ClientResult res = client.send(r);
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 431);
  EXPECT_EQ(error_field(res.body, "code"), "headers_too_large");
  EXPECT_EQ(client.send(get(server, "/health")).status, 200);
}

TEST(HttpServer, UnknownPathIs404InOpenAIShape) {
  HttpServer server(echo_router(), small_options());
  HttpClient client;
  ClientResult res = client.send(get(server, "/v1/nothing"));
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(error_field(res.body, "type"), "not_found_error");
  EXPECT_EQ(error_field(res.body, "code"), "not_found");
  EXPECT_EQ(error_field(res.body, "param"), "<null>");
  EXPECT_NE(error_field(res.body, "message").find("/v1/nothing"), std::string::npos);
}

TEST(HttpServer, WrongMethodIs405WithAllow) {
  HttpServer server(echo_router(), small_options());
  HttpClient client;
  ClientResult res = client.send(get(server, "/echo"));
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("Allow"), "POST");
  EXPECT_EQ(error_field(res.body, "type"), "invalid_request_error");
  EXPECT_EQ(error_field(res.body, "code"), "method_not_allowed");
}

TEST(HttpServer, ThrowingHandlerGives500AndServerKeepsServing) {
  HttpServer server(echo_router(), small_options());
  HttpClient client;
  ClientResult res = client.send(get(server, "/throw"));
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(error_field(res.body, "type"), "server_error");
  EXPECT_NE(error_field(res.body, "message").find("the plugin fell over"), std::string::npos);
  EXPECT_EQ(client.send(get(server, "/health")).status, 200);
}

TEST(HttpServer, MalformedRequestLineGets400AndServerKeepsServing) {
  HttpServer server(echo_router(), small_options());
  std::string reply = raw_exchange(server.port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(reply.compare(0, 12, "HTTP/1.1 400"), 0) << reply;
  EXPECT_NE(reply.find("\"type\":\"invalid_request_error\""), std::string::npos) << reply;
  std::string garbage("\x00\x01\x02\xff\r\n\r\n", 8);
  EXPECT_EQ(raw_exchange(server.port(), garbage).compare(0, 12, "HTTP/1.1 400"), 0);
  HttpClient client;
  EXPECT_EQ(client.send(get(server, "/health")).status, 200);
}

TEST(HttpServer, BadChunkedEncodingGets400) {
  HttpServer server(echo_router(), small_options());
  std::string reply =
      raw_exchange(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n");
  EXPECT_EQ(reply.compare(0, 12, "HTTP/1.1 400"), 0) << reply;
  HttpClient client;
  EXPECT_EQ(client.send(get(server, "/health")).status, 200);
}

TEST(HttpServer, ClientThatVanishesMidRequestDoesNotHurt) {
  ServerOptions o = small_options();
  o.read_timeout = std::chrono::milliseconds(200);
  HttpServer server(echo_router(), o);
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    boost::asio::write(socket, boost::asio::buffer(std::string("POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc")));
  }  // closed with the body unfinished
  std::string stalled = raw_exchange(server.port(), "POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc");
  EXPECT_EQ(stalled, "") << "a request stalled past the read timeout is closed without an answer";
  HttpClient client;
  EXPECT_EQ(client.send(get(server, "/health")).status, 200);
  // The server counts a request done once its write completes, which may be just after the client read it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (server.in_flight() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(server.in_flight(), 0u) << "abandoned requests must not stay counted";
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  HttpServer server(echo_router(), small_options());
  std::string reply = raw_exchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.compare(0, 12, "HTTP/1.1 200"), 0) << reply;
  EXPECT_NE(reply.find("{\"ok\":true}"), std::string::npos);
}

TEST(HttpServer, ExpectContinueIsAnswered) {
  HttpServer server(echo_router(), small_options());
  std::string reply = raw_exchange(
      server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(reply.compare(0, 12, "HTTP/1.1 100"), 0) << reply;
  EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos) << reply;
}

TEST(HttpServer, IdleKeptAliveConnectionIsClosedAndClientRecovers) {
  ServerOptions o = small_options();
  o.idle_timeout = std::chrono::milliseconds(100);
  HttpServer server(echo_router(), o);
  HttpClient client;
  ASSERT_EQ(client.send(get(server, "/health")).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ClientResult again = client.send(get(server, "/health"));
  ASSERT_TRUE(again.ok()) << again.error_message;
  EXPECT_EQ(again.status, 200);
  EXPECT_FALSE(again.reused_connection) << "the server closed it; the client must notice and connect anew";
}

TEST(HttpServer, HeadAnswerHasNoBodyAndTheConnectionStaysUsable) {
  Router router = echo_router();
  router.add("HEAD", "/health", [](const Request&) { return json_response(200, "{\"ok\":true}"); });
  HttpServer server(std::move(router), small_options());
  std::string reply = raw_exchange(server.port(),
                                   "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n"
                                   "Connection: close\r\n\r\n");
  std::size_t second = reply.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos) << reply;
  EXPECT_EQ(reply.substr(0, second).find("{\"ok\":true}"), std::string::npos) << "a HEAD answer carries no body";
  EXPECT_NE(reply.substr(second).find("{\"ok\":true}"), std::string::npos) << reply;

  HttpClient client;
  ClientRequest head = get(server, "/health");
  head.method = "HEAD";
  ClientResult res = client.send(head);
  ASSERT_TRUE(res.ok()) << res.error_message;
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(client.send(get(server, "/health")).body, "{\"ok\":true}");
}

// A server that dies with the client's request in hand: it answered one request on a kept-alive
// connection, takes the second, closes the connection and stops listening. The client's retry on a
// new connection is refused, and the result says what really happened (closed after sending), so a
// gateway does not take the request for unsent and give it to the next miner (issue 24's rule).
TEST(HttpClient, AServerThatDiesWithTheRequestInHandIsAClosedConnectionNotARefusedOne) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  std::thread server([listener] {
    int c = ::accept(listener, nullptr, nullptr);
    auto read_head = [c] {
      std::string head;
      char ch;
      while (head.find("\r\n\r\n") == std::string::npos && ::recv(c, &ch, 1, 0) == 1) head += ch;
    };
    read_head();
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}";
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    read_head();        // the second request arrives...
    ::close(listener);  // ...and the server goes away with it
    ::close(c);
  });
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/first";
  ASSERT_EQ(client.send(r).status, 200);
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/second";
  ClientResult second = client.send(r);
  server.join();
  EXPECT_EQ(second.error, ClientErrorKind::connection_closed) << second.error_message;
}
