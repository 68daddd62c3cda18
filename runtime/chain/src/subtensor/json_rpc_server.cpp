// JsonRpcServer: one io_context on one thread; each session reads a message, answers it, reads the next.
#include "nineteen/chain/subtensor/json_rpc_server.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <list>
#include <mutex>
#include <thread>

#include "nineteen/sdk/json.hpp"

namespace nineteen::chain::subtensor {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::string error_answer(const std::string& id, std::int64_t code, const std::string& message,
                         const std::string& data = "") {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("code");
  w.Int64(code);
  w.Key("message");
  w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  if (!data.empty()) {
    w.Key("data");
    w.String(data.c_str(), static_cast<rapidjson::SizeType>(data.size()));
  }
  w.EndObject();
  return R"({"jsonrpc":"2.0","id":)" + id + R"(,"error":)" + sb.GetString() + "}";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const JsonRpcServer::Handler& handler, std::size_t max_message)
      : ws_(std::move(socket)), handler_(handler) {
    ws_.read_message_max(max_message);
  }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).close(ec);
  }

 private:
  void read() {
    buffer_.clear();
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->reply_ = JsonRpcServer::answer(self->handler_, beast::buffers_to_string(self->buffer_.data()));
      self->ws_.text(true);
      self->ws_.async_write(asio::buffer(self->reply_), [self](beast::error_code wec, std::size_t) {
        if (!wec) self->read();
      });
    });
  }

  websocket::stream<tcp::socket> ws_;
  const JsonRpcServer::Handler& handler_;
  beast::flat_buffer buffer_;
  std::string reply_;
};

}  // namespace

struct JsonRpcServer::State {
  Handler handler;
  std::size_t max_message = 0;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::string address;
  std::uint16_t port = 0;
  std::list<std::weak_ptr<Session>> sessions;  // touched on the io thread only
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: stopping
      auto s = std::make_shared<Session>(std::move(socket), handler, max_message);
      sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
      sessions.push_back(s);
      s->start();
      accept();
    });
  }
};

JsonRpcServer::JsonRpcServer(const std::string& address, std::uint16_t port, Handler handler,
                             std::size_t max_message_bytes)
    : state_(std::make_unique<State>()) {
  state_->handler = std::move(handler);
  state_->max_message = max_message_bytes;
  state_->address = address;
  beast::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("JSON-RPC server: \"" + address + "\" is not an IP address");
  tcp::endpoint endpoint(ip, port);
  state_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(endpoint, ec);
  if (!ec) state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("JSON-RPC server: cannot listen on " + address + ":" + std::to_string(port) +
                             ": " + ec.message());
  }
  state_->port = state_->acceptor.local_endpoint().port();
  state_->accept();
  state_->thread = std::thread([s = state_.get()] { s->ioc.run(); });
}

JsonRpcServer::~JsonRpcServer() {
  asio::post(state_->ioc, [s = state_.get()] {
    beast::error_code ec;
    s->acceptor.close(ec);
    for (auto& w : s->sessions)
      if (auto session = w.lock()) session->close();
  });
  state_->thread.join();
}

std::uint16_t JsonRpcServer::port() const {
  return state_->port;
}

std::string JsonRpcServer::url() const {
  bool v6 = state_->address.find(':') != std::string::npos;
  return "ws://" + (v6 ? "[" + state_->address + "]" : state_->address) + ":" + std::to_string(state_->port);
}

std::string JsonRpcServer::answer(const Handler& handler, const std::string& request) {
  rapidjson::Document req;
  // The bounded reader (depth, UTF-8): a hostile peer cannot recurse the parser off the stack.
  if (!sdk::parse_json_bounded(req, request).empty()) return error_answer("null", -32700, "Parse error");
  if (!req.IsObject()) return error_answer("null", -32600, "Invalid request: expected one JSON object");
  std::string id = "null";
  if (req.HasMember("id") && (req["id"].IsNumber() || req["id"].IsString())) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    req["id"].Accept(w);
    id = sb.GetString();
  }
  if (!req.HasMember("method") || !req["method"].IsString()) {
    return error_answer(id, -32600, "Invalid request: no method");
  }
  static const rapidjson::Value no_params(rapidjson::kArrayType);
  const rapidjson::Value& params = req.HasMember("params") ? req["params"] : no_params;
  try {
    return R"({"jsonrpc":"2.0","id":)" + id + R"(,"result":)" + handler(req["method"].GetString(), params) +
           "}";
  } catch (const RpcServerError& e) {
    return error_answer(id, e.code(), e.what(), e.data());
  } catch (const std::exception& e) {
    return error_answer(id, -32603, e.what());
  }
}

}  // namespace nineteen::chain::subtensor
