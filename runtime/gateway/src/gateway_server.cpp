// The gateway's HTTP surface: authentication, request reading, dispatch (whole or streamed),
// usage and metrics, /v1/models, /metrics and the status page.
#include "nineteen/gateway/gateway_server.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <mutex>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

#include "nineteen/gateway/after_answer_queue.hpp"
#include "nineteen/gateway/api_key_gate.hpp"
#include "nineteen/gateway/checkable_request.hpp"
#include "nineteen/gateway/gateway_metrics.hpp"
#include "nineteen/gateway/key_usage_ledger.hpp"
#include "nineteen/gateway/model_listing.hpp"
#include "nineteen/gateway/organic_dispatch.hpp"
#include "nineteen/gateway/rate_limit_headers.hpp"
#include "nineteen/gateway/responses_translation.hpp"
#include "nineteen/gateway/status_page.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/openai_error.hpp"
#include "nineteen/net/openai_request.hpp"
#include "nineteen/net/status_report.hpp"
#include "nineteen/net/stream_relay.hpp"
#include "nineteen/store/validator_store.hpp"

namespace nineteen::gateway {

using Clock = std::chrono::steady_clock;

struct GatewayServer::State {
  State(GatewaySettings s, validator::OrganicRouting& r, std::shared_ptr<store::ValidatorStore> st)
      : settings(std::move(s)),
        routing(r),
        store(std::move(st)),
        client(client_options(settings)),
        ledger(store),
        gate(store, ledger, std::chrono::milliseconds(static_cast<long long>(settings.key_cache_s * 1000))),
        after_answer([this] { flush_ledger(); },
                     std::chrono::milliseconds(static_cast<long long>(settings.usage_flush_s * 1000))),
        dispatch(routing, client, after_answer, settings.max_attempts) {}

  static net::ClientOptions client_options(const GatewaySettings& s) {
    net::ClientOptions o;
    // One kept-alive connection per handler thread and miner, so a busy gateway never reconnects.
    o.max_idle_per_host = static_cast<size_t>(std::max(8, s.handler_threads));
    o.user_agent = "nineteen-gateway";
    o.tls_ca_file = s.miners_ca_file;
    return o;
  }

  void flush_ledger() {
    try {
      ledger.flush();
    } catch (const std::exception& e) {
      spdlog::error("gateway: usage not written yet (kept for the next try): {}", e.what());
    }
  }

  std::atomic<bool> stopped{false};
  GatewaySettings settings;
  validator::OrganicRouting& routing;
  std::shared_ptr<store::ValidatorStore> store;
  net::HttpClient client;
  GatewayMetrics metrics;
  KeyUsageLedger ledger;
  ApiKeyGate gate;
  AfterAnswerQueue after_answer;
  OrganicDispatch dispatch;
  std::unique_ptr<net::HttpServer> server;

