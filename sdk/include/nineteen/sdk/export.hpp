// NINETEEN_PLUGIN(Class, "name", "version"): exports a Plugin subclass as a nineteen plugin.
// Everything here turns C++ calls and exceptions into the C ABI of plugin_api.h. Include it in
// exactly one source file of the plugin.
#pragma once

#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "nineteen/plugin_api.h"
#include "nineteen/sdk/task.hpp"

namespace nineteen::sdk::detail {

struct OwnedStatus {
  nt_status status;
  std::string message;
};

inline nt_status* make_status(nt_code code, std::string message) noexcept {
  try {
    auto* owned = new OwnedStatus{};
    owned->message = std::move(message);
    owned->status.code = code;
    owned->status.message = owned->message.c_str();
    owned->status.release = [](nt_status* self) {
      delete reinterpret_cast<OwnedStatus*>(self);  // status is the first member
    };
    return &owned->status;
  } catch (...) {
    // Out of memory while reporting an error: a static status that releases nothing.
    static nt_status oom{NT_INTERNAL, "out of memory", nullptr};
    return &oom;
  }
}

inline void fill_buffer(nt_buffer* out, std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  out->data = owned->data();
  out->size = owned->size();
  out->owner = owned;
  out->release = [](nt_buffer* self) { delete static_cast<std::string*>(self->owner); };
}

// Runs `body`, turning any exception into a status. The one place exceptions stop.
template <typename Body>
nt_status* guard(const char* where, Body&& body) noexcept {
  try {
    body();
    return nullptr;
  } catch (const Error& e) {
    return make_status(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return make_status(NT_INTERNAL, std::string(where) + ": out of memory");
  } catch (const std::exception& e) {
    return make_status(NT_INTERNAL, std::string(where) + ": " + e.what());
  } catch (...) {
    return make_status(NT_INTERNAL, std::string(where) + ": unknown exception");
  }
}

class HostCall final : public Call {
 public:
  HostCall(const nt_host_api* api, nt_call* call) : api_(api), call_(call) {}
  bool emit(std::string_view chunk) override { return api_->emit(call_, chunk.data(), chunk.size()) == 0; }
  bool cancelled() const override { return api_->cancelled(call_) != 0; }
  nt_call* handle() const override { return call_; }

 private:
  const nt_host_api* api_;
  nt_call* call_;
};

struct PluginState {
  const nt_host_api* host;
  std::unique_ptr<Plugin> plugin;
};

struct TaskState {
  const nt_host_api* host;
  std::unique_ptr<Task> task;
};


template <typename PluginClass>
struct Glue {
  static nt_status* plugin_init(const nt_host_api* host, nt_plugin** out) noexcept {
    return guard("plugin_init", [&] {
      auto state = std::make_unique<PluginState>();
      state->host = host;
      state->plugin = std::make_unique<PluginClass>(Host(host));
      *out = reinterpret_cast<nt_plugin*>(state.release());
    });
  }
  static void plugin_finalize(nt_plugin* plugin) noexcept {
    try {
      delete reinterpret_cast<PluginState*>(plugin);
    } catch (...) {
    }
  }
  static nt_status* plugin_describe(nt_plugin* plugin, nt_buffer* out) noexcept {
    return guard("plugin_describe", [&] {
      auto* state = reinterpret_cast<PluginState*>(plugin);
      std::string json = "{\"task_types\":[";
      bool first = true;
      for (const TaskType& t : state->plugin->task_types()) {
        if (!first) json += ',';
        first = false;
        json += "{\"type\":" + json_quote(t.type) + ",\"description\":" + json_quote(t.description) + "}";
      }
      fill_buffer(out, json + "]}");
    });
  }
  static nt_status* task_create(nt_plugin* plugin, const char* name, nt_slice config, nt_task** out) noexcept {
    return guard("task_create", [&] {
      auto* state = reinterpret_cast<PluginState*>(plugin);
      std::string what = std::string("task \"") + name + "\"";
      rapidjson::Document doc = parse_json(std::string_view(config.data, config.size), what + " config");
      JsonObject object(doc, what);
      auto task = std::make_unique<TaskState>();
      task->host = state->host;
      task->task = state->plugin->create_task(name, object);
      if (!task->task) throw Error(NT_INTERNAL, what + ": create_task returned nothing");
      *out = reinterpret_cast<nt_task*>(task.release());
    });
  }
  static void task_destroy(nt_task* task) noexcept {
    try {
      delete reinterpret_cast<TaskState*>(task);
    } catch (...) {
    }
  }
  static Task& of(nt_task* task) { return *reinterpret_cast<TaskState*>(task)->task; }

  static nt_status* task_describe(nt_task* task, nt_buffer* out) noexcept {
    return guard("describe", [&] { fill_buffer(out, of(task).describe().to_json()); });
  }
  static nt_status* task_self_test(nt_task* task) noexcept {
    return guard("self_test", [&] { of(task).self_test(); });
  }
  static nt_status* task_synthesize(nt_task* task, uint64_t seed, nt_buffer* out) noexcept {
    return guard("synthesize", [&] { fill_buffer(out, of(task).synthesize(seed)); });
  }
  static nt_status* task_serve(nt_task* task, nt_call* call, nt_slice request) noexcept {
    return guard("serve", [&] {
      HostCall host_call(reinterpret_cast<TaskState*>(task)->host, call);
      of(task).serve(std::string_view(request.data, request.size), host_call);
    });
  }
  static nt_status* task_check(nt_task* task, size_t n, const nt_slice* requests, const nt_slice* responses,
                               double* qualities, nt_buffer* reasons) noexcept {
    return guard("check", [&] {
      std::vector<std::string_view> reqs, resps;
      reqs.reserve(n);
      resps.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        reqs.emplace_back(requests[i].data, requests[i].size);
        resps.emplace_back(responses[i].data, responses[i].size);
      }
      std::vector<CheckResult> results = of(task).check(reqs, resps);
      if (results.size() != n) {
        throw Error(NT_INTERNAL, "check returned " + std::to_string(results.size()) + " results for " +
                                     std::to_string(n) + " answers");
      }
      std::string json = "[";
      for (size_t i = 0; i < n; ++i) {
        qualities[i] = results[i].quality;
        if (i) json += ',';
        json += json_quote(results[i].reason);
      }
      fill_buffer(reasons, json + "]");
    });
  }
  static nt_status* task_validate(nt_task* task, nt_slice request) noexcept {
    return guard("validate", [&] { of(task).validate(std::string_view(request.data, request.size)); });
  }
  static nt_status* task_work(nt_task* task, nt_slice request, nt_slice response, double* out) noexcept {
    return guard("work", [&] {
      *out = of(task).work(std::string_view(request.data, request.size), std::string_view(response.data, response.size));
    });
  }
};

template <typename PluginClass>
const nt_plugin_api* plugin_table(const char* name, const char* version) {
  static const nt_plugin_api table = {
      NT_ABI_MAJOR,
      NT_ABI_MINOR,
      static_cast<uint32_t>(sizeof(nt_plugin_api)),
      name,
      version,
      &Glue<PluginClass>::plugin_init,
      &Glue<PluginClass>::plugin_finalize,
      &Glue<PluginClass>::plugin_describe,
      &Glue<PluginClass>::task_create,
      &Glue<PluginClass>::task_destroy,
      &Glue<PluginClass>::task_describe,
      &Glue<PluginClass>::task_self_test,
      &Glue<PluginClass>::task_synthesize,
      &Glue<PluginClass>::task_serve,
      &Glue<PluginClass>::task_check,
      &Glue<PluginClass>::task_work,
      &Glue<PluginClass>::task_validate,
  };
  return &table;
}

}  // namespace nineteen::sdk::detail

// Exports PluginClass (derived from nineteen::sdk::Plugin, constructible from nineteen::sdk::Host).
#define NINETEEN_PLUGIN(PluginClass, name, version)                                                \
  extern "C" NT_EXPORT nt_status* nineteen_plugin_entry(const nt_host_api* host,                   \
                                                        const nt_plugin_api** out) {               \
    (void)host;                                                                                    \
    *out = ::nineteen::sdk::detail::plugin_table<PluginClass>(name, version);                     \
    return nullptr;                                                                                \
  }
