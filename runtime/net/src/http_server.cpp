// The HTTP/1.1 server: async socket I/O on a few threads, handlers on a pool of their own, so a slow
// handler or a long stream never stalls reading or writing for other connections.
#include "nineteen/net/http_server.hpp"

#include <malloc.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "nineteen/net/fatal_signal_log.hpp"
#include "nineteen/net/openai_error.hpp"
#include "nineteen/net/request_id.hpp"
#include "nineteen/net/sse_parser.hpp"
#include "request_from_beast.hpp"

namespace nineteen::net {

// A request body this large is rare and costly: after it, the process returns free memory to the OS.
constexpr std::size_t kLargeBodyBytes = 256 * 1024;
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// Bytes a client may pipeline while we stream to it before we stop watching its side.
constexpr std::size_t kMaxBufferedWhileStreaming = 64 * 1024;
// How long and how much we read and discard after an error answer, so the client sees the answer
// instead of a reset caused by its unread upload.
constexpr auto kLingerTime = std::chrono::milliseconds(1000);
constexpr std::size_t kLingerBytes = 1024 * 1024;

bool safe_header_text(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

// The wire form of a handler's response; fields with line breaks are dropped (header injection).
std::shared_ptr<http::response<http::string_body>> to_beast(Response response, bool keep_alive) {
  auto res = std::make_shared<http::response<http::string_body>>();
  res->result(static_cast<unsigned>(response.status));
  res->version(11);
  for (const auto& [name, value] : response.headers.fields()) {
    if (name.empty() || !safe_header_text(name) || !safe_header_text(value)) {
      spdlog::warn("http server: dropped header \"{}\" with a line break in it", name);
      continue;
    }
    res->insert(name, value);
  }
  if (!response.headers.has("Content-Type")) res->set(http::field::content_type, "application/json");
  res->set(http::field::server, "nineteen");
  res->body() = std::move(response.body);
  res->keep_alive(keep_alive);
  res->prepare_payload();
  return res;
}

std::string chunk(std::string_view data) {
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size, static_cast<std::size_t>(n));
  out.append(data);
  out += "\r\n";
  return out;
}

// The TLS context of an HTTPS server, or null when the options name no certificate. Throws with the
// file and what to do when a file is missing, unreadable or the key does not match the certificate.
std::unique_ptr<asio::ssl::context> make_server_tls_context(const ServerOptions& options) {
  const bool has_cert = !options.tls_certificate_file.empty();
  const bool has_key = !options.tls_private_key_file.empty();
  if (!has_cert && !has_key) return nullptr;
  if (has_cert != has_key) {
    throw std::runtime_error(std::string("http server: TLS needs both a certificate and its private key; only the ") +
                             (has_cert ? "certificate" : "key") + " is set (set tls_certificate and tls_private_key)");
  }
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  // TLS 1.2 and 1.3 only; no compression, no renegotiation by the client.
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                       asio::ssl::context::no_compression);
  error_code ec;
  context->use_certificate_chain_file(options.tls_certificate_file, ec);
  if (ec) {
    throw std::runtime_error("http server: cannot read the TLS certificate chain \"" + options.tls_certificate_file +
                             "\": " + ec.message() + " (give a PEM file: the certificate, then its intermediates)");
  }
  context->use_private_key_file(options.tls_private_key_file, asio::ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("http server: cannot use the TLS private key \"" + options.tls_private_key_file +
                             "\": " + ec.message() +
                             " (give the PEM key of the certificate, unencrypted, readable by this user)");
  }
  return context;
}

}  // namespace

class Session;

