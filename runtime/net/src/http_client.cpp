// The HTTP/1.1 client. Each pooled connection owns a tiny io_context that the calling thread runs
// with a deadline, so every step (resolve, connect, first byte, rest) has a timeout without a
// background thread, and calls from different threads never share state beyond the pool's lock.
#include "nineteen/net/http_client.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "nineteen/net/http_url.hpp"

namespace nineteen::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;

struct Connection {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  std::optional<asio::ssl::stream<tcp::socket&>> tls;  // https:// only: TLS over `socket`
  beast::flat_buffer buffer;
};

// Runs `op` on the connection's byte stream: TLS for https://, the socket itself for http://.
template <class Op>
void on_stream(Connection& c, Op&& op) {
  if (c.tls) {
    op(*c.tls);
  } else {
    op(c.socket);
  }
}

// How often a read watches its request's `stop` flag.
constexpr auto kStopPoll = std::chrono::milliseconds(10);

// Runs `c`'s io_context until `done`, `deadline` or `stop` is set. On the deadline or stop, closes
// the socket, lets the aborted operation finish, and returns false.
bool run_until(Connection& c, const bool& done, Clock::time_point deadline, const std::atomic<bool>* stop = nullptr) {
  c.ioc.restart();
  while (!done && !(stop && stop->load())) {
    const Clock::time_point until = stop ? std::min(deadline, Clock::now() + kStopPoll) : deadline;
    // Nothing ran: the deadline passed, or nothing is left to run; with a stop flag, a slice ended.
    if (c.ioc.run_one_until(until) == 0 && !done && (c.ioc.stopped() || Clock::now() >= deadline)) break;
  }
  if (done) return true;
  error_code ignored;
  c.socket.close(ignored);
  c.ioc.restart();
  c.ioc.run();
  return false;
}

// A connection the server closed while it sat in the pool reads as EOF; one with unexpected bytes
// waiting is out of step. Either way it must not carry a new request.
bool still_usable(Connection& c) {
  if (!c.socket.is_open() || c.buffer.size() != 0) return false;
  char byte;
  ssize_t n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

bool is_closed_by_peer(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == http::error::end_of_stream ||
         ec == http::error::partial_message;
}

std::string host_header(const HttpUrl& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  return url.port == (url.tls ? 443 : 80) ? host : host + ":" + std::to_string(url.port);
}

// The client side of TLS: certificates checked against the given CA file or the system's.
std::unique_ptr<asio::ssl::context> make_client_tls_context(const std::string& ca_file) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                       asio::ssl::context::no_compression);
  context->set_verify_mode(asio::ssl::verify_peer);
  error_code ec;
  if (ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(ca_file, ec);
    if (ec) {
      throw std::runtime_error("http client: cannot read the CA file \"" + ca_file + "\": " + ec.message() +
                               " (give a PEM file of the certificates to trust)");
    }
  }
  return context;
}

}  // namespace

const char* client_error_kind_name(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::none: return "none";
    case ClientErrorKind::bad_url: return "bad_url";
    case ClientErrorKind::resolve_failed: return "resolve_failed";
    case ClientErrorKind::connection_refused: return "connection_refused";
    case ClientErrorKind::connect_timeout: return "connect_timeout";
    case ClientErrorKind::first_byte_timeout: return "first_byte_timeout";
    case ClientErrorKind::total_timeout: return "total_timeout";
    case ClientErrorKind::connection_closed: return "connection_closed";
    case ClientErrorKind::protocol_error: return "protocol_error";
    case ClientErrorKind::response_too_large: return "response_too_large";
    case ClientErrorKind::stopped_by_caller: return "stopped_by_caller";
    case ClientErrorKind::io_error: return "io_error";
    case ClientErrorKind::tls_failed: return "tls_failed";
  }
  return "unknown";
}

bool is_timeout(ClientErrorKind kind) {
  return kind == ClientErrorKind::connect_timeout || kind == ClientErrorKind::first_byte_timeout ||
         kind == ClientErrorKind::total_timeout;
}

struct HttpClient::Pool {
  std::unique_ptr<Connection> take(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = idle.find(key);
    while (it != idle.end() && !it->second.empty()) {
      std::unique_ptr<Connection> c = std::move(it->second.back());
      it->second.pop_back();
      if (still_usable(*c)) return c;
    }
    return nullptr;
  }
  void give_back(const std::string& key, std::unique_ptr<Connection> c, std::size_t max_per_host) {
    std::lock_guard<std::mutex> lock(mutex);
    auto& list = idle[key];
    if (list.size() < max_per_host) list.push_back(std::move(c));
  }
  std::size_t count() const {
    std::lock_guard<std::mutex> lock(mutex);
    std::size_t n = 0;
    for (const auto& entry : idle) n += entry.second.size();
    return n;
  }

