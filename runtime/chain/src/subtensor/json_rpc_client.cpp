// JSON-RPC over Boost.Beast WebSocket. Every socket operation is asynchronous and driven by run_one_until
// with a deadline, so a silent node times out instead of hanging the caller.
#include "nineteen/chain/subtensor/json_rpc_client.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <thread>

#include "nineteen/sdk/json.hpp"

namespace nineteen::chain::subtensor {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// A socket-level failure: worth a reconnect.
struct TransportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string preview(const std::string& s) {
  std::string p = s.size() > 120 ? s.substr(0, 117) + "..." : s;
  for (auto& c : p)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return p;
}

}  // namespace

WsUrl parse_ws_url(const std::string& url) {
  WsUrl u;
  std::string rest;
  if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else if (url.rfind("wss://", 0) == 0) {
    u.tls = true;
    rest = url.substr(6);
  } else {
    throw ChainError(
        "subtensor endpoint \"" + url +
        "\": expected ws://host:port or wss://host[:port] (e.g. wss://entrypoint-finney.opentensor.ai:443)");
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) u.target = rest.substr(slash);
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos)
      throw ChainError("subtensor endpoint \"" + url + "\": unclosed [ in the host");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) throw ChainError("subtensor endpoint \"" + url + "\": no host");
  if (port_text.empty()) {
    u.port = u.tls ? 443 : 80;
  } else {
    char* end = nullptr;
    long p = std::strtol(port_text.c_str(), &end, 10);
    if (*end != '\0' || p < 1 || p > 65535)
      throw ChainError("subtensor endpoint \"" + url + "\": port \"" + port_text + "\" is not 1..65535");
    u.port = static_cast<std::uint16_t>(p);
  }
  return u;
}

class RpcConnection {
 public:
  virtual ~RpcConnection() = default;
  virtual void write(const std::string& text, Clock::time_point deadline) = 0;
  virtual std::string read(Clock::time_point deadline) = 0;
};

namespace {

template <class Ws>
class WsConnection : public RpcConnection {
 public:
  template <class... Args>
  explicit WsConnection(std::size_t max_message, Args&&... args) : ws_(ioc_, std::forward<Args>(args)...) {
    ws_.read_message_max(max_message);
  }

  ~WsConnection() override {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  void open(const WsUrl& url, Clock::time_point deadline) {
    tcp::resolver resolver(ioc_);
    tcp::resolver::results_type endpoints;
    run(deadline, "resolving " + url.host, [&](auto done) {
      resolver.async_resolve(url.host, std::to_string(url.port),
                             [&, done](beast::error_code ec, tcp::resolver::results_type r) {
                               endpoints = r;
                               done(ec);
                             });
    });
    run(deadline, "connecting", [&](auto done) {
      beast::get_lowest_layer(ws_).async_connect(endpoints, [done](beast::error_code ec, auto) { done(ec); });
    });
    if constexpr (!std::is_same_v<Ws, websocket::stream<beast::tcp_stream>>) {
      if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), url.host.c_str()))
        throw TransportError("TLS: cannot set the server name");
      ws_.next_layer().set_verify_callback(asio::ssl::host_name_verification(url.host));
      run(deadline, "TLS handshake", [&](auto done) {
        ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                         [done](beast::error_code ec) { done(ec); });
      });
    }
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "nineteen-subtensor"); }));
    std::string host = url.host + ":" + std::to_string(url.port);
    run(deadline, "WebSocket handshake", [&](auto done) {
      ws_.async_handshake(host, url.target, [done](beast::error_code ec) { done(ec); });
    });
    ws_.text(true);
  }

  void write(const std::string& text, Clock::time_point deadline) override {
    run(deadline, "sending", [&](auto done) {
      ws_.async_write(asio::buffer(text), [done](beast::error_code ec, std::size_t) { done(ec); });
    });
  }

  std::string read(Clock::time_point deadline) override {
    beast::flat_buffer buffer;
    run(deadline, "waiting for the answer",
        [&](auto done) { ws_.async_read(buffer, [done](beast::error_code ec, std::size_t) { done(ec); }); });
    return beast::buffers_to_string(buffer.data());
  }

 private:
  // Starts one operation and runs the loop until it completes or the deadline passes (then the socket
  // is closed, which cancels it; the connection is not reused).
  template <class Start>
  void run(Clock::time_point deadline, const std::string& what, Start&& start) {
    bool finished = false;
    beast::error_code result;
    start([&finished, &result](beast::error_code ec) {
      result = ec;
      finished = true;
    });
    ioc_.restart();
    while (!finished && ioc_.run_one_until(deadline) != 0) {
    }
    if (!finished) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      ioc_.restart();
      ioc_.run_for(std::chrono::seconds(1));
      throw TransportError(what + ": timed out");
    }
    if (result) throw TransportError(what + ": " + result.message());
  }

  asio::io_context ioc_;
  Ws ws_;
};

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