struct HttpServer::State {
  State(Router r, ServerOptions o)
      : router(std::move(r)),
        options(std::move(o)),
        handler_pool(static_cast<std::size_t>(std::max(1, options.handler_threads))),
        work(asio::make_work_guard(ioc)),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()) {}

  void accept_next();
  void on_accept(error_code ec, tcp::socket socket);
  void begin_request() { in_flight.fetch_add(1); }
  void end_request() {
    std::lock_guard<std::mutex> lock(mutex);
    in_flight.fetch_sub(1);
    cv.notify_all();
  }
  void forget(Session* s) {
    std::lock_guard<std::mutex> lock(mutex);
    sessions.erase(s);
    cv.notify_all();
  }
  std::vector<std::shared_ptr<Session>> live_sessions();

  const Router router;
  const ServerOptions options;
  // Set when the options name a certificate and key: every connection is then HTTPS.
  std::unique_ptr<asio::ssl::context> tls;
  std::string address;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> in_flight{0};

  // Declared before the I/O objects so they outlive them (sessions unregister on destruction).
  std::mutex mutex;
  std::condition_variable cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  bool stop_started = false;
  bool stopped = false;

  asio::thread_pool handler_pool;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  std::vector<std::thread> io_threads;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::State& server, tcp::socket socket)
      : server_(server),
        stream_(std::move(socket)),
        cancel_timer_(stream_.get_executor()) {
    if (server_.tls) tls_.emplace(stream_, *server_.tls);
    error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Session() { server_.forget(this); }

  void start() {
    {
      std::lock_guard<std::mutex> lock(server_.mutex);
      server_.sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->tls_) return self->handshake();
      self->wait_for_request();
    });
  }

  // Called on stop: a connection waiting for its next request is closed now; others finish.
  void on_server_stopping() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::idle) self->close();
    });
  }
  void force_close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

  // --- used by the stream writer, from a handler thread ---
  bool write_blocking(std::string bytes) {
    if (client_gone_.load()) return false;
    std::promise<bool> done;
    std::future<bool> result = done.get_future();
    asio::post(stream_.get_executor(), [self = shared_from_this(), bytes = std::move(bytes), &done]() mutable {
      self->start_stream_write(std::move(bytes), done);
    });
    return result.get();
  }
  bool client_gone() const { return client_gone_.load(); }
  bool server_stopping() const { return server_.stopping.load(); }
  // SseWriter::cancel_on: `flag` is set when the client goes, and at `deadline`.
  void cancel_on(std::shared_ptr<std::atomic<bool>> flag, std::chrono::steady_clock::time_point deadline) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), flag = std::move(flag), deadline] {
      if (self->closed_ || self->client_gone_.load()) {
        *flag = true;
        return;
      }
      self->cancel_flag_ = flag;
      if (deadline == std::chrono::steady_clock::time_point::max()) return;
      self->cancel_timer_.expires_at(deadline);
      self->cancel_timer_.async_wait([flag](error_code ec) {
        if (!ec) *flag = true;
      });
    });
  }
  // The producer refused before the head went out: answer `response` as a plain reply.
  void refuse_stream(Response response) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), response = std::move(response)]() mutable {
      self->stop_cancel_watch();
      if (self->watch_pending_) {
        // The watch read completes (aborted) first; it then writes the refusal.
        self->refused_ = std::move(response);
        error_code ignored;
        self->stream_.socket().cancel(ignored);
        return;
      }
      self->write_response(std::move(response));
    });
  }

 private:
  enum class Phase { idle, reading, handling, streaming, writing, closed };

  // Runs `op` on the connection's byte stream: the TLS stream when the server speaks HTTPS, else
  // the TCP stream itself. Both live on this session's strand.
  template <class Op>
  void on_stream(Op&& op) {
    if (tls_) {
      op(*tls_);
    } else {
      op(stream_);
    }
  }

  // HTTPS: the TLS handshake first, bounded by the read timeout (a client that connects and says
  // nothing, or speaks plain HTTP to an HTTPS port, is closed).
  void handshake() {
    phase_ = Phase::reading;
    stream_.expires_after(server_.options.read_timeout);
    tls_->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
      self->stream_.expires_never();
      self->phase_ = Phase::idle;
      if (ec) {
        spdlog::debug("http server: TLS handshake with {} failed: {}", self->remote_, ec.message());
        return self->close();
      }
      self->wait_for_request();
    });
  }

  // --- deadlines: beast::tcp_stream's own. An operation still pending at the expiry fails with
  // beast::error::timeout and the socket is closed; each handler then closes the connection. ---
  void expire_after(std::chrono::milliseconds after) { stream_.expires_after(after); }
  void expire_never() { stream_.expires_never(); }

  void wait_for_request() {
    if (closed_) return;
    if (server_.stopping.load()) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    if (buffer_.size() > 0) return read_header();
    phase_ = Phase::idle;
    expire_after(server_.options.idle_timeout);
    on_stream([&](auto& stream) {
      stream.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code ec, std::size_t n) {
        self->expire_never();
        if (ec) return self->close();
        self->buffer_.commit(n);
        self->read_header();
      });
    });
  }

  void read_header() {
    phase_ = Phase::reading;
    counted_ = true;
    server_.begin_request();
    expire_after(server_.options.read_timeout);
    on_stream([&](auto& stream) {
      http::async_read_header(stream, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
        if (ec) return self->on_read_error(ec);
        self->after_header();
      });
    });
  }

  void after_header() {
    auto& msg = parser_->get();
    auto expect = msg[http::field::expect];
    if (!parser_->is_done() && beast::iequals(expect, "100-continue")) {
      auto cont = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      on_stream([&](auto& stream) {
        asio::async_write(stream, asio::buffer(*cont), [self = shared_from_this(), cont](error_code ec, std::size_t) {
          if (ec) return self->on_read_error(ec);
          self->read_body();
        });
      });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) {
      expire_never();
      return dispatch();
    }
    on_stream([&](auto& stream) {
      http::async_read(stream, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
        self->expire_never();
        if (ec) return self->on_read_error(ec);
        self->dispatch();
      });
    });
  }

  void on_read_error(error_code ec) {
    expire_never();
    if (closed_) return close();
    if (ec == http::error::header_limit) {
      return answer_error_and_close(431, "request headers are larger than the limit of " +
                                             std::to_string(server_.options.max_header_bytes) + " bytes",
                                    "headers_too_large");
    }
    if (ec == http::error::body_limit) {
      return answer_error_and_close(413, "request body is larger than the limit of " +
                                             std::to_string(server_.options.max_body_bytes) + " bytes",
                                    "body_too_large");
    }
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category() && ec != http::error::end_of_stream &&
        ec != http::error::partial_message && ec != http::error::need_more) {
      return answer_error_and_close(400, "malformed HTTP request: " + ec.message(), "bad_request");
    }
    close();  // the client went away or a timeout closed the socket: nobody to answer
  }

  void dispatch() {
    auto& msg = parser_->get();
    Request request = request_from_beast(msg, remote_);
    if (!server_.options.request_id_header.empty()) {
      const std::string& name = server_.options.request_id_header;
      request.headers.set(name, request_id_for(request.headers.get(name)));
    }
    head_request_ = msg.method() == http::verb::head;
    ++requests_served_;
    keep_alive_ = msg.keep_alive() && (server_.options.max_requests_per_connection == 0 ||
                                       requests_served_ < server_.options.max_requests_per_connection);
    parser_.reset();
    phase_ = Phase::handling;
    asio::post(server_.handler_pool, [self = shared_from_this(), request = std::move(request)]() mutable {
      give_this_thread_a_signal_stack();  // a crash in a handler is reported, even a stack overflow
      const bool large = request.body.size() >= kLargeBodyBytes;
      self->run_handler(request);
      if (large) {
        // A large body and everything parsed from it are freed by now; give their pages back, or a
        // burst of big requests leaves the process that much bigger for good (glibc keeps freed
        // memory in its per-thread arenas).
        request = Request();
        ::malloc_trim(0);
      }
    });
  }

  // --- on a handler thread ---
  void run_handler(const Request& request) {
    std::optional<Reply> reply;
    try {
      reply.emplace(server_.router.dispatch(request));
    } catch (const std::exception& e) {
      spdlog::error("http server: handler for {} {} threw: {}", request.method, request.path, e.what());
      reply.emplace(error_response(500, "internal error while handling " + request.method + " " + request.path +
                                            ": " + e.what(),
                                   std::string("internal_error")));
    } catch (...) {
      spdlog::error("http server: handler for {} {} threw a non-standard exception", request.method, request.path);
      reply.emplace(error_response(500, "internal error while handling " + request.method + " " + request.path,
                                   std::string("internal_error")));
    }
    const std::string& id_header = server_.options.request_id_header;
    if (!id_header.empty() && !reply->response().headers.has(id_header)) {
      reply->response().headers.set(id_header, request.headers.get(id_header).value_or(new_request_id()));
    }
    if (reply->is_stream()) return run_stream(*reply, request);
    asio::post(stream_.get_executor(), [self = shared_from_this(), response = std::move(reply->response())]() mutable {
      self->write_response(std::move(response));
    });
  }

  void run_stream(const Reply& reply, const Request& request);

  // --- back on the connection's strand ---
  void write_response(Response response) {
    if (closed_) {
      end_request();
      return;
    }
    if (server_.stopping.load()) keep_alive_ = false;
    phase_ = Phase::writing;
    if (response.status < 100 || response.status > 599) {
      spdlog::error("http server: a handler returned status {}; answering 500", response.status);
      response = error_response(500, "the handler returned an invalid HTTP status " + std::to_string(response.status),
                                std::string("internal_error"));
    }
    auto res = to_beast(std::move(response), keep_alive_);
    if (head_request_) res->body().clear();  // HEAD: the headers (Content-Length included), no body
    expire_after(server_.options.write_timeout);
    on_stream([&](auto& stream) {
      http::async_write(stream, *res, [self = shared_from_this(), res](error_code ec, std::size_t) {
        self->expire_never();
        self->end_request();
        if (ec || !self->keep_alive_) return self->close();
        self->wait_for_request();
      });
    });
  }

  void answer_error_and_close(int status, const std::string& message, const std::string& code) {
    keep_alive_ = false;
    phase_ = Phase::writing;
    Response response = error_response(status, ErrorBody{message, "", std::nullopt, code});
    // The request was not read whole: its own id cannot be trusted to be there, so a new one.
    if (!server_.options.request_id_header.empty()) response.headers.set(server_.options.request_id_header, new_request_id());
    auto res = to_beast(std::move(response), false);
    expire_after(server_.options.write_timeout);
    on_stream([&](auto& stream) {
      http::async_write(stream, *res, [self = shared_from_this(), res](error_code ec, std::size_t) {
        self->expire_never();
        self->end_request();
        if (ec) return self->close();
        self->linger();
      });
    });
  }

  // Half-close, then read and drop what the client still sends, for a short while.
  void linger() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    expire_after(kLingerTime);
    linger_read();
  }
  void linger_read() {
    auto scratch = std::make_shared<std::array<char, 16384>>();
    on_stream([&](auto& stream) {
      stream.async_read_some(asio::buffer(*scratch), [self = shared_from_this(), scratch](error_code ec, std::size_t n) {
        self->lingered_ += n;
        if (ec || self->lingered_ > kLingerBytes) {
          self->expire_never();
          return self->close();
        }
        self->linger_read();
      });
    });
  }

  void start_stream_write(std::string bytes, std::promise<bool>& done) {
    if (closed_ || client_gone_.load()) {
      done.set_value(false);
      return;
    }
    auto buf = std::make_shared<std::string>(std::move(bytes));
    expire_after(server_.options.write_timeout);
    on_stream([&](auto& stream) {
      asio::async_write(stream, asio::buffer(*buf), [self = shared_from_this(), buf, &done](error_code ec, std::size_t) {
        self->expire_never();
        if (ec) self->mark_client_gone();
        done.set_value(!ec);
      });
    });
  }

  // While streaming, a read stays posted: it sees the client close (EOF or reset) at once, even
  // when the producer is between events, and keeps any pipelined bytes for the next request.
  void watch_client() {
    if (closed_ || stream_over_ || buffer_.size() >= kMaxBufferedWhileStreaming) return;
    watch_pending_ = true;
    on_stream([&](auto& stream) {
      stream.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->watch_pending_ = false;
      if (self->refused_) {  // refuse_stream() cancelled this read: now the refusal goes out
        if (!ec) self->buffer_.commit(n);
        if (ec && ec != asio::error::operation_aborted) self->mark_client_gone();
        Response response = std::move(*self->refused_);
        self->refused_.reset();
        return self->write_response(std::move(response));
      }
      if (!ec) {
        self->buffer_.commit(n);
        if (self->stream_over_) return self->after_stream();
        return self->watch_client();
      }
      if (!(ec == asio::error::operation_aborted && self->stream_over_)) self->mark_client_gone();
      if (self->stream_over_) self->after_stream();
      });
    });
  }

  void begin_stream() {
    phase_ = Phase::streaming;
    if (server_.stopping.load()) keep_alive_ = false;
    watch_client();
  }

  void mark_client_gone() {
    client_gone_ = true;
    if (cancel_flag_) *cancel_flag_ = true;
  }
  void stop_cancel_watch() {
    cancel_timer_.cancel();
    cancel_flag_.reset();
  }

  void finish_stream(bool keep_alive) {
    stop_cancel_watch();
    keep_alive_ = keep_alive_ && keep_alive;
    stream_over_ = true;
    end_request();
    if (watch_pending_) {
      error_code ignored;
      stream_.socket().cancel(ignored);  // the watch read completes with operation_aborted, then after_stream()
      return;
    }
    after_stream();
  }

  void after_stream() {
    stream_over_ = false;
    if (closed_ || client_gone_.load() || !keep_alive_ || server_.stopping.load()) return close();
    wait_for_request();
  }

  void end_request() {
    if (!counted_) return;
    counted_ = false;
    server_.end_request();
  }

  void close() {
    if (closed_) return;
    // A handler thread still owns the request in these phases and ends it itself.
    if (phase_ != Phase::handling && phase_ != Phase::streaming && phase_ != Phase::writing) end_request();
    closed_ = true;
    mark_client_gone();
    expire_never();
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  HttpServer::State& server_;
  beast::tcp_stream stream_;  // the socket, with the read and write deadlines
  std::optional<asio::ssl::stream<beast::tcp_stream&>> tls_;  // HTTPS only: TLS over stream_
  asio::steady_timer cancel_timer_;  // SseWriter::cancel_on's deadline
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  std::optional<Response> refused_;  // a refusal waiting for the watch read to finish
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  Phase phase_ = Phase::idle;
  std::size_t requests_served_ = 0;
  std::size_t lingered_ = 0;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool counted_ = false;
  bool closed_ = false;
  bool watch_pending_ = false;
  bool stream_over_ = false;
  std::atomic<bool> client_gone_{false};

  friend class SessionSseWriter;
};

