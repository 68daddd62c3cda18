// The miner node: signed requests in, plugin (or upstream) answers out, as JSON or SSE.
#include "nineteen/miner/miner_node.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <spdlog/spdlog.h>

#include "miner_metrics.hpp"
#include "miner_status.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/signed_request_guard.hpp"
#include "nineteen/net/http_client.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/openai_error.hpp"
#include "nineteen/net/openai_request.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/net/stream_relay.hpp"
#include "upstream_forwarder.hpp"

namespace nineteen::miner {
namespace {

using Clock = std::chrono::steady_clock;

// One task as this miner serves it.
struct ServedTask {
  MinerTaskSettings settings;
  config::TaskEntry entry;
  std::string endpoint;
  bool stream = false;
  std::atomic<size_t> in_flight{0};
  std::mutex behaviour_mutex;
  std::mt19937_64 behaviour_rng;
};

// Holds one of a task's concurrency slots until destroyed.
class Slot {
 public:
  Slot(ServedTask& task, MinerMetrics& metrics) : task_(task), metrics_(metrics) {
    metrics_.in_flight_changed(task_.settings.name, +1);
  }
  ~Slot() {
    task_.in_flight.fetch_sub(1);
    metrics_.in_flight_changed(task_.settings.name, -1);
  }

 private:
  ServedTask& task_;
  MinerMetrics& metrics_;
};

// The scripted pace of a test network's miner before each chunk: a fixed delay (chunk_delay_ms), and
// a slowdown that holds each chunk back (slowdown − 1) × the time it took to make, without taking the
// answer past 80 % of the task's timeout_s: a slow miner that is slow, not one that times out.
class ChunkPacer {
 public:
  ChunkPacer(const MinerTaskSettings& settings, double timeout_s, Clock::time_point started)
      : delay_ms_(settings.chunk_delay_ms),
        slowdown_(settings.slowdown),
        started_(started),
        last_(started),
        room_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(0.8 * timeout_s))) {}

  void before_chunk() {
    if (slowdown_ > 1) {
      const Clock::time_point now = Clock::now();
      auto wait = std::chrono::duration_cast<Clock::duration>((now - last_) * (slowdown_ - 1));
      wait = std::min(wait, std::max(Clock::duration::zero(), started_ + room_ - now));
      if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
    }
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    last_ = Clock::now();  // the next chunk's making starts now: a wait is not slowed down again
  }

 private:
  int delay_ms_;
  double slowdown_;
  Clock::time_point started_, last_;
  Clock::duration room_;
};

// How long one answer may take in all: the task's first-byte timeout, 30 times over (an image or a
// long completion is many steps). Past it the call is cancelled and its slot freed, even if the
// plugin's serve never returns (it then finishes, or not, on a thread of its own).
std::chrono::milliseconds answer_deadline(const ServedTask& task) {
  return std::chrono::milliseconds(static_cast<long>(task.entry.timeout_s * 1000 * 30));
}

int status_for_code(int32_t code) {
  switch (code) {
    case NT_INVALID_ARGUMENT: return 400;
    case NT_NOT_FOUND: return 404;
    case NT_RESOURCE_EXHAUSTED: return 429;
    case NT_UNAVAILABLE: return 503;
    case NT_UNIMPLEMENTED: return 501;
    case NT_CANCELLED: return 499;
    default: return 500;
  }
}

// The volume declared to one validator: a fixed one from the settings, else the task's capacity split
// by the validator's share of all validators' stake.
double declared_volume(const MinerTaskSettings& settings, const std::string& validator, double stake, double total) {
  auto fixed = settings.capacity_per_validator.find(validator);
  if (fixed != settings.capacity_per_validator.end()) return fixed->second;
  return total > 0 ? settings.capacity * stake / total : settings.capacity;
}

constexpr auto kChainWeightsRefresh = std::chrono::seconds(30);

}  // namespace