  // The chain's consensus for the status page, read at most every 10 s.
  std::mutex consensus_mutex;
  std::function<ConsensusView()> read_consensus;
  std::optional<ConsensusView> consensus;
  Clock::time_point consensus_read_at{};
  std::optional<ConsensusView> consensus_view() {
    std::lock_guard<std::mutex> lock(consensus_mutex);
    if (!read_consensus) return std::nullopt;
    if (!consensus || Clock::now() - consensus_read_at > std::chrono::seconds(10)) {
      consensus = read_consensus();
      consensus_read_at = Clock::now();
    }
    return consensus;
  }
};

namespace {

using State = GatewayServer::State;

net::Response error_reply(int status, const std::string& message, const std::string& code,
                          std::optional<std::string> param = std::nullopt, double retry_after_s = 0) {
  net::ErrorBody e;
  e.message = message;
  e.code = code;
  e.param = std::move(param);
  net::Response r = net::error_response(status, e);
  if (retry_after_s > 0) r.headers.set("Retry-After", std::to_string(static_cast<long long>(std::ceil(retry_after_s))));
  return r;
}

// The key a plugin's refusal names (`request key "max_tokens": ...`), for the OpenAI error's param.
std::optional<std::string> key_named_in(const std::string& message) {
  const std::string marker = "key \"";
  const size_t at = message.find(marker);
  if (at == std::string::npos) return std::nullopt;
  const size_t from = at + marker.size();
  const size_t to = message.find('"', from);
  if (to == std::string::npos || to == from || to - from > 64) return std::nullopt;
  return message.substr(from, to - from);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string task_list(const std::vector<validator::OrganicTask>& tasks) {
  std::string out;
  for (const auto& t : tasks) out += (out.empty() ? "" : ", ") + t.name;
  return out.empty() ? "(none)" : out;
}

void count_attempts(State& s, const std::string& task, const DispatchResult& r) {
  for (size_t i = 0; i < r.attempts.size(); ++i) {
    const bool last = i + 1 == r.attempts.size();
    std::string result = !last                ? "retried"
                         : r.status == 200    ? "answered"
                         : r.stream_cut       ? "cut"
                         : r.status == 503    ? "failed"
                                              : "refused";
    s.metrics.attempt(task, result);
  }
  s.metrics.retries(task, r.retries);
}

// Usage is billed for a full answer, or for what was produced of a stream whose user left, with the
// work the validator counted for it (read once by the task's plugin); the work is also charged to the
// key's work-per-minute bucket. The dispatch calls it off the request's path.
AnswerBilling bill_to(State& s, const store::ApiKeyRecord& key, const std::string& task) {
  return [&s, key, task](double work) {
    work = std::isfinite(work) && work > 0 ? work : 0;
    s.ledger.add(key.id, task, utc_day(std::chrono::system_clock::now()), 1, work);
    s.gate.charge_work(key, work);
  };
}

// The request as read: the admitted key, the task and the body to send, or the error for the user.
struct ReadRequest {
  std::optional<net::Response> error;
  std::string key_name = "-";
  std::optional<store::ApiKeyRecord> key;
  std::vector<KeyLimitState> limits;  // where the key's limits stand, for the x-ratelimit-* headers
  validator::OrganicTask task;
  bool stream = false;
  CheckableRequest checkable;  // what miners get, and what the user's answer hides
  std::shared_ptr<const ResponsesCall> responses;  // a /v1/responses request: its answer is translated back
};

constexpr const char* kResponsesPath = "/v1/responses";
constexpr const char* kChatPath = "/v1/chat/completions";

ReadRequest read_request(State& s, const net::Request& request) {
  ReadRequest out;
  Admission a = s.gate.admit(request.headers.get("Authorization"));
  if (a.key) out.key_name = a.key->name;
  out.limits = a.limits;
  if (a.status != 200) {
    out.error = error_reply(a.status, a.message, a.code, std::nullopt, a.retry_after_s);
    return out;
  }
  out.key = a.key;
  net::RequestHeadRead head = net::read_request_head(request.body);
  if (head.error) {
    out.error = error_reply(400, head.error->message, head.error->code,
                            head.error->param.empty() ? std::nullopt : std::optional<std::string>(head.error->param));
    return out;
  }
  std::vector<validator::OrganicTask> tasks = s.routing.organic_tasks();
  if (!head.head->model) {
    out.error = error_reply(400, "key \"model\": expected the task's name as a string, one of: " + task_list(tasks),
                            "invalid_request", "model");
    return out;
  }
  const std::string& name = *head.head->model;
  // The Responses API: its request becomes a chat request, and is read from here on as one.
  std::string body = request.body;
  std::string endpoint = request.path;
  if (request.path == kResponsesPath) {
    ResponsesRead translated = read_responses_request(request.body);
    if (translated.refusal) {
      const net::RequestHeadError& r = *translated.refusal;
      out.error = error_reply(400, r.message, r.code, r.param.empty() ? std::nullopt : std::optional<std::string>(r.param));
      return out;
    }
    out.responses = std::make_shared<const ResponsesCall>(std::move(translated.call));
    body = out.responses->chat_body;
    endpoint = kChatPath;
  }
  auto task = std::find_if(tasks.begin(), tasks.end(), [&](const validator::OrganicTask& t) { return t.name == name; });
  if (task == tasks.end()) {
    out.error = error_reply(404, "the model \"" + name + "\" does not exist here; GET /v1/models lists: " + task_list(tasks),
                            "model_not_found", "model");
    return out;
  }
  if (task->endpoint != endpoint) {
    out.error = error_reply(400, "the model \"" + name + "\" is served at POST " + task->endpoint + ", not at " + request.path +
                                     (out.responses ? " (which serves chat tasks only)" : ""),
                            "wrong_endpoint", "model");
    return out;
  }
  out.stream = head.head->stream;
  if (out.stream && !task->stream) {
    out.error = error_reply(400, "the model \"" + name + "\" does not stream; send \"stream\": false", "invalid_request",
                            "stream");
    return out;
  }
  // The task's own rules, before any miner sees the request: a request a miner would refuse (or
  // that could harm one) never leaves the validator.
  if (std::optional<validator::RequestRefusal> refusal = s.routing.refuse_request(name, body)) {
    std::optional<std::string> param = key_named_in(refusal->message);
    if (param && out.responses) param = responses_key_for(*param);
    out.error = error_reply(400, refusal->message, refusal->code, param);
    return out;
  }
  try {
    out.checkable = make_checkable(body, task->check_needs);
  } catch (const std::exception& e) {  // the plugin's descriptor is wrong: serve, unchecked as before
    spdlog::error("task {}: {}; its organic answers may not be checkable", name, e.what());
    out.checkable = CheckableRequest{body, AnswerShaping{{}, name, out.stream, false}};
  }
  out.task = *task;
  return out;
}

net::Reply serve_whole(const std::shared_ptr<State>& s, const ReadRequest& read,
                       Clock::time_point started) {
  DispatchResult r = s->dispatch.serve(read.task, read.checkable.body, nullptr, nullptr,
                                       bill_to(*s, *read.key, read.task.name));
  count_attempts(*s, read.task.name, r);
  s->metrics.request_done(read.task.name, r.status, read.key_name);
  if (r.status != 200) return error_reply(r.status, r.body, r.code, std::nullopt, r.status == 503 ? 1 : 0);
  double total = seconds_since(started);
  s->metrics.latency(read.task.name, total, total);
  const std::string answer = shape_for_user(r.body, read.checkable.shaping).front();
  return net::json_response(200, read.responses ? response_from_chat_completion(answer, *read.responses) : answer);
}

// The state is held by a plain pointer: stop() waits for every handler and stream to end before the
// state goes, and a strong reference here would make a cycle (state → server → stream → state).
net::Reply serve_streamed(State* s, const ReadRequest& read, Clock::time_point started) {
  const std::string body = read.checkable.body;
  const AnswerShaping shaping = read.checkable.shaping;
  const validator::OrganicTask task = read.task;
  // A /v1/responses stream: each chat chunk becomes the Responses API's events.
  std::shared_ptr<ResponsesEventStream> events;
  if (read.responses) events = std::make_shared<ResponsesEventStream>(*read.responses);
  const store::ApiKeyRecord key = *read.key;
  // Set by the connection once the user has gone (SseWriter::cancel_on): the miner's stream stops at once.
  auto user_left = std::make_shared<std::atomic<bool>>(false);
  auto producer = [s, task, body, shaping, started, events, key, user_left](const net::ChunkPush& push) {
    auto push_all = [&](const std::vector<std::string>& chunks) {
      bool more = true;
      for (const std::string& c : chunks) more = push(c) && more;
      return more;
    };
    double first_byte_s = -1;
    const DispatchResult r = s->dispatch.serve(task, body, [&](std::string_view chunk) {
      if (first_byte_s < 0) first_byte_s = seconds_since(started);
      bool more = true;
      for (const std::string& shaped : shape_for_user(std::string(chunk), shaping)) {
        more = (events ? push_all(events->on_chat_chunk(shaped)) : push(shaped)) && more;
      }
      return more;
    }, user_left, bill_to(*s, key, task.name));
    if (r.status == 200 && events) push_all(events->finish());
    // Accounted here, where the result is complete: the relay may end the user's stream before.
    count_attempts(*s, task.name, r);
    if (r.status == 200) s->metrics.latency(task.name, first_byte_s, seconds_since(started));
    if (r.status == 200) return net::RelayOutcome{};
    net::RelayOutcome failed{r.status, r.body, r.code, {}};
    if (r.status == 503) failed.headers.set("Retry-After", "1");
    return failed;
  };
  auto on_done = [s, task, key_name = read.key_name](int status, const std::string&) {
    s->metrics.request_done(task.name, status, key_name);
  };
  return net::relay_stream(producer, on_done, nullptr, user_left);
}

net::Reply with_limit_headers(net::Reply reply, const std::vector<KeyLimitState>& limits) {
  for (auto& [name, value] : rate_limit_headers(limits)) reply.response().headers.set(name, value);
  return reply;
}

net::Reply serve_task(const std::shared_ptr<State>& s, const net::Request& request) {
  const Clock::time_point started = Clock::now();
  ReadRequest read = read_request(*s, request);
  if (read.error) {
    s->metrics.request_done(read.task.name.empty() ? "-" : read.task.name, read.error->status, read.key_name);
    return with_limit_headers(*read.error, read.limits);
  }
  return with_limit_headers(read.stream ? serve_streamed(s.get(), read, started) : serve_whole(s, read, started),
                            read.limits);
}

StatusPageData status_page_data(State& s) {
  StatusPageData data = read_status_page_data(*s.store, s.routing);
  data.organic = s.metrics.organic_summaries();
  data.consensus = s.consensus_view();
  return data;
}

net::Response html_response(int status, std::string body) {
  net::Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/html; charset=utf-8");
  r.body = std::move(body);
  return r;
}

// The value of `name` in a query string ("a=1&hotkey=5F..."), %XX and '+' decoded; empty when absent.
std::string query_value(const std::string& query, const std::string& name) {
  size_t at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(at, end - at);
    if (pair.compare(0, name.size() + 1, name + "=") == 0) {
      std::string out;
      for (size_t i = name.size() + 1; i < pair.size(); ++i) {
        const char c = pair[i];
        if (c == '+') {
          out += ' ';
        } else if (c == '%' && i + 2 < pair.size() && std::isxdigit(static_cast<unsigned char>(pair[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(pair[i + 2]))) {
          out += static_cast<char>(std::stoi(pair.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += c;
        }
      }
      return out;
    }
    at = end + 1;
  }
  return {};
}

// SS58 is base58: letters and digits, 40 to 60 of them for any network's prefix.
bool looks_like_hotkey(const std::string& text) {
  return text.size() >= 40 && text.size() <= 60 &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

net::Router make_router(const std::shared_ptr<State>& s) {
  net::Router router;
  std::weak_ptr<State> weak = s;
  // Handlers hold the state weakly: the server is owned by the state, and stop() joins it first.
  auto with_state = [weak](auto f) {
    return [weak, f](const net::Request& request) -> net::Reply {
      std::shared_ptr<State> state = weak.lock();
      if (!state) return net::error_response(503, "the gateway is stopping", std::string("stopping"));
      return f(state, request);
    };
  };
  router.add("GET", "/v1/models", with_state([](const std::shared_ptr<State>& s, const net::Request& request) -> net::Reply {
    Admission a = s->gate.admit(request.headers.get("Authorization"));
    s->metrics.request_done("-", a.status, a.key ? a.key->name : "-");
    if (a.status != 200) return with_limit_headers(error_reply(a.status, a.message, a.code, std::nullopt, a.retry_after_s), a.limits);
    return with_limit_headers(net::json_response(200, models_json(s->routing.organic_tasks())), a.limits);
  }));
  router.add("GET", "/metrics", with_state([](const std::shared_ptr<State>& s, const net::Request&) -> net::Reply {
    net::Response r;
    r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = s->metrics.prometheus_text();
    return r;
  }));
  router.add("GET", "/", with_state([](const std::shared_ptr<State>& s, const net::Request&) -> net::Reply {
    return html_response(200, render_status_page(status_page_data(*s)));
  }));
  router.add("GET", "/status.json", with_state([](const std::shared_ptr<State>& s, const net::Request&) -> net::Reply {
    return net::json_response(200, net::status_report_json(status_report(status_page_data(*s))));
  }));
  router.add("GET", "/miner", with_state([](const std::shared_ptr<State>& s, const net::Request& request) -> net::Reply {
    const std::string hotkey = query_value(request.query, "hotkey");
    if (!looks_like_hotkey(hotkey)) {
      return html_response(404, render_message_page("Not found", "\"" + hotkey.substr(0, 100) +
                                                                      "\" is not a hotkey: expected /miner?hotkey= "
                                                                      "and an SS58 address of 40 to 60 letters and "
                                                                      "digits."));
    }
    std::optional<MinerPageData> data;
    try {
      data = read_miner_page_data(*s->store, s->routing, hotkey);
    } catch (const std::exception& e) {
      return html_response(503, render_message_page("Unavailable", "The store could not be read: " + std::string(e.what())));
    }
    if (!data) {
      return html_response(404, render_message_page("Not found", "No miner " + hotkey +
                                                                      " here: it is not a contender now and has no "
                                                                      "stored weight."));
    }
    return html_response(200, render_miner_page(*data));
  }));
  // Every endpoint a task describes, plus OpenAI's text endpoints so that such tasks added later
  // are routed without a restart. A task is found by "model", never by the path alone.
  std::set<std::string> endpoints = {kChatPath, "/v1/completions", kResponsesPath};
  for (const auto& t : s->routing.organic_tasks()) {
    if (!t.endpoint.empty() && t.endpoint.front() == '/' && t.endpoint != "/" && t.endpoint != "/metrics") {
      endpoints.insert(t.endpoint);
    }
  }
  for (const std::string& endpoint : endpoints) router.add("POST", endpoint, with_state(serve_task));
  return router;
}

}  // namespace

GatewayServer::GatewayServer(GatewaySettings settings, validator::OrganicRouting& routing,
                             std::shared_ptr<store::ValidatorStore> store)
    : state_(std::make_shared<State>(std::move(settings), routing, std::move(store))) {
  net::ServerOptions options;
  options.address = state_->settings.address;
  options.port = state_->settings.port;
  options.handler_threads = state_->settings.handler_threads;
  options.max_body_bytes = state_->settings.max_body_bytes;
  options.request_id_header = "x-request-id";
  options.tls_certificate_file = state_->settings.tls_certificate;
  options.tls_private_key_file = state_->settings.tls_private_key;
  // A stream's single write may wait on a slow user; the miner's own timeouts bound the rest.
  options.write_timeout = std::chrono::seconds(60);
  state_->server = std::make_unique<net::HttpServer>(make_router(state_), options);
}

GatewayServer::~GatewayServer() { stop(); }

std::string GatewayServer::base_url() const { return state_->server->base_url(); }

void GatewayServer::set_consensus_source(std::function<ConsensusView()> read) {
  std::lock_guard<std::mutex> lock(state_->consensus_mutex);
  state_->read_consensus = std::move(read);
  state_->consensus.reset();
}

void GatewayServer::stop() {
  if (state_->stopped.exchange(true)) return;
  state_->server->stop(std::chrono::milliseconds(2000));
  state_->after_answer.stop();  // reports the outcomes still queued and writes the usage
}

void GatewayServer::flush_usage() { state_->after_answer.drain(); }

}  // namespace nineteen::gateway
