// The C++ face of a plugin: derive from Plugin and Task, export with NINETEEN_PLUGIN (export.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nineteen/plugin_api.h"
#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::sdk {

// What a task tells the host about itself (the nt task_describe JSON).
struct TaskDescriptor {
  std::string name;
  std::string kind;       // text | image | embedding | workflow
  std::string endpoint;   // e.g. /v1/chat/completions
  bool stream = false;
  std::string work_unit;  // tokens | steps | words ...
  std::string model;
  // What the task's check needs from every answer, whatever the user asked (JSON; empty = nothing
  // beyond the answer itself). The gateway asks miners for it and hides it from users who did not:
  // {"request": {key: value, ...},                      keys set on the request sent to miners
  //  "answer": [{"when": key, "path": "choices[].logprobs", "user_sees": null}, ...]}
  // An "answer" entry hides `path` of every answer chunk from a user whose request lacked `when`:
  // replaced by "user_sees" when given, removed otherwise ("a[].b": member b of each element of a).
  std::string check_needs = {};
  // What a client or a marketplace reads in GET /v1/models (JSON object; empty = nothing), with
  // OpenRouter's provider listing names: "context_length", "max_output_length", "quantization"
  // ("fp32", "bf16", ...), "input_modalities", "output_modalities",
  // "supported_sampling_parameters" (request keys honoured), "supported_features".
  std::string listing = {};

  std::string to_json() const {
    return std::string("{\"name\":") + json_quote(name) + ",\"kind\":" + json_quote(kind) +
           ",\"endpoint\":" + json_quote(endpoint) + ",\"stream\":" + (stream ? "true" : "false") +
           ",\"work_unit\":" + json_quote(work_unit) + ",\"model\":" + json_quote(model) +
           (check_needs.empty() ? std::string() : ",\"check_needs\":" + check_needs) +
           (listing.empty() ? std::string() : ",\"listing\":" + listing) + "}";
  }
};

struct TaskType {
  std::string type;
  std::string description;
};

struct CheckResult {
  double quality = 0;
  std::string reason;  // the rule that decided the quality, e.g. "distance 0.02 <= 0.125"
};

// Where a serve call sends its answer. The host's implementation forwards to nt_host_api::emit;
// CollectingCall keeps the chunks (for self-tests and local use).
class Call {
 public:
  virtual ~Call() = default;
  // Sends one chunk (JSON). Returns false when the call was cancelled: stop and throw Cancelled().
  virtual bool emit(std::string_view chunk) = 0;
  virtual bool cancelled() const = 0;
  // The host handle for nested invokes (nullptr outside the host).
  virtual nt_call* handle() const { return nullptr; }
};

class CollectingCall : public Call {
 public:
  bool emit(std::string_view chunk) override {
    chunks.emplace_back(chunk);
    return true;
  }
  bool cancelled() const override { return false; }
  // The answer in the form check/work take: a JSON array of the chunks.
  std::string response_json() const {
    std::string out = "[";
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (i) out += ',';
      out += chunks[i];
    }
    return out + "]";
  }
  std::vector<std::string> chunks;
};

inline Error Cancelled() { return Error(NT_CANCELLED, "cancelled by the host"); }

// The host's services, as the plugin sees them. Cheap to copy; valid until the plugin is finalized.
class Host {
 public:
  explicit Host(const nt_host_api* api = nullptr) : api_(api) {}

  void log(nt_log_level level, const std::string& message) const {
    if (api_ && api_->log) api_->log(api_->host, level, message.c_str());
  }
  void info(const std::string& m) const { log(NT_LOG_INFO, m); }
  void warn(const std::string& m) const { log(NT_LOG_WARN, m); }

  // Runs another task through the host and returns its chunks. Throws Error on failure.
  std::vector<std::string> invoke(const std::string& task, std::string_view request,
                                  const Call* parent = nullptr) const {
    if (!api_ || !api_->invoke) throw Error(NT_UNAVAILABLE, "this host does not offer invoke");
    std::vector<std::string> chunks;
    auto collect = [](void* user, const char* data, size_t size) -> int32_t {
      static_cast<std::vector<std::string>*>(user)->emplace_back(data, size);
      return 0;
    };
    nt_status* status = api_->invoke(api_->host, parent ? parent->handle() : nullptr, task.c_str(),
                                     nt_slice{request.data(), request.size()}, collect, &chunks);
    if (status) {
      Error error(static_cast<nt_code>(status->code), status->message ? status->message : "invoke failed");
      nt_status_release(status);
      throw error;
    }
    return chunks;
  }

  const nt_host_api* api() const { return api_; }

 private:
  const nt_host_api* api_;
};

// One configured task. Every method may be called from several threads at once.
class Task {
 public:
  virtual ~Task() = default;
  virtual TaskDescriptor describe() const = 0;
  virtual std::string synthesize(uint64_t seed) = 0;
  virtual void serve(std::string_view request, Call& call) = 0;
  virtual std::vector<CheckResult> check(const std::vector<std::string_view>& requests,
                                         const std::vector<std::string_view>& responses) = 0;
  virtual double work(std::string_view request, std::string_view response) = 0;
  // Throws Error(NT_INVALID_ARGUMENT) naming the key when serve would refuse `request`; cheap (no
  // model run). The default reads it as a bounded JSON object; override it with the task's own rules.
  virtual void validate(std::string_view request) {
    rapidjson::Document doc = parse_json(request, "request");
    JsonObject object(doc, "request");
  }

  // Default self-test: the task's own answer to a synthetic request must check as quality >= 0.99.
  virtual void self_test() {
    std::string request = synthesize(1);
    CollectingCall call;
    serve(request, call);
    if (call.chunks.empty()) throw Error(NT_INTERNAL, "serve emitted no chunk");
    std::string response = call.response_json();
    auto results = check({request}, {response});
    if (results.size() != 1) throw Error(NT_INTERNAL, "check returned the wrong count");
    if (!(results[0].quality >= 0.99)) {
      throw Error(NT_INTERNAL, "the task's own answer checked as " +
                                   std::to_string(results[0].quality) + " (" + results[0].reason + ")");
    }
  }
};

// Plugin-wide state. Constructed in plugin_init with the host, destroyed in plugin_finalize.
class Plugin {
 public:
  explicit Plugin(Host host) : host_(host) {}
  virtual ~Plugin() = default;
  virtual std::vector<TaskType> task_types() const = 0;
  // `config` is the task's tasks.toml table as a JSON object (validated here, with errors naming keys).
  virtual std::unique_ptr<Task> create_task(const std::string& name, const JsonObject& config) = 0;
  const Host& host() const { return host_; }

 private:
  Host host_;
};

}  // namespace nineteen::sdk