  mutable std::mutex mutex;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::unique_ptr<asio::ssl::context> tls;  // for https:// URLs
};

namespace {

// One request/response exchange on one connection; the caller retries on a fresh connection when
// a reused one turns out dead before any response byte.
class Exchange {
 public:
  Exchange(const ClientRequest& request, const HttpUrl& url, const ClientOptions& options,
           const SseParser::EventCallback* on_event, Clock::time_point started, asio::ssl::context* tls)
      : request_(request), url_(url), options_(options), on_event_(on_event), started_(started), tls_(tls) {
    timeouts_ = request.timeouts.value_or(options.timeouts);
    total_deadline_ = started_ + timeouts_.total;
  }

  // Returns true when the connection may go back to the pool.
  bool run(Connection& c, ClientResult& result) {
    result = ClientResult{};
    if (!c.socket.is_open() && !connect(c, result)) return false;
    if (!write_request(c, result)) return false;
    if (!read_first_byte(c, result)) return false;
    return read_response(c, result);
  }

  // True when the failure happened on a reused connection before any response byte: safe to retry.
  bool retryable() const { return retryable_; }

 private:
  bool fail(ClientResult& result, ClientErrorKind kind, const std::string& what) {
    result.error = kind;
    result.error_message = request_.method + " " + request_.url + ": " + what;
    result.total = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    return false;
  }