struct MinerNode::State {
  MinerConfig config;
  std::shared_ptr<ValidatorDirectory> validators;
  std::optional<keys::Hotkey> hotkey;
  std::unique_ptr<plugin_host::PluginHost> host;
  std::unique_ptr<keys::SignedRequestGuard> guard;
  std::map<std::string, std::unique_ptr<ServedTask>> tasks;       // by task name
  std::map<std::string, std::vector<ServedTask*>> by_endpoint;    // endpoint → tasks
  MinerMetrics metrics;
  ValidatorTrafficLog traffic;
  std::unique_ptr<net::HttpClient> upstream_client;  // trusts config.upstream_ca_file for https:// upstreams
  std::unique_ptr<net::HttpServer> server;
  // The chain's weights for the status page, read at most every kChainWeightsRefresh.
  std::mutex chain_mutex;
  std::shared_ptr<chain::Chain> chain;
  Clock::time_point chain_read_at{};
  MinerStatusData chain_part;  // uid, chain_weights, chain_note

  void record(const std::string& validator, const std::string& task, int status, double seconds, double work) {
    metrics.record(task, status, seconds, work);
    traffic.record(validator, task, status, seconds, work);
  }
  net::Reply handle_task(const net::Request& request);
  net::Reply handle_capacity(const net::Request& request);
  net::Reply handle_health() const;
  std::optional<net::Response> refuse_status_page(const net::Request& request) const;
  MinerStatusData status_data();
  void read_chain_weights(MinerStatusData& data);
  net::Reply serve_plugin(ServedTask& task, const std::string& body, bool stream, std::shared_ptr<Slot> slot,
                          Clock::time_point started, const std::string& validator);
  double work_of(ServedTask& task, const std::string& body, const std::string& response);
};