namespace {

// The head goes out with the first event (one write), so until then the producer may refuse.
class SessionSseWriter final : public SseWriter {
 public:
  SessionSseWriter(Session& session, std::string head) : session_(session), head_(std::move(head)) {}
  bool send(std::string_view payload) override { return write(chunk(sse_frame(payload))); }
  bool comment(std::string_view text) override {
    std::string line = ": ";
    for (char c : text) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
    line += "\n\n";
    return write(chunk(line));
  }
  bool refuse(Response response) override {
    if (committed_ || refused_) return false;
    refused_ = std::move(response);
    return true;
  }
  void cancel_on(std::shared_ptr<std::atomic<bool>> flag, std::chrono::steady_clock::time_point deadline) override {
    session_.cancel_on(std::move(flag), deadline);
  }
  bool client_gone() const override { return session_.client_gone(); }
  bool server_stopping() const override { return session_.server_stopping(); }

  // Writes `bytes`, the head first if it has not gone out yet.
  bool write(std::string bytes) {
    if (refused_) return false;
    if (!committed_) {
      committed_ = true;
      bytes.insert(0, head_);
    }
    return session_.write_blocking(std::move(bytes));
  }
  std::optional<Response>& refused() { return refused_; }

 private:
  Session& session_;
  const std::string head_;
  bool committed_ = false;
  std::optional<Response> refused_;
};

}  // namespace

