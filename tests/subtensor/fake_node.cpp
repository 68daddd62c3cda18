// FakeNode: Beast WebSocket sessions, one thread each, on 127.0.0.1 with an ephemeral port.
#include "fake_node.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace fake_node {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

FakeNode::FakeNode(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("fake node: cannot listen on loopback");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeNode::~FakeNode() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  std::vector<std::thread> sessions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : session_fds_) ::shutdown(fd, SHUT_RDWR);
    sessions.swap(sessions_);
  }
  for (auto& t : sessions) t.join();
}

void FakeNode::accept_loop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    session_fds_.push_back(fd);
    sessions_.emplace_back([this, fd] { serve(fd); });
  }
}

void FakeNode::serve(int fd) {
  ++connections;
  asio::io_context ioc;
  beast::error_code ec;
  tcp::socket socket(ioc);
  socket.assign(tcp::v4(), fd, ec);
  beast::websocket::stream<tcp::socket> ws(std::move(socket));
  ws.accept(ec);
  if (ec) return;
  for (;;) {
    beast::flat_buffer buffer;
    ws.read(buffer, ec);
    if (ec) return;
    ++requests;
    std::string text = beast::buffers_to_string(buffer.data());
    if (drop_next > 0) {
      --drop_next;
      beast::get_lowest_layer(ws).shutdown(tcp::socket::shutdown_both, ec);
      return;
    }
    if (silent_next > 0) {
      --silent_next;
      continue;
    }
    ws.text(true);
    if (garbage_next > 0) {
      --garbage_next;
      ws.write(asio::buffer(std::string("<html>502 Bad Gateway</html>")), ec);
      continue;
    }
    rapidjson::Document req;
    req.Parse(text.c_str());
    std::string id = "null";
    if (!req.HasParseError() && req.IsObject() && req.HasMember("id")) {
      rapidjson::StringBuffer sb;
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      req["id"].Accept(w);
      id = sb.GetString();
    }
    std::string answer;
    try {
      const std::string method = req.IsObject() && req.HasMember("method") ? req["method"].GetString() : "";
      static const rapidjson::Value empty(rapidjson::kArrayType);
      const rapidjson::Value& params = req.IsObject() && req.HasMember("params") ? req["params"] : empty;
      answer = R"({"jsonrpc":"2.0","id":)" + id + R"(,"result":)" + handler_(method, params) + "}";
    } catch (const RpcFailure& f) {
      rapidjson::StringBuffer sb;
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      w.StartObject();
      w.Key("code");
      w.Int64(f.code);
      w.Key("message");
      w.String(f.what());
      if (!f.data.empty()) {
        w.Key("data");
        w.String(f.data.c_str());
      }
      w.EndObject();
      answer = R"({"jsonrpc":"2.0","id":)" + id + R"(,"error":)" + sb.GetString() + "}";
    }
    if (drop_after_next_submit && text.find("author_submitExtrinsic") != std::string::npos) {
      drop_after_next_submit = false;
      beast::get_lowest_layer(ws).shutdown(tcp::socket::shutdown_both, ec);
      return;
    }
    if (chatter) {
      ws.write(
          asio::buffer(std::string(
              R"({"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"x","result":{}}})")),
          ec);
      ws.write(asio::buffer(std::string(R"({"jsonrpc":"2.0","id":987654,"result":"0xdead"})")), ec);
    }
    ws.write(asio::buffer(answer), ec);
    if (ec) return;
  }
}

}  // namespace fake_node