MinerNode::MinerNode(MinerConfig config, std::shared_ptr<ValidatorDirectory> validators)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.config = std::move(config);
  s.validators = std::move(validators);
  net::ClientOptions upstream_options;
  upstream_options.tls_ca_file = s.config.upstream_ca_file;
  s.upstream_client = std::make_unique<net::HttpClient>(upstream_options);
  auto loaded = keys::load_hotkey(s.config.hotkey_file);
  s.hotkey = loaded.key;

  plugin_host::PluginHostOptions options;
  for (const auto& dir : s.config.plugin_dirs) options.search_dirs.emplace_back(dir);
  for (const auto& dir : plugin_host::default_plugin_dirs()) options.search_dirs.push_back(dir);
  options.dev_reload = s.config.dev_reload;
  options.isolation = s.config.isolation;
  s.host = std::make_unique<plugin_host::PluginHost>(options);
  s.host->load(config::load_task_catalog(s.config.tasks_file));

  std::vector<MinerTaskSettings> wanted = s.config.tasks;
  if (wanted.empty()) {
    for (const auto& entry : s.host->catalog().tasks) {
      if (!entry.enabled) continue;
      MinerTaskSettings defaults;
      defaults.name = entry.name;
      wanted.push_back(defaults);
    }
  }
  for (const MinerTaskSettings& settings : wanted) {
    const config::TaskEntry* entry = s.host->catalog().find(settings.name);
    if (!entry) {
      throw MinerConfigError(s.config.file + ": task \"" + settings.name + "\" is not in the catalogue " +
                             s.config.tasks_file);
    }
    auto live = s.host->task(settings.name);
    if (!live) {
      for (const auto& st : s.host->statuses()) {
        if (st.name == settings.name) spdlog::error("not serving task {}: {} {}", st.name, plugin_host::task_state_name(st.state), st.reason);
      }
      continue;
    }
    auto served = std::make_unique<ServedTask>();
    served->settings = settings;
    served->entry = *entry;
    served->endpoint = live->info().endpoint;
    served->stream = live->info().stream;
    served->behaviour_rng.seed(settings.behaviour_seed);
    if (served->settings.capacity < 0) served->settings.capacity = entry->max_capacity;
    s.by_endpoint[served->endpoint].push_back(served.get());
    s.tasks[settings.name] = std::move(served);
  }
  if (s.tasks.empty()) throw MinerConfigError(s.config.file + ": no task could be loaded, so there is nothing to serve");

  keys::VerifyPolicy policy;
  policy.own_hotkey_ss58 = s.hotkey->ss58_address();
  policy.min_validator_stake = s.config.min_validator_stake;
  s.guard = std::make_unique<keys::SignedRequestGuard>(policy, *s.validators);

  net::Router router;
  State* self = &s;
  for (const auto& [endpoint, tasks] : s.by_endpoint) {
    router.add("POST", endpoint, [self](const net::Request& r) { return self->handle_task(r); });
  }
  router.add("GET", "/capacity", [self](const net::Request& r) { return self->handle_capacity(r); });
  router.add("GET", "/health", [self](const net::Request&) { return self->handle_health(); });
  router.add("GET", "/metrics", [self](const net::Request&) {
    net::Response r;
    r.headers.set("Content-Type", "text/plain; version=0.0.4");
    r.body = self->metrics.prometheus_text();
    return net::Reply(r);
  });
  router.add("GET", "/", [self](const net::Request& r) -> net::Reply {
    if (auto refused = self->refuse_status_page(r)) return *refused;
    net::Response page;
    page.headers.set("Content-Type", "text/html; charset=utf-8");
    page.body = render_miner_status_page(self->status_data());
    return page;
  });
  router.add("GET", "/status.json", [self](const net::Request& r) -> net::Reply {
    if (auto refused = self->refuse_status_page(r)) return *refused;
    return net::json_response(200, net::status_report_json(miner_status_report(self->status_data())));
  });
  net::ServerOptions server_options;
  server_options.address = s.config.address;
  server_options.port = s.config.port;
  // A request holds a handler thread for its whole run; with fewer threads than the tasks' slots, a
  // request beyond a limit would wait in the server's queue and get its 429 late.
  size_t slots = 0;
  for (const auto& [name, task] : s.tasks) slots += task->settings.concurrency;
  server_options.handler_threads = std::max<int>(s.config.handler_threads, static_cast<int>(slots) + 8);
  server_options.max_body_bytes = s.config.max_body_bytes;
  server_options.tls_certificate_file = s.config.tls_certificate;
  server_options.tls_private_key_file = s.config.tls_private_key;
  s.server = std::make_unique<net::HttpServer>(std::move(router), server_options);
  if (s.config.dev_reload) s.host->start_watching();
  if (!s.config.require_signatures) {
    spdlog::warn("{}: require_signatures = false: serving unsigned requests on {}", s.config.file, s.server->base_url());
  }
}

MinerNode::~MinerNode() {
  if (state_->server) state_->server->stop();
  if (state_->host) state_->host->stop_watching();
}

uint16_t MinerNode::port() const { return state_->server->port(); }
std::string MinerNode::base_url() const { return state_->server->base_url(); }
std::string MinerNode::hotkey_address() const { return state_->hotkey->ss58_address(); }
void MinerNode::stop(std::chrono::milliseconds grace) { state_->server->stop(grace); }
void MinerNode::wait() { state_->server->wait(); }

std::vector<std::string> MinerNode::served_tasks() const {
  std::vector<std::string> names;
  for (const auto& [name, task] : state_->tasks) names.push_back(name);
  return names;
}

net::Reply MinerNode::State::handle_health() const {
  std::string body = "{\"status\":\"ok\",\"hotkey\":\"" + hotkey->ss58_address() + "\",\"tasks\":[";
  bool first = true;
  for (const auto& [name, task] : tasks) {
    body += std::string(first ? "" : ",") + "{\"name\":\"" + name + "\",\"endpoint\":\"" + task->endpoint +
            "\",\"in_flight\":" + std::to_string(task->in_flight.load()) +
            ",\"concurrency\":" + std::to_string(task->settings.concurrency) + "}";
    first = false;
  }
  return net::json_response(200, body + "]}");
}

