// An HTTP/1.1 server: keep-alive, size limits, timeouts, SSE streaming, clean stop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "nineteen/net/router.hpp"

namespace nineteen::net {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = let the system pick one; read it back with HttpServer::port()
  // Threads doing socket I/O; they never run handlers.
  int io_threads = 1;
  // Threads running handlers. A handler holds one for its whole run, a stream included, so this
  // bounds the requests being worked on at once; more wait in a queue.
  int handler_threads = 8;
  std::size_t max_header_bytes = 16 * 1024;        // beyond: 431 with a JSON error
  std::size_t max_body_bytes = 4 * 1024 * 1024;    // beyond: 413 with a JSON error
  std::chrono::milliseconds read_timeout{30'000};   // to receive a whole request once it started
  std::chrono::milliseconds idle_timeout{60'000};   // a kept-alive connection waiting for a request
  std::chrono::milliseconds write_timeout{30'000};  // one write (a response, one SSE event)
  std::size_t max_requests_per_connection = 0;      // 0 = no limit
  // When set (e.g. "x-request-id"): every answer carries this header, errors of the server's own
  // included; the request's own value when well-formed (request_id.hpp), else a new one. Handlers
  // see the id in the request's headers; one a handler sets itself is kept.
  std::string request_id_header;
  // HTTPS: PEM files of the certificate chain and its private key. When both are set the server
  // speaks only TLS (1.2 or 1.3) on its port and base_url() says https://; a missing or unreadable
  // file, or only one of the two, fails the constructor with the file named.
  std::string tls_certificate_file;
  std::string tls_private_key_file;
};

class HttpServer {
 public:
  // Binds and starts serving at once. Throws std::runtime_error naming the address and port when
  // the bind fails (in use, no permission, bad address).
  HttpServer(Router router, ServerOptions options);
  // Stops with a grace time of 5 s if stop() was not called.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the picked one when options.port was 0).
  uint16_t port() const;
  const std::string& address() const;
  // "http://127.0.0.1:<port>" ("https://..." with TLS)
  std::string base_url() const;

  // Stops accepting; closes idle connections; lets requests in flight finish for up to `grace`
  // (streams see SseWriter::server_stopping()); then closes what is left and waits for handlers
  // to return. Safe to call from any thread except a handler's, and more than once.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

  // Blocks until stop() has completed (e.g. from a signal handler thread).
  void wait();

  // Requests being read, handled or written right now.
  std::size_t in_flight() const;

 private:
  friend class Session;  // one connection, defined with the server in http_server.cpp
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace nineteen::net
