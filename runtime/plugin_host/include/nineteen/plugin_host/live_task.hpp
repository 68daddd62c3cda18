// A task created by a plugin: the host's typed view of its calls. Keeps its library loaded.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nineteen/plugin_api.h"
#include "nineteen/plugin_host/task_call_error.hpp"

namespace nineteen::plugin_host {

class PluginLibrary;

// The task's descriptor (task_describe), parsed.
struct TaskInfo {
  std::string name, kind, endpoint, work_unit, model;
  bool stream = false;
  std::string check_needs;  // the descriptor's "check_needs" as JSON; empty when absent
  std::string listing;      // the descriptor's "listing" (for GET /v1/models) as JSON; empty when absent
  std::string json;  // as the plugin gave it
};

struct CheckOutcome {
  double quality = 0;
  std::string reason;
};

// Cancellation shared between the host and a serve call; cancelling a parent cancels nested invokes.
struct CallControl {
  std::atomic<bool> cancelled{false};
};

// Receives each chunk of a serve answer; return false to cancel the call.
using ChunkSink = std::function<bool(std::string_view chunk)>;

class LiveTask {
 public:
  LiveTask(std::shared_ptr<PluginLibrary> library, nt_task* task, std::string name);
  ~LiveTask();  // task_destroy; the library may unload once the last task and call are gone

  LiveTask(const LiveTask&) = delete;
  LiveTask& operator=(const LiveTask&) = delete;

  const std::string& name() const { return name_; }
  const TaskInfo& info() const { return info_; }
  const PluginLibrary& library() const { return *library_; }

  // Each throws TaskCallError with the plugin's code and message on failure.
  std::string synthesize(uint64_t seed);
  // `parent` is the enclosing call when a plugin invokes this task (for cancellation and depth).
  void serve(std::string_view request, const ChunkSink& sink, CallControl* control = nullptr,
             const nt_call* parent = nullptr);
  std::vector<CheckOutcome> check(const std::vector<std::string>& requests,
                                  const std::vector<std::string>& responses);
  double work(std::string_view request, std::string_view response);
  // Throws TaskCallError (NT_INVALID_ARGUMENT, a message for the user) when the task would refuse
  // `request`. A plugin built before ABI 1.1 has no validate: every request passes here.
  void validate(std::string_view request);
  void self_test();

  // serve, collecting the chunks into the JSON array form that check and work take.
  std::string serve_collect(std::string_view request);

 private:
  std::shared_ptr<PluginLibrary> library_;
  nt_task* task_;
  std::string name_;
  TaskInfo info_;
};

// Depth of nested invokes through a call chain (the host refuses more than kMaxInvokeDepth).
constexpr int kMaxInvokeDepth = 8;
int call_depth(const nt_call* call);

}  // namespace nineteen::plugin_host

// Host-side definition of the opaque ABI call handle.
struct nt_call {
  const nineteen::plugin_host::ChunkSink* sink = nullptr;
  nineteen::plugin_host::CallControl* control = nullptr;
  const nt_call* parent = nullptr;
  int depth = 0;
};