net::Reply MinerNode::State::handle_capacity(const net::Request& request) {
  keys::Verdict verdict = guard->check(request);
  if (!verdict.accepted()) return keys::refusal_response(verdict);
  const double stake = verdict.stake.value_or(0);
  const double total = validators->total_validator_stake();
  std::string body = "{\"validator\":\"" + verdict.validator_hotkey + "\",\"capacities\":{";
  bool first = true;
  for (const auto& [name, task] : tasks) {
    const double volume = declared_volume(task->settings, verdict.validator_hotkey, stake, total);
    body += std::string(first ? "" : ",") + "\"" + name + "\":" + std::to_string(volume);
    first = false;
  }
  return net::json_response(200, body + "}}");
}

net::Reply MinerNode::State::handle_task(const net::Request& request) {
  const auto started = Clock::now();
  std::string validator = "-";  // unsigned
  if (config.require_signatures) {
    keys::Verdict verdict = guard->check(request);
    if (!verdict.accepted()) return keys::refusal_response(verdict);
    validator = verdict.validator_hotkey;
  }

  net::RequestHeadRead head = net::read_request_head(request.body);
  if (head.error) return net::error_response(400, "request body: " + head.error->message, head.error->code);

  const std::vector<ServedTask*>& candidates = by_endpoint.at(request.path);
  ServedTask* task = nullptr;
  const std::optional<std::string>& model = head.head->model;
  if (!model) {
    if (candidates.size() == 1) task = candidates.front();
  } else {
    for (ServedTask* t : candidates) {
      if (t->settings.name == *model) task = t;  // whole strings: "chat\u0000evil" never matches "chat"
    }
  }
  if (!task) {
    std::string served;
    for (ServedTask* t : candidates) served += (served.empty() ? "" : ", ") + t->settings.name;
    return net::error_response(404, "model " + model.value_or("(none)") + " is not served at " + request.path +
                                        " (served: " + served + ")",
                               std::string("model_not_found"));
  }
  const bool stream = head.head->stream;
  if (stream && !task->stream) {
    return net::error_response(400, "task " + task->settings.name + " does not stream; send \"stream\": false",
                               std::string("stream_not_supported"));
  }

  // Full: say so at once instead of queueing past the validator's timeout.
  if (task->in_flight.fetch_add(1) >= task->settings.concurrency) {
    task->in_flight.fetch_sub(1);
    record(validator, task->settings.name, 429, 0, 0);
    net::Response r = net::error_response(429, "task " + task->settings.name + " is at its concurrency limit of " +
                                                   std::to_string(task->settings.concurrency),
                                          std::string("rate_limited"));
    r.headers.set("Retry-After", "1");
    return net::Reply(r);
  }
  auto slot = std::make_shared<Slot>(*task, metrics);

  if (task->settings.fail_rate > 0) {
    bool fail;
    {
      std::lock_guard<std::mutex> lock(task->behaviour_mutex);
      fail = std::uniform_real_distribution<double>(0, 1)(task->behaviour_rng) < task->settings.fail_rate;
    }
    if (fail) {
      record(validator, task->settings.name, 500, 0, 0);
      return net::error_response(500, "scripted failure (miner setting fail_rate)", std::string("scripted_failure"));
    }
  }

  if (task->settings.upstream) {
    std::string body = task->settings.upstream_model ? net::with_model(request.body, *task->settings.upstream_model)
                                                     : request.body;
    UpstreamTarget target{*task->settings.upstream + task->endpoint,
                          answer_deadline(*task)};
    State* self = this;
    const std::string name = task->settings.name;
    return forward_to_upstream(
        *upstream_client, target, body, stream,
        [self, name, started, validator](int status, const std::string&) {
          self->record(validator, name, status, std::chrono::duration<double>(Clock::now() - started).count(), 0);
        },
        slot);
  }
  return serve_plugin(*task, request.body, stream, std::move(slot), started, validator);
}

double MinerNode::State::work_of(ServedTask& task, const std::string& body, const std::string& response) {
  auto live = host->task(task.settings.name);
  if (!live) return 0;
  try {
    return live->work(body, response);
  } catch (const std::exception&) {
    return 0;
  }
}

