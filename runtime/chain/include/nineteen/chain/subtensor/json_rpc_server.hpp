// A JSON-RPC 2.0 server on a WebSocket (ws:// only), for a node that speaks Substrate's RPC subset:
// the local dev chain serving state_getMetadata, state_call, author_submitExtrinsic and the rest.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace nineteen::chain::subtensor {

// Thrown by a handler: answered as a JSON-RPC error object {code, message, data?}.
class RpcServerError : public std::runtime_error {
 public:
  RpcServerError(std::int64_t code, const std::string& message, std::string data = "")
      : std::runtime_error(message), code_(code), data_(std::move(data)) {}
  std::int64_t code() const { return code_; }
  const std::string& data() const { return data_; }

 private:
  std::int64_t code_;
  std::string data_;
};

class JsonRpcServer {
 public:
  // Returns the JSON text of "result" (e.g. "\"0x00\"", "null", "{...}"). Runs on the server's one thread,
  // one request at a time. Any other exception becomes error -32603 with its message.
  using Handler = std::function<std::string(const std::string& method, const rapidjson::Value& params)>;

  // Listens on address:port (port 0 = any free port) at once; throws std::runtime_error when it cannot.
  JsonRpcServer(const std::string& address, std::uint16_t port, Handler handler,
                std::size_t max_message_bytes = 16 * 1024 * 1024);
  ~JsonRpcServer();  // stops accepting, closes every session, joins the thread
  JsonRpcServer(const JsonRpcServer&) = delete;
  JsonRpcServer& operator=(const JsonRpcServer&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // ws://address:port

  // One JSON-RPC request text in, its answer text out (what each WebSocket message gets); public so the
  // dispatch can be tested without a socket. Malformed JSON → -32700, no method → -32600, batches
  // unsupported.
  static std::string answer(const Handler& handler, const std::string& request);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace nineteen::chain::subtensor
