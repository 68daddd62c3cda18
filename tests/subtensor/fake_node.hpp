// A WebSocket JSON-RPC server on loopback (a real socket) for the Subtensor client tests, with knobs for
// bad behaviour: dropping the socket, staying silent, answering garbage, notifications before answers.
#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fake_node {

// Thrown by a handler: the server answers a JSON-RPC error object.
struct RpcFailure : std::runtime_error {
  RpcFailure(std::int64_t c, const std::string& m, std::string d = "")
      : std::runtime_error(m), code(c), data(std::move(d)) {}
  std::int64_t code;
  std::string data;
};

class FakeNode {
 public:
  // Returns the JSON text of "result" for (method, params).
  using Handler = std::function<std::string(const std::string& method, const rapidjson::Value& params)>;

  explicit FakeNode(Handler handler);
  ~FakeNode();

  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }

  std::atomic<int> drop_next{0};     // close the connection on receiving the next N requests
  std::atomic<int> silent_next{0};   // read but never answer the next N requests
  std::atomic<int> garbage_next{0};  // answer the next N requests with non-JSON text
  std::atomic<bool> chatter{false};
  std::atomic<bool> drop_after_next_submit{
      false};  // handle author_submitExtrinsic, then drop the socket  // send a notification and a wrong-id
               // answer before each real one
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};

 private:
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> sessions_;
  std::vector<int> session_fds_;
};

}  // namespace fake_node