net::Reply MinerNode::State::serve_plugin(ServedTask& task, const std::string& body, bool stream,
                                          std::shared_ptr<Slot> slot, Clock::time_point started,
                                          const std::string& validator) {
  std::shared_ptr<plugin_host::LiveTask> live = host->task(task.settings.name);
  if (!live) {
    record(validator, task.settings.name, 503, 0, 0);
    return net::error_response(503, "task " + task.settings.name + " is not loaded right now", std::string("unavailable"));
  }
  ChunkPacer pacer(task.settings, task.entry.timeout_s, started);
  const std::string name = task.settings.name;

  auto control = std::make_shared<plugin_host::CallControl>();
  if (!stream) {
    // On a thread of its own, so that a serve that hangs costs that thread and not the slot.
    struct Outcome {
      std::mutex mutex;
      std::condition_variable done_cv;
      bool done = false;
      std::vector<std::string> chunks;
      std::optional<plugin_host::TaskCallError> error;
    };
    auto outcome = std::make_shared<Outcome>();
    std::thread([live, body, pacer, control, outcome]() mutable {
      std::vector<std::string> chunks;
      std::optional<plugin_host::TaskCallError> error;
      try {
        live->serve(
            body,
            [&](std::string_view chunk) {
              pacer.before_chunk();
              chunks.emplace_back(chunk);
              return true;
            },
            control.get());
      } catch (const plugin_host::TaskCallError& e) {
        error = e;
      } catch (const std::exception& e) {  // nothing may escape a detached thread
        error = plugin_host::TaskCallError(NT_INTERNAL, e.what());
      }
      std::lock_guard<std::mutex> lock(outcome->mutex);
      outcome->chunks = std::move(chunks);
      outcome->error = std::move(error);
      outcome->done = true;
      outcome->done_cv.notify_all();
    }).detach();
    std::unique_lock<std::mutex> lock(outcome->mutex);
    if (!outcome->done_cv.wait_for(lock, answer_deadline(task), [&] { return outcome->done; })) {
      control->cancelled = true;
      record(validator, name, 504, std::chrono::duration<double>(Clock::now() - started).count(), 0);
      return net::error_response(504, "task " + name + " did not answer within " +
                                          std::to_string(answer_deadline(task).count() / 1000) +
                                          " s; the call was cancelled",
                                 std::string("timeout"));
    }
    if (outcome->error) {
      const plugin_host::TaskCallError& e = *outcome->error;
      int status = status_for_code(e.code());
      record(validator, name, status, std::chrono::duration<double>(Clock::now() - started).count(), 0);
      return net::error_response(status, e.what(), std::string(nt_code_name(e.code())));
    }
    std::vector<std::string> chunks = std::move(outcome->chunks);
    if (chunks.size() != 1) {
      record(validator, name, 500, 0, 0);
      return net::error_response(500, "task " + name + " answered " + std::to_string(chunks.size()) +
                                          " chunks to a request that does not stream (expected exactly one)",
                                 std::string("internal"));
    }
    double work = work_of(task, body, "[" + chunks[0] + "]");
    record(validator, name, 200, std::chrono::duration<double>(Clock::now() - started).count(), work);
    return net::json_response(200, std::move(chunks[0]));
  }

  // Streamed: chunks go out as SSE events as the plugin emits them.
  State* self = this;
  ServedTask* served = &task;
  // The plugin polls the call's cancel flag, which the relay sets when the validator goes away.
  std::shared_ptr<std::atomic<bool>> cancelled(control, &control->cancelled);
  // The slot is freed as soon as the plugin's serve returns, before the relay writes the stream's
  // end: a validator that sends its next request on [DONE] must find it free, not get a 429 that
  // the mechanism counts against this miner. Shared, so every copy of the producer frees the same.
  auto held_slot = std::make_shared<std::shared_ptr<Slot>>(std::move(slot));
  return net::relay_stream(
      [live, body, pacer, control, held_slot](const net::ChunkPush& push) mutable {
        struct FreeSlot {
          std::shared_ptr<Slot>& slot;
          ~FreeSlot() { slot.reset(); }
        } free_slot{*held_slot};
        try {
          live->serve(
              body,
              [&](std::string_view chunk) {
                pacer.before_chunk();
                return push(chunk);
              },
              control.get());
        } catch (const plugin_host::TaskCallError& e) {
          return net::RelayOutcome{status_for_code(e.code()), e.what(), nt_code_name(e.code()), {}};
        }
        return net::RelayOutcome{};
      },
      [self, served, body, name, started, validator](int status, const std::string& response) {
        double work = status == 200 ? self->work_of(*served, body, response) : 0;
        self->record(validator, name, status, std::chrono::duration<double>(Clock::now() - started).count(), work);
      },
      held_slot, cancelled, answer_deadline(task));
}

