// An HTTP/1.1 client: pooled keep-alive connections per host, three timeouts, SSE reading,
// and outcomes classified so a validator can tell a slow miner from a dead or broken one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "nineteen/net/http_message.hpp"
#include "nineteen/net/sse_parser.hpp"

namespace nineteen::net {

enum class ClientErrorKind {
  none,
  bad_url,             // not an http:// or https:// URL we can reach
  resolve_failed,      // the host name did not resolve
  connection_refused,  // nothing listens there
  connect_timeout,     // no TCP connection within the connect timeout
  first_byte_timeout,  // connected and sent, but no response byte within the first-byte timeout
  total_timeout,       // the whole exchange took longer than the total timeout
  connection_closed,   // the peer closed or reset the connection before the response was complete
  protocol_error,      // the bytes were not a valid HTTP response (or a bad chunked body)
  response_too_large,  // the body was larger than ClientOptions::max_response_bytes
  stopped_by_caller,   // the SSE callback returned false, or the request's `stop` was set
  io_error,            // any other socket error
  tls_failed,          // https://: the TLS handshake failed (not TLS there, or an untrusted certificate)
};

const char* client_error_kind_name(ClientErrorKind kind);
bool is_timeout(ClientErrorKind kind);

struct ClientTimeouts {
  std::chrono::milliseconds connect{5'000};
  std::chrono::milliseconds first_byte{30'000};  // from the request sent to the first response byte
  std::chrono::milliseconds total{120'000};      // from the call to the last byte
};

struct ClientOptions {
  ClientTimeouts timeouts;
  std::size_t max_idle_per_host = 8;  // kept-alive connections kept per host:port
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  std::string user_agent = "nineteen";
  // https:// URLs: the server's certificate is checked against these CAs (PEM; empty = the
  // system's, /etc/ssl/certs) and its name or IP address against the URL's host. A miner or
  // upstream with a self-signed certificate is reached by naming that certificate here.
  std::string tls_ca_file;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // "http://127.0.0.1:8091/v1/completions"
  Headers headers;  // Host, Content-Length and User-Agent are filled in when absent
  std::string body;
  // Overrides ClientOptions::timeouts for this request when set.
  std::optional<ClientTimeouts> timeouts;
  // SSE only: once set (from any thread), reading stops within about 10 ms as when the callback
  // returns false, even while the server sends nothing (e.g. a gateway whose own user left).
  std::shared_ptr<const std::atomic<bool>> stop = nullptr;
};

struct ClientResult {
  ClientErrorKind error = ClientErrorKind::none;
  std::string error_message;  // says what happened, with the URL; empty when ok
  int status = 0;             // 0 when no response head arrived
  Headers headers;
  std::string body;  // the whole body; for an SSE stream, empty (events went to the callback)
  // Timings from the start of the call; negative when the moment was never reached.
  std::chrono::microseconds first_byte_after{-1};
  std::chrono::microseconds total{-1};
  bool reused_connection = false;
  // SSE only: events passed to the callback, and whether `data: [DONE]` ended the stream.
  std::size_t events = 0;
  bool done_seen = false;

  bool ok() const { return error == ClientErrorKind::none; }
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and reads the whole response. Blocks the calling thread. Thread-safe: calls
  // from several threads each use their own connection.
  ClientResult send(const ClientRequest& request);

  // Sends the request; when the answer is a 2xx text/event-stream, calls `on_event` for each
  // event as it arrives (not for `[DONE]`); any other answer is read whole into `body`.
  // Return false from `on_event` to stop early (the connection is then closed, not reused).
  ClientResult stream(const ClientRequest& request, const SseParser::EventCallback& on_event);

  // Idle pooled connections right now (all hosts).
  std::size_t idle_connections() const;

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
  ClientOptions options_;
};

}  // namespace nineteen::net
