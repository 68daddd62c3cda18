// The checking server: loads the tasks, runs the queue, and maps its HTTP API onto the queue.
#include "nineteen/checker/checker_server.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include "check_wire.hpp"
#include "nineteen/checker/checker_queue.hpp"
#include "nineteen/net/http_server.hpp"
#include "nineteen/net/openai_error.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"

namespace nineteen::checker {
namespace {

// The raw value of `key` in a query string ("id=ab12&x=1"); empty when absent. Job ids are hex, so
// no percent-decoding is needed: an encoded id is not one we gave out and gets a 404.
std::string query_value(const std::string& query, const std::string& key) {
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    if (query.compare(start, key.size() + 1, key + "=") == 0) {
      return query.substr(start + key.size() + 1, end - start - key.size() - 1);
    }
    start = end + 1;
  }
  return "";
}

net::Response error_with_param(int status, const std::string& message, const std::string& code,
                               const std::string& param) {
  net::ErrorBody body;
  body.message = message;
  body.code = code;
  if (!param.empty()) body.param = param;
  return net::error_response(status, body);
}

}  // namespace

struct CheckerServer::State {
  std::shared_ptr<plugin_host::PluginHost> host;
  std::shared_ptr<CheckerQueue> queue;
  std::unique_ptr<net::HttpServer> server;
  std::vector<std::string> tasks, failures;

  std::mutex stop_mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;

  net::Reply post_check(const net::Request& request) {
    std::vector<CheckItem> items;
    try {
      items = wire::decode_batch(request.body);
    } catch (const wire::WireError& e) {
      return error_with_param(400, e.what(), e.param.empty() ? "invalid_json" : "invalid_batch", e.param);
    }
    try {
      const std::string id = queue->submit(items);
      return net::json_response(202, wire::encode_job_id(id));
    } catch (const CheckerBusy& e) {
      net::Response r = net::error_response(503, e.what(), std::string("queue_full"));
      r.headers.set("Retry-After", std::to_string(static_cast<long>(std::ceil(e.retry_after_s))));
      return r;
    } catch (const BatchRejected& e) {
      return net::error_response(400, e.what(), std::string("invalid_batch"));
    } catch (const std::exception& e) {
      // Stopping: another checker (or this one after its restart) can take the batch.
      net::Response r = net::error_response(503, e.what(), std::string("stopping"));
      r.headers.set("Retry-After", "5");
      return r;
    }
  }

  net::Reply get_check(const net::Request& request) {
    const std::string id = query_value(request.query, "id");
    if (id.empty()) {
      return error_with_param(400, "GET /check needs the job id: GET /check?id=<id from POST /check>", "missing_id",
                              "id");
    }
    JobStatus status = queue->poll(id);
    if (status.state == JobState::unknown) return net::error_response(404, status.error, std::string("job_not_found"));
    return net::json_response(200, wire::encode_status(id, status));
  }

  net::Reply health() const {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    w.StartObject();
    w.Key("status");
    w.String("ok");
    w.Key("queued_items");
    w.Uint64(queue->queued_items());
    w.Key("max_queued_items");
    w.Uint64(queue->settings().max_queued_items);
    w.Key("workers");
    w.Int(queue->settings().workers);
    w.Key("max_batch");
    w.Uint64(queue->settings().max_batch);
    w.Key("tasks");
    w.StartArray();
    for (const auto& s : host->statuses()) {
      w.StartObject();
      w.Key("name");
      w.String(s.name.c_str());
      w.Key("state");
      w.String(plugin_host::task_state_name(s.state));
      w.Key("reason");
      w.String(s.reason.c_str());
      w.Key("model");
      w.String(s.info.model.c_str());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return net::json_response(200, std::string(out.GetString(), out.GetSize()));
  }

  net::Reply metrics() const {
    net::Response r;
    r.status = 200;
    r.headers.set("Content-Type", "text/plain; version=0.0.4");
    r.body = queue->prometheus_text();
    return r;
  }
};

CheckerServer::CheckerServer(const CheckerConfig& config) : state_(std::make_unique<State>()) {
  State& s = *state_;
  plugin_host::PluginHostOptions options;
  for (const auto& dir : config.plugin_dirs) options.search_dirs.emplace_back(dir);
  for (const auto& dir : plugin_host::default_plugin_dirs()) options.search_dirs.push_back(dir);
  options.isolation = config.isolation;
  s.host = std::make_shared<plugin_host::PluginHost>(options);

  config::TaskCatalog catalog = config::load_task_catalog(config.tasks_file);
  if (!config.only_tasks.empty()) {
    for (const auto& name : config.only_tasks) {
      if (!catalog.find(name)) {
        std::string known;
        for (const auto& t : catalog.tasks) known += (known.empty() ? "" : ", ") + t.name;
        throw CheckerConfigError(config.file + ": key \"checker.tasks\": task \"" + name + "\" is not in " +
                                 config.tasks_file + " (it has: " + known + ")");
      }
    }
    for (auto& t : catalog.tasks) {
      if (std::find(config.only_tasks.begin(), config.only_tasks.end(), t.name) == config.only_tasks.end()) {
        t.enabled = false;
      }
    }
  }
  s.host->load(catalog);
  for (const auto& st : s.host->statuses()) {
    if (st.state == plugin_host::TaskState::ready) {
      s.tasks.push_back(st.name);
    } else if (st.state == plugin_host::TaskState::failed) {
      s.failures.push_back(st.name + ": " + st.reason);
      spdlog::warn("checker: task {} is not checked: {}", st.name, st.reason);
    }
  }
  if (s.tasks.empty()) {
    std::string reasons;
    for (const auto& f : s.failures) reasons += "\n  " + f;
    throw std::runtime_error("no task of " + config.tasks_file + " could be loaded, so there is nothing to check" +
                             (reasons.empty() ? std::string(" (no enabled task)") : ":" + reasons));
  }

  s.queue = std::make_shared<CheckerQueue>(s.host, config.settings);

  net::Router router;
  router.add("POST", "/check", [&s](const net::Request& r) { return s.post_check(r); });
  router.add("GET", "/check", [&s](const net::Request& r) { return s.get_check(r); });
  router.add("GET", "/health", [&s](const net::Request&) { return s.health(); });
  router.add("GET", "/metrics", [&s](const net::Request&) { return s.metrics(); });
  net::ServerOptions server_options;
  server_options.address = config.address;
  server_options.port = config.port;
  server_options.handler_threads = config.handler_threads;
  server_options.max_body_bytes = config.max_body_bytes;
  s.server = std::make_unique<net::HttpServer>(std::move(router), server_options);
}

CheckerServer::~CheckerServer() { stop(); }

std::string CheckerServer::base_url() const { return state_->server->base_url(); }
std::vector<std::string> CheckerServer::tasks() const { return state_->tasks; }
std::vector<std::string> CheckerServer::load_failures() const { return state_->failures; }

void CheckerServer::stop(std::chrono::milliseconds grace) {
  std::lock_guard<std::mutex> lock(state_->stop_mutex);
  if (state_->stopped) return;
  state_->server->stop(grace);
  state_->queue->stop();
  state_->stopped = true;
  state_->stopped_cv.notify_all();
}

void CheckerServer::wait() {
  std::unique_lock<std::mutex> lock(state_->stop_mutex);
  state_->stopped_cv.wait(lock, [this] { return state_->stopped; });
}

}  // namespace nineteen::checker
