// JSON-RPC 2.0 over one WebSocket (ws:// or wss://), as Substrate nodes speak it: request ids,
// per-request timeouts, reconnect with backoff on a dropped socket, and clear errors for garbage.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "nineteen/chain/chain.hpp"

namespace nineteen::chain::subtensor {

struct RpcOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
  int max_attempts = 4;  // per call: the first try plus reconnects
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{5'000};
  std::size_t max_message_bytes = 64 * 1024 * 1024;  // metadata is a few hundred KB
};

// The node answered with a JSON-RPC error object (it was reached; retrying the same request will not help).
class RpcNodeError : public ChainError {
 public:
  RpcNodeError(const std::string& message, std::int64_t code, std::string node_message, std::string data)
      : ChainError(message), code_(code), node_message_(std::move(node_message)), data_(std::move(data)) {}
  std::int64_t code() const { return code_; }
  const std::string& node_message() const { return node_message_; }
  const std::string& data() const { return data_; }

 private:
  std::int64_t code_;
  std::string node_message_;
  std::string data_;
};

struct WsUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string target = "/";
};
// "ws://host[:port][/path]" or "wss://..."; throws ChainError naming the URL otherwise.
WsUrl parse_ws_url(const std::string& url);

class RpcConnection;  // one open WebSocket (json_rpc_client.cpp)

// Thread-safe: calls are serialised over one connection. Transport failures (refused, dropped, timed
// out) are retried with backoff up to max_attempts, then thrown as ChainError naming the URL.
class JsonRpcClient {
 public:
  explicit JsonRpcClient(std::string url, RpcOptions options = {});
  ~JsonRpcClient();
  JsonRpcClient(const JsonRpcClient&) = delete;
  JsonRpcClient& operator=(const JsonRpcClient&) = delete;

  // `params_json` is a JSON array, e.g. R"(["0x1234"])". Returns the "result" member.
  rapidjson::Document call(const std::string& method, const std::string& params_json = "[]");
  // The result as a string (hex answers); throws unless it is one. `null` gives "" when allow_null.
  std::string call_string(const std::string& method, const std::string& params_json = "[]",
                          bool allow_null = false);

  const std::string& url() const { return url_; }
  std::uint64_t connects() const;  // how many times a socket was opened (1 + reconnects)

 private:
  std::string url_;
  WsUrl parsed_;
  RpcOptions options_;
  mutable std::mutex mutex_;
  std::unique_ptr<RpcConnection> connection_;
  std::uint64_t next_id_ = 1;
  std::uint64_t connects_ = 0;
};

}  // namespace nineteen::chain::subtensor