void Session::run_stream(const Reply& reply, const Request& request) {
  // The strand decides whether the connection is still open and may be kept alive.
  enum class Begun { closed, keep_alive, close_after };
  std::promise<Begun> begun;
  std::future<Begun> begun_result = begun.get_future();
  asio::post(stream_.get_executor(), [self = shared_from_this(), &begun] {
    if (self->closed_) return begun.set_value(Begun::closed);
    self->begin_stream();
    begun.set_value(self->keep_alive_ ? Begun::keep_alive : Begun::close_after);
  });
  bool keep_alive = true;
  Begun state = begun_result.get();
  bool open = state != Begun::closed;
  if (open) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                       "Server: nineteen\r\nTransfer-Encoding: chunked\r\n";
    for (const auto& [name, value] : reply.response().headers.fields()) {
      if (name.empty() || !safe_header_text(name) || !safe_header_text(value)) continue;
      if (header_name_equals(name, "Content-Type") || header_name_equals(name, "Transfer-Encoding") ||
          header_name_equals(name, "Content-Length") || header_name_equals(name, "Connection")) {
        continue;
      }
      head += name + ": " + value + "\r\n";
    }
    head += state == Begun::keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    SessionSseWriter writer(*this, std::move(head));
    try {
      reply.producer()(writer);
      if (writer.refused()) {
        Response refusal = std::move(*writer.refused());
        // The stream reply's own headers (limits, request id) belong to the refusal too.
        for (const auto& [name, value] : reply.response().headers.fields()) {
          if (header_name_equals(name, "Content-Type") || header_name_equals(name, "Transfer-Encoding") ||
              header_name_equals(name, "Content-Length") || header_name_equals(name, "Connection")) {
            continue;
          }
          if (!refusal.headers.has(name)) refusal.headers.set(name, value);
        }
        return refuse_stream(std::move(refusal));
      }
      if (writer.write(chunk("data: [DONE]\n\n"))) writer.write("0\r\n\r\n");
    } catch (const std::exception& e) {
      spdlog::error("http server: stream for {} {} threw: {}", request.method, request.path, e.what());
      ErrorBody error{"the stream failed: " + std::string(e.what()), "server_error", std::nullopt, "stream_error"};
      if (writer.write(chunk(sse_frame(error_json(500, error))))) writer.write("0\r\n\r\n");
      keep_alive = false;
    } catch (...) {
      spdlog::error("http server: stream for {} {} threw a non-standard exception", request.method, request.path);
      ErrorBody error{"the stream failed", "server_error", std::nullopt, "stream_error"};
      if (writer.write(chunk(sse_frame(error_json(500, error))))) writer.write("0\r\n\r\n");
      keep_alive = false;
    }
  }
  asio::post(stream_.get_executor(), [self = shared_from_this(), keep_alive] { self->finish_stream(keep_alive); });
}

