// The JSON-RPC client against a real WebSocket server on loopback: ids, timeouts, reconnects, garbage.
#include "nineteen/chain/subtensor/json_rpc_client.hpp"

#include <gtest/gtest.h>

#include "fake_node.hpp"
#include "nineteen/chain/subtensor/json_rpc_server.hpp"

namespace st = nineteen::chain::subtensor;
using fake_node::FakeNode;

namespace {

FakeNode::Handler echo() {
  return [](const std::string& method, const rapidjson::Value& params) -> std::string {
    if (method == "fail") throw fake_node::RpcFailure(1010, "Invalid Transaction", "Custom error: 6");
    if (method == "block") return R"({"number":"0x1f"})";
    return "\"" + method + ":" + std::to_string(params.IsArray() ? params.Size() : 99) + "\"";
  };
}

st::RpcOptions fast() {
  st::RpcOptions o;
  o.connect_timeout = std::chrono::milliseconds(1000);
  o.request_timeout = std::chrono::milliseconds(300);
  o.backoff_initial = std::chrono::milliseconds(10);
  o.backoff_max = std::chrono::milliseconds(40);
  o.max_attempts = 3;
  return o;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(JsonRpcClient, ParsesEndpointUrls) {
  auto u = st::parse_ws_url("wss://entrypoint-finney.opentensor.ai:443");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "entrypoint-finney.opentensor.ai");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(st::parse_ws_url("ws://127.0.0.1:9944").port, 9944);
  EXPECT_EQ(st::parse_ws_url("wss://node.example/rpc").target, "/rpc");
  EXPECT_EQ(st::parse_ws_url("ws://[::1]:9944").host, "::1");
  EXPECT_NE(
      error_of([] { st::parse_ws_url("http://127.0.0.1:9944"); }).find("expected ws://host:port or wss://"),
      std::string::npos);
  EXPECT_NE(error_of([] { st::parse_ws_url("ws://host:0"); }).find("port \"0\" is not 1..65535"),
            std::string::npos);
}

TEST(JsonRpcClient, AnswersMatchTheirRequestIds) {
  FakeNode node(echo());
  node.chatter = true;  // a notification and a stale id arrive before each real answer
  st::JsonRpcClient rpc(node.url(), fast());
  EXPECT_EQ(rpc.call_string("state_getStorage", R"(["0x00"])"), "state_getStorage:1");
  EXPECT_EQ(rpc.call_string("chain_getHeader"), "chain_getHeader:0");
  auto doc = rpc.call("block");
  EXPECT_STREQ(doc["number"].GetString(), "0x1f");
  EXPECT_EQ(rpc.connects(), 1u);
}

TEST(JsonRpcClient, NodeErrorsAreNotRetriedAndCarryCodeAndData) {
  FakeNode node(echo());
  st::JsonRpcClient rpc(node.url(), fast());
  try {
    rpc.call("fail");
    FAIL() << "expected RpcNodeError";
  } catch (const st::RpcNodeError& e) {
    EXPECT_EQ(e.code(), 1010);
    EXPECT_EQ(e.node_message(), "Invalid Transaction");
    EXPECT_EQ(e.data(), "Custom error: 6");
    EXPECT_NE(std::string(e.what()).find("fail: node error 1010: Invalid Transaction (Custom error: 6)"),
              std::string::npos);
  }
  EXPECT_EQ(node.requests.load(), 1);
}

TEST(JsonRpcClient, ReconnectsAfterADroppedSocket) {
  FakeNode node(echo());
  st::JsonRpcClient rpc(node.url(), fast());
  EXPECT_EQ(rpc.call_string("a"), "a:0");
  node.drop_next = 1;
  EXPECT_EQ(rpc.call_string("b"), "b:0");  // retried on a new socket
  EXPECT_EQ(rpc.connects(), 2u);
  EXPECT_EQ(node.connections.load(), 2);
}

TEST(JsonRpcClient, SilentNodeTimesOutThenRetries) {
  FakeNode node(echo());
  st::JsonRpcClient rpc(node.url(), fast());
  node.silent_next = 1;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(rpc.call_string("c"), "c:0");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
  node.silent_next = 100;
  std::string e = error_of([&] { rpc.call("d"); });
  EXPECT_NE(e.find(node.url() + " d: waiting for the answer: timed out (after 3 attempts"), std::string::npos)
      << e;
}

TEST(JsonRpcClient, NobodyListeningIsAClearError) {
  std::uint16_t port;
  {
    FakeNode node(echo());
    port = node.port();
  }
  st::JsonRpcClient rpc("ws://127.0.0.1:" + std::to_string(port), fast());
  std::string e = error_of([&] { rpc.call("x"); });
  EXPECT_NE(e.find("connecting: Connection refused (after 3 attempts; is the node running"),
            std::string::npos)
      << e;
}

TEST(JsonRpcClient, GarbageAnswersSayWhatArrived) {
  FakeNode node(echo());
  st::JsonRpcClient rpc(node.url(), fast());
  node.garbage_next = 1;
  std::string e = error_of([&] { rpc.call("x"); });
  EXPECT_NE(
      e.find(
          "x: the node answered something that is not a JSON-RPC object: \"<html>502 Bad Gateway</html>\""),
      std::string::npos)
      << e;
  EXPECT_EQ(rpc.call_string("y"), "y:0");  // the next call works on a fresh socket
  std::string t = error_of([&] { rpc.call_string("block"); });
  EXPECT_NE(t.find("block: expected a string result"), std::string::npos) << t;
}

TEST(JsonRpcClient, WssToAPlainPortFailsInTheTlsHandshake) {
  FakeNode node(echo());
  st::RpcOptions o = fast();
  o.max_attempts = 1;
  st::JsonRpcClient rpc("wss://127.0.0.1:" + std::to_string(node.port()), o);
  std::string e = error_of([&] { rpc.call("x"); });
  EXPECT_NE(e.find("TLS handshake: "), std::string::npos) << e;
}

TEST(JsonRpcServer, AnswersRequestsAndErrorsInJsonRpcShape) {
  st::JsonRpcServer::Handler h = [](const std::string& method,
                                    const rapidjson::Value& params) -> std::string {
    if (method == "refuse") throw st::RpcServerError(1010, "Invalid Transaction", "Custom error: 6");
    if (method == "boom") throw std::runtime_error("state is corrupt");
    return "\"" + method + ":" + std::to_string(params.Size()) + "\"";
  };
  EXPECT_EQ(st::JsonRpcServer::answer(h, R"({"jsonrpc":"2.0","id":3,"method":"m","params":[1,2]})"),
            R"({"jsonrpc":"2.0","id":3,"result":"m:2"})");
  EXPECT_EQ(
      st::JsonRpcServer::answer(h, R"({"id":"a","method":"refuse"})"),
      R"({"jsonrpc":"2.0","id":"a","error":{"code":1010,"message":"Invalid Transaction","data":"Custom error: 6"}})");
  EXPECT_EQ(st::JsonRpcServer::answer(h, R"({"id":4,"method":"boom"})"),
            R"({"jsonrpc":"2.0","id":4,"error":{"code":-32603,"message":"state is corrupt"}})");
  EXPECT_EQ(st::JsonRpcServer::answer(h, "{nope"),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})");
  // Issue 24's class on the chain's RPC port: 10⁶-deep JSON is a parse error, not a stack overflow.
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_EQ(st::JsonRpcServer::answer(h, deep),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})");
  const std::string deep_params = R"({"id":6,"method":"m","params":)" + deep + "}";
  EXPECT_EQ(st::JsonRpcServer::answer(h, deep_params),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})");
  EXPECT_EQ(st::JsonRpcServer::answer(h, R"({"id":5})"),
            R"({"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid request: no method"}})");

  st::JsonRpcServer server("127.0.0.1", 0, h);
  st::JsonRpcClient a(server.url(), fast()), b(server.url(), fast());
  EXPECT_EQ(a.call_string("x", "[1]"), "x:1");
  EXPECT_EQ(b.call_string("y"), "y:0");
  EXPECT_EQ(a.call_string("z"), "z:0");
  try {
    b.call("refuse");
    FAIL();
  } catch (const st::RpcNodeError& e) {
    EXPECT_EQ(e.code(), 1010);
  }
}