std::optional<net::Response> MinerNode::State::refuse_status_page(const net::Request& request) const {
  if (config.status_page_public || is_loopback_address(request.remote_address)) return std::nullopt;
  return net::error_response(403, "the miner's status page answers loopback clients only; set "
                                  "\"miner.status_page_public\" = true in " + config.file + " to show it to others",
                             std::string("forbidden"));
}

MinerStatusData MinerNode::State::status_data() {
  MinerStatusData data;
  data.hotkey = hotkey->ss58_address();
  for (const auto& [name, task] : tasks) {
    data.tasks.push_back(ServedTaskStatus{name, task->endpoint, task->settings.concurrency, task->in_flight.load(),
                                          task->settings.capacity, task->settings.upstream.has_value()});
  }
  const double total = validators->total_validator_stake();
  for (ValidatorTraffic& v : traffic.snapshot()) {
    auto task = tasks.find(v.task);
    if (task != tasks.end()) {
      const double stake = v.validator_hotkey == "-" ? 0 : validators->stake_of(v.validator_hotkey).value_or(0);
      v.declared = declared_volume(task->second->settings, v.validator_hotkey, stake, total);
    }
    data.traffic.push_back(std::move(v));
  }
  read_chain_weights(data);
  return data;
}

// This miner's weight in each validator's last vector on the chain; kept for kChainWeightsRefresh so a
// page that is reloaded often does not load the chain.
void MinerNode::State::read_chain_weights(MinerStatusData& data) {
  std::lock_guard<std::mutex> lock(chain_mutex);
  if (!config.chain_url) {
    data.chain_note = "no chain configured (\"miner.chain\"): the validators' weights are not read";
    return;
  }
  if (chain_read_at == Clock::time_point{} || Clock::now() - chain_read_at > kChainWeightsRefresh) {
    chain_read_at = Clock::now();
    MinerStatusData fresh;
    try {
      if (!chain) chain = chain::open_chain(*config.chain_url, config.netuid);
      const std::vector<chain::Neuron> neurons = chain->metagraph();
      for (const chain::Neuron& n : neurons) {
        if (n.hotkey == data.hotkey) fresh.uid = n.uid;
      }
      for (const chain::Neuron& n : neurons) {
        if (n.role != chain::NodeRole::validator) continue;
        ChainWeightFromValidator w{n.hotkey, n.uid, n.stake, std::nullopt, 0, 0};
        if (std::optional<chain::ValidatorWeights> set = chain->weights_of(n.hotkey)) {
          w.block = set->block;
          for (std::size_t i = 0; i < set->uids.size() && i < set->values.size(); ++i) {
            w.max_value = std::max(w.max_value, set->values[i]);
            if (fresh.uid && set->uids[i] == *fresh.uid) w.value = set->values[i];
          }
        }
        fresh.chain_weights.push_back(std::move(w));
      }
      if (!fresh.uid) fresh.chain_note = "this hotkey is not registered on the chain";
    } catch (const std::exception& e) {
      fresh.chain_note = std::string("the chain could not be read: ") + e.what();
    }
    chain_part = std::move(fresh);
  }
  data.uid = chain_part.uid;
  data.chain_weights = chain_part.chain_weights;
  data.chain_note = chain_part.chain_note;
}

}  // namespace nineteen::miner