std::vector<std::shared_ptr<Session>> HttpServer::State::live_sessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard<std::mutex> lock(mutex);
  for (auto& entry : sessions) {
    if (auto s = entry.second.lock()) out.push_back(std::move(s));
  }
  return out;
}

void HttpServer::State::accept_next() {
  acceptor.async_accept(asio::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void HttpServer::State::on_accept(error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors and the like: wait a little instead of spinning.
    spdlog::warn("http server on {}:{}: accept failed: {}; retrying in 50 ms", address, port, ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([this](error_code wait_ec) {
      if (!wait_ec && !stopping.load()) accept_next();
    });
    return;
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::make_shared<Session>(*this, std::move(socket))->start();
  accept_next();
}

HttpServer::HttpServer(Router router, ServerOptions options)
    : state_(std::make_shared<State>(std::move(router), std::move(options))) {
  State& s = *state_;
  s.tls = make_server_tls_context(s.options);
  error_code ec;
  auto address = asio::ip::make_address(s.options.address, ec);
  if (ec) {
    throw std::runtime_error("http server: \"" + s.options.address +
                             "\" is not an IP address; give one such as 127.0.0.1 or 0.0.0.0");
  }
  tcp::endpoint endpoint(address, s.options.port);
  auto fail = [&](const char* step) {
    throw std::runtime_error("http server: cannot " + std::string(step) + " " + s.options.address + ":" +
                             std::to_string(s.options.port) + ": " + ec.message() +
                             (ec == asio::error::address_in_use ? " (another process uses this port; pick another)"
                                                                : ""));
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket for");
  s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  s.acceptor.bind(endpoint, ec);
  if (ec) fail("bind");
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  s.address = s.options.address;
  s.port = s.acceptor.local_endpoint().port();
  s.accept_next();
  int threads = std::max(1, s.options.io_threads);
  for (int i = 0; i < threads; ++i) s.io_threads.emplace_back([&s] { s.ioc.run(); });
}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::port() const { return state_->port; }
const std::string& HttpServer::address() const { return state_->address; }
std::string HttpServer::base_url() const {
  bool v6 = state_->address.find(':') != std::string::npos;
  return std::string(state_->tls ? "https://" : "http://") + (v6 ? "[" + state_->address + "]" : state_->address) +
         ":" + std::to_string(state_->port);
}
std::size_t HttpServer::in_flight() const { return state_->in_flight.load(); }

void HttpServer::stop(std::chrono::milliseconds grace) {
  State& s = *state_;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    if (s.stop_started) {
      s.cv.wait(lock, [&] { return s.stopped; });
      return;
    }
    s.stop_started = true;
  }
  s.stopping = true;
  std::promise<void> closed;
  asio::post(s.acceptor.get_executor(), [&s, &closed] {
    error_code ignored;
    s.acceptor.close(ignored);
    s.accept_retry.cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  for (auto& session : s.live_sessions()) session->on_server_stopping();
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.cv.wait_for(lock, grace, [&] { return s.in_flight.load() == 0; });
  }
  if (s.in_flight.load() > 0) {
    spdlog::warn("http server on {}:{}: {} request(s) still in flight after the {} ms grace time; closing them",
                 s.address, s.port, s.in_flight.load(), grace.count());
  }
  for (auto& session : s.live_sessions()) session->force_close();
  s.handler_pool.join();  // handlers see their writes fail and return
  s.work.reset();
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.cv.wait_for(lock, std::chrono::seconds(2), [&] { return s.sessions.empty(); });
  }
  s.ioc.stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.stopped = true;
  }
  s.cv.notify_all();
}

void HttpServer::wait() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  s.cv.wait(lock, [&] { return s.stopped; });
}

}  // namespace nineteen::net