class TlsConnection : public WsConnection<TlsWs> {
 public:
  TlsConnection(std::size_t max_message, asio::ssl::context& ctx) : WsConnection<TlsWs>(max_message, ctx) {}
};

std::unique_ptr<RpcConnection> open_connection(const WsUrl& url, const RpcOptions& options) {
  auto deadline = Clock::now() + options.connect_timeout;
  if (!url.tls) {
    auto c = std::make_unique<WsConnection<PlainWs>>(options.max_message_bytes);
    c->open(url, deadline);
    return c;
  }
  // The context must outlive the stream: keep one per process.
  static asio::ssl::context ctx = [] {
    asio::ssl::context c(asio::ssl::context::tlsv12_client);
    c.set_default_verify_paths();
    c.set_verify_mode(asio::ssl::verify_peer);
    return c;
  }();
  auto c = std::make_unique<TlsConnection>(options.max_message_bytes, ctx);
  c->open(url, deadline);
  return c;
}

}  // namespace

JsonRpcClient::JsonRpcClient(std::string url, RpcOptions options)
    : url_(std::move(url)), parsed_(parse_ws_url(url_)), options_(options) {}

JsonRpcClient::~JsonRpcClient() = default;

std::uint64_t JsonRpcClient::connects() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connects_;
}

rapidjson::Document JsonRpcClient::call(const std::string& method, const std::string& params_json) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string last_error;
  auto backoff = options_.backoff_initial;
  for (int attempt = 1; attempt <= std::max(1, options_.max_attempts); ++attempt) {
    if (attempt > 1) {
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, options_.backoff_max);
    }
    std::string answer;
    std::uint64_t id = next_id_++;
    try {
      if (!connection_) {
        connection_ = open_connection(parsed_, options_);
        ++connects_;
      }
      auto deadline = Clock::now() + options_.request_timeout;
      connection_->write(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + method +
                             R"(","params":)" + params_json + "}",
                         deadline);
      // Skip notifications and answers to other ids until ours arrives.
      for (;;) {
        answer = connection_->read(deadline);
        rapidjson::Document doc;
        if (!sdk::parse_json_bounded(doc, answer).empty() || !doc.IsObject()) {
          connection_.reset();
          throw ChainError(url_ + " " + method +
                           ": the node answered something that is not a JSON-RPC object: \"" +
                           preview(answer) + "\" (is this a Substrate node's WebSocket RPC port?)");
        }
        auto idm = doc.FindMember("id");
        if (idm == doc.MemberEnd() || !idm->value.IsUint64() || idm->value.GetUint64() != id) continue;
        auto err = doc.FindMember("error");
        if (err != doc.MemberEnd() && !err->value.IsNull()) {
          std::int64_t code = 0;
          std::string message, data;
          if (err->value.IsObject()) {
            if (err->value.HasMember("code") && err->value["code"].IsInt64())
              code = err->value["code"].GetInt64();
            if (err->value.HasMember("message") && err->value["message"].IsString())
              message = err->value["message"].GetString();
            if (err->value.HasMember("data")) {
              const auto& d = err->value["data"];
              if (d.IsString()) {
                data = d.GetString();
              } else {
                rapidjson::StringBuffer sb;
                rapidjson::Writer<rapidjson::StringBuffer> w(sb);
                d.Accept(w);
                data = sb.GetString();
              }
            }
          }
          throw RpcNodeError(url_ + " " + method + ": node error " + std::to_string(code) + ": " + message +
                                 (data.empty() ? "" : " (" + data + ")"),
                             code, message, data);
        }
        auto res = doc.FindMember("result");
        if (res == doc.MemberEnd()) {
          throw ChainError(url_ + " " + method + ": the answer has neither \"result\" nor \"error\": \"" +
                           preview(answer) + "\"");
        }
        rapidjson::Document out;
        out.CopyFrom(res->value, out.GetAllocator());
        return out;
      }
    } catch (const TransportError& e) {
      connection_.reset();
      last_error = e.what();
    }
  }
  throw ChainError(url_ + " " + method + ": " + last_error + " (after " +
                   std::to_string(options_.max_attempts) +
                   " attempts; is the node running and is the endpoint a ws:// or wss:// RPC port?)");
}

std::string JsonRpcClient::call_string(const std::string& method, const std::string& params_json,
                                       bool allow_null) {
  rapidjson::Document d = call(method, params_json);
  if (d.IsNull() && allow_null) return "";
  if (!d.IsString()) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    throw ChainError(url_ + " " + method + ": expected a string result, got " + preview(sb.GetString()));
  }
  return std::string(d.GetString(), d.GetStringLength());
}

}  // namespace nineteen::chain::subtensor