  bool connect(Connection& c, ClientResult& result) {
    auto deadline = std::min(Clock::now() + timeouts_.connect, total_deadline_);
    bool done = false;
    error_code ec;
    std::vector<tcp::endpoint> endpoints;
    auto literal = asio::ip::make_address(url_.host, ec);
    if (!ec) {
      endpoints.emplace_back(literal, url_.port);
    } else {
      // getaddrinfo cannot be interrupted, so a name lookup is bounded by the resolver's own
      // timeouts, not by ours; miners are normally reached by IP address.
      tcp::resolver resolver(c.ioc);
      auto resolved = resolver.resolve(url_.host, std::to_string(url_.port), ec);
      for (const auto& entry : resolved) endpoints.push_back(entry.endpoint());
      if (ec || endpoints.empty()) {
        if (!ec) return fail(result, ClientErrorKind::resolve_failed, "\"" + url_.host + "\" has no address");
        return fail(result, ClientErrorKind::resolve_failed, "cannot resolve \"" + url_.host + "\": " + ec.message());
      }
    }
    done = false;
    asio::async_connect(c.socket, endpoints, [&](error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!run_until(c, done, deadline)) {
      bool total = deadline == total_deadline_;
      return fail(result, total ? ClientErrorKind::total_timeout : ClientErrorKind::connect_timeout,
                  "no connection to " + host_header(url_) + " within " +
                      std::to_string((total ? timeouts_.total : timeouts_.connect).count()) + " ms");
    }
    if (ec == asio::error::connection_refused) {
      return fail(result, ClientErrorKind::connection_refused,
                  "connection refused by " + host_header(url_) + " (is the server running on that port?)");
    }
    if (ec) return fail(result, ClientErrorKind::io_error, "cannot connect to " + host_header(url_) + ": " + ec.message());
    error_code ignored;
    c.socket.set_option(tcp::no_delay(true), ignored);
    if (url_.tls) return handshake(c, result, deadline);
    return true;
  }

  // https://: the TLS handshake, with SNI and the certificate checked against the URL's host.
  bool handshake(Connection& c, ClientResult& result, Clock::time_point deadline) {
    c.tls.emplace(c.socket, *tls_);
    error_code ec;
    asio::ip::make_address(url_.host, ec);  // SNI names a host, never an IP address (RFC 6066 §3)
    if (ec && !SSL_set_tlsext_host_name(c.tls->native_handle(), url_.host.c_str())) {
      return fail(result, ClientErrorKind::io_error, "cannot set the TLS server name \"" + url_.host + "\"");
    }
    c.tls->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    bool done = false;
    c.tls->async_handshake(asio::ssl::stream_base::client, [&](error_code e) {
      ec = e;
      done = true;
    });
    if (!run_until(c, done, deadline)) {
      bool total = deadline == total_deadline_;
      return fail(result, total ? ClientErrorKind::total_timeout : ClientErrorKind::connect_timeout,
                  "no TLS handshake with " + host_header(url_) + " within " +
                      std::to_string((total ? timeouts_.total : timeouts_.connect).count()) + " ms");
    }
    if (ec) {
      return fail(result, ClientErrorKind::tls_failed,
                  "TLS handshake with " + host_header(url_) + " failed: " + ec.message() +
                      " (is it an https server, and is its certificate trusted? see ClientOptions::tls_ca_file)");
    }
    return true;
  }

  bool write_request(Connection& c, ClientResult& result) {
    http::request<http::string_body> req;
    req.method_string(request_.method);
    req.target(url_.target);
    req.version(11);
    for (const auto& [name, value] : request_.headers.fields()) {
      if (name.find_first_of("\r\n") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
        return fail(result, ClientErrorKind::protocol_error, "header \"" + name + "\" contains a line break");
      }
      if (header_name_equals(name, "Content-Length") || header_name_equals(name, "Transfer-Encoding")) continue;
      req.insert(name, value);
    }
    if (!request_.headers.has("Host")) req.set(http::field::host, host_header(url_));
    if (!request_.headers.has("User-Agent")) req.set(http::field::user_agent, options_.user_agent);
    req.body() = request_.body;
    req.keep_alive(true);
    if (!request_.body.empty() || request_.method == "POST" || request_.method == "PUT" ||
        request_.method == "PATCH") {
      req.content_length(request_.body.size());
    }
    bool done = false;
    error_code ec;
    on_stream(c, [&](auto& stream) {
      http::async_write(stream, req, [&](error_code e, std::size_t) {
        ec = e;
        done = true;
      });
    });
    if (!run_until(c, done, total_deadline_)) {
      return fail(result, ClientErrorKind::total_timeout, "sending the request took longer than the total timeout of " +
                                                              std::to_string(timeouts_.total.count()) + " ms");
    }
    if (ec) {
      retryable_ = reused_;
      return fail(result, is_closed_by_peer(ec) ? ClientErrorKind::connection_closed : ClientErrorKind::io_error,
                  "sending the request failed: " + ec.message());
    }
    sent_at_ = Clock::now();
    return true;
  }

  bool read_first_byte(Connection& c, ClientResult& result) {
    if (c.buffer.size() > 0) return true;
    auto first_byte_deadline = sent_at_ + timeouts_.first_byte;
    auto deadline = std::min(first_byte_deadline, total_deadline_);
    bool done = false;
    error_code ec;
    std::size_t n = 0;
    on_stream(c, [&](auto& stream) {
      stream.async_read_some(c.buffer.prepare(16 * 1024), [&](error_code e, std::size_t got) {
        ec = e;
        n = got;
        done = true;
      });
    });
    if (!run_until(c, done, deadline)) {
      bool total = deadline == total_deadline_ && total_deadline_ < first_byte_deadline;
      return fail(result, total ? ClientErrorKind::total_timeout : ClientErrorKind::first_byte_timeout,
                  total ? "no response within the total timeout of " + std::to_string(timeouts_.total.count()) + " ms"
                        : "no response byte within the first-byte timeout of " +
                              std::to_string(timeouts_.first_byte.count()) + " ms");
    }
    if (ec) {
      retryable_ = reused_ && is_closed_by_peer(ec);
      return fail(result, is_closed_by_peer(ec) ? ClientErrorKind::connection_closed : ClientErrorKind::io_error,
                  "the connection closed before any response byte: " + ec.message());
    }
    c.buffer.commit(n);
    result.first_byte_after = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    return true;
  }

  // Reads one step of the response with the total deadline; false with `result` filled on failure.
  template <class Step>
  bool step(Connection& c, ClientResult& result, Step start, error_code& ec, const std::atomic<bool>* stop = nullptr) {
    bool done = false;
    start([&](error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!run_until(c, done, total_deadline_, stop)) {
      if (stop && stop->load()) return fail(result, ClientErrorKind::stopped_by_caller, "the caller stopped the stream");
      return fail(result, ClientErrorKind::total_timeout,
                  "the response did not complete within the total timeout of " +
                      std::to_string(timeouts_.total.count()) + " ms");
    }
    if (ec == http::error::need_buffer) ec = {};
    if (!ec) return true;
    if (ec == http::error::body_limit) {
      return fail(result, ClientErrorKind::response_too_large,
                  "the response body is larger than the limit of " + std::to_string(options_.max_response_bytes) +
                      " bytes");
    }
    if (ec == http::error::header_limit) {
      return fail(result, ClientErrorKind::response_too_large,
                  "the response headers are larger than " + std::to_string(kMaxResponseHeaderBytes) + " bytes");
    }
    if (is_closed_by_peer(ec)) {
      return fail(result, ClientErrorKind::connection_closed, "the connection closed mid-response: " + ec.message());
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      return fail(result, ClientErrorKind::protocol_error, "the response is not valid HTTP/1.1: " + ec.message());
    }
    return fail(result, ClientErrorKind::io_error, "reading the response failed: " + ec.message());
  }

  bool read_response(Connection& c, ClientResult& result) {
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(kMaxResponseHeaderBytes);
    parser.body_limit(options_.max_response_bytes);
    if (request_.method == "HEAD") parser.skip(true);  // its Content-Length describes a body not sent
    error_code ec;
    if (!step(c, result, [&](auto handler) {
          on_stream(c, [&](auto& stream) { http::async_read_header(stream, c.buffer, parser, handler); });
        }, ec)) {
      return false;
    }
    auto& msg = parser.get();
    result.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) result.headers.add(std::string(field.name_string()), std::string(field.value()));
    std::string content_type(msg[http::field::content_type]);
    bool sse = on_event_ != nullptr && result.status >= 200 && result.status < 300 &&
               content_type.compare(0, 17, "text/event-stream") == 0;

    std::optional<SseParser> events;
    bool stopped_by_caller = false;
    if (sse) {
      events.emplace([&](const SseEvent& event) {
        if ((*on_event_)(event)) return true;
        stopped_by_caller = true;
        return false;
      });
    }
    std::array<char, 16 * 1024> chunk;
    while (!parser.is_done()) {
      msg.body().data = chunk.data();
      msg.body().size = chunk.size();
      const std::atomic<bool>* stop = events && request_.stop ? request_.stop.get() : nullptr;
      if (!step(c, result, [&](auto handler) {
            on_stream(c, [&](auto& stream) { http::async_read_some(stream, c.buffer, parser, handler); });
          }, ec, stop)) {
        if (events) {
          result.events = events->events();
          result.done_seen = events->done_seen();
        }
        return false;
      }
      std::size_t got = chunk.size() - msg.body().size;
      if (got == 0) continue;
      if (!events) {
        result.body.append(chunk.data(), got);
        continue;
      }
      if (!events->feed(std::string_view(chunk.data(), got))) {
        result.events = events->events();
        result.done_seen = events->done_seen();
        if (stopped_by_caller) {
          return fail(result, ClientErrorKind::stopped_by_caller, "the event callback stopped the stream");
        }
        // [DONE] arrived: read what remains (the last chunk) so the connection can be reused,
        // ignoring anything after it.
        events.reset();
      }
    }
    if (events) {
      result.events = events->events();
      result.done_seen = events->done_seen();
    }
    result.total = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    return msg.keep_alive() && c.buffer.size() == 0;
  }

  const ClientRequest& request_;
  const HttpUrl& url_;
  const ClientOptions& options_;
  const SseParser::EventCallback* on_event_;
  Clock::time_point started_;
  asio::ssl::context* tls_;
  ClientTimeouts timeouts_;
  Clock::time_point total_deadline_;
  Clock::time_point sent_at_;

 public:
  bool reused_ = false;

 private:
  bool retryable_ = false;
};

}  // namespace

HttpClient::HttpClient(ClientOptions options) : pool_(std::make_unique<Pool>()), options_(std::move(options)) {
  pool_->tls = make_client_tls_context(options_.tls_ca_file);
}
HttpClient::~HttpClient() = default;

std::size_t HttpClient::idle_connections() const { return pool_->count(); }

ClientResult HttpClient::send(const ClientRequest& request) { return stream(request, nullptr); }

ClientResult HttpClient::stream(const ClientRequest& request, const SseParser::EventCallback& on_event) {
  auto started = Clock::now();
  ClientResult result;
  std::string url_error;
  auto url = parse_http_url(request.url, &url_error);
  if (!url) {
    result.error = ClientErrorKind::bad_url;
    result.error_message = url_error;
    return result;
  }
  const std::string key = (url->tls ? "https|" : "http|") + url->host + "|" + std::to_string(url->port);
  const SseParser::EventCallback* callback = on_event ? &on_event : nullptr;

  std::optional<ClientResult> on_reused;  // the first try's failure, when it was on a reused connection
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Connection> c = attempt == 0 ? pool_->take(key) : nullptr;
    bool reused = c != nullptr;
    if (!c) c = std::make_unique<Connection>();
    Exchange exchange(request, *url, options_, callback, started, pool_->tls.get());
    exchange.reused_ = reused;
    bool reusable = exchange.run(*c, result);
    result.reused_connection = reused;
    if (result.ok()) {
      if (reusable) pool_->give_back(key, std::move(c), options_.max_idle_per_host);
      return result;
    }
    // A reused connection that closed before any response byte was most likely stale, and is
    // retried on a new one. But when nothing listens any more, the server died with our request
    // in hand: that is the first failure (closed), not a refused connection, so a caller does not
    // take the request for unsent and send it to the next server (issue 24's rule).
    if (on_reused && result.error == ClientErrorKind::connection_refused) return *on_reused;
    if (!exchange.retryable()) return result;
    on_reused = result;
  }
  return result;
}

}  // namespace nineteen::net
