// The worker side of plugin isolation: loads one plugin library and runs the calls the host sends,
// each on a pool thread, so that many calls are in flight at once.
#include "nineteen/plugin_host/plugin_worker.hpp"

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "nineteen/plugin_api.h"
#include "nineteen/plugin_host/task_call_error.hpp"
#include "worker_protocol.hpp"

namespace nineteen::plugin_host {
namespace {

using namespace wire;

struct WorkerCall {  // behind the nt_call* the plugin sees
  uint64_t id = 0;
  std::atomic<bool> cancelled{false};
};

struct InvokeSlot {
  std::deque<std::string> chunks;
  bool done = false;
  int32_t code = 0;
  std::string message;
};

thread_local uint64_t t_current_call = 0;  // the host call this thread runs (context for invoke)

class Worker {
 public:
  explicit Worker(int fd) : fd_(fd), writer_(fd), reader_(fd) {}

  int run(const std::string& library);

  void send(Out& out) {
    if (!writer_.send(out)) _exit(0);  // the host is gone
  }

  // host services, as the plugin sees them
  static void log(nt_host* host, int32_t level, const char* message) noexcept;
  static nt_status* invoke(nt_host* host, nt_call* parent, const char* task_name, nt_slice request,
                           nt_chunk_fn on_chunk, void* user) noexcept;
  static int32_t emit(nt_call* call, const char* data, size_t size) noexcept;
  static int32_t cancelled(const nt_call* call) noexcept;

 private:
  void post(std::function<void()> job);
  void pool_loop();
  void dispatch(const std::string& frame);
  void run_call(std::string frame);
  void result(uint64_t id, nt_status* status, const std::function<void(Out&)>& payload = {});

  int fd_;
  Writer writer_;
  Reader reader_;
  nt_host_api host_{};
  const nt_plugin_api* api_ = nullptr;
  nt_plugin* plugin_ = nullptr;

  std::mutex mutex_;
  std::condition_variable jobs_cv_;
  std::deque<std::function<void()>> jobs_;
  size_t idle_ = 0;
  std::map<uint64_t, WorkerCall*> serving_;
  std::map<uint64_t, std::shared_ptr<InvokeSlot>> invokes_;
  std::condition_variable invokes_cv_;
  uint64_t next_invoke_ = 1;
};

Worker* g_worker = nullptr;

struct WorkerStatus {
  nt_status status;
  std::string message;
};

nt_status* make_status(int32_t code, std::string message) {
  auto* s = new WorkerStatus{};
  s->message = std::move(message);
  s->status.code = code;
  s->status.message = s->message.c_str();
  s->status.release = [](nt_status* self) { delete reinterpret_cast<WorkerStatus*>(self); };
  return &s->status;
}

void Worker::log(nt_host*, int32_t level, const char* message) noexcept {
  try {
    Out out(kLog, 0);
    out.i32(level);
    out.bytes(message ? message : "");
    g_worker->send(out);
  } catch (...) {
  }
}

int32_t Worker::emit(nt_call* call, const char* data, size_t size) noexcept {
  try {
    auto* c = reinterpret_cast<WorkerCall*>(call);
    if (!c) return 1;
    if (c->cancelled.load()) return 1;
    Out out(kChunk, c->id);
    out.bytes(std::string_view(data ? data : "", data ? size : 0));
    g_worker->send(out);
    return c->cancelled.load() ? 1 : 0;
  } catch (...) {
    return 1;
  }
}

int32_t Worker::cancelled(const nt_call* call) noexcept {
  auto* c = reinterpret_cast<const WorkerCall*>(call);
  return c && c->cancelled.load() ? 1 : 0;
}

nt_status* Worker::invoke(nt_host*, nt_call* parent, const char* task_name, nt_slice request, nt_chunk_fn on_chunk,
                          void* user) noexcept {
  try {
    if (!task_name || !on_chunk) return make_status(NT_INVALID_ARGUMENT, "invoke: task name and on_chunk are required");
    Worker& w = *g_worker;
    auto slot = std::make_shared<InvokeSlot>();
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(w.mutex_);
      id = w.next_invoke_++;
      w.invokes_[id] = slot;
    }
    const uint64_t context = parent ? reinterpret_cast<WorkerCall*>(parent)->id : t_current_call;
    Out out(kInvoke, id);
    out.u64(context);
    out.bytes(task_name);
    out.bytes(std::string_view(request.data ? request.data : "", request.data ? request.size : 0));
    w.send(out);
    bool stopped = false;
    std::unique_lock<std::mutex> lock(w.mutex_);
    while (true) {
      w.invokes_cv_.wait(lock, [&] { return slot->done || !slot->chunks.empty(); });
      while (!slot->chunks.empty()) {
        std::string chunk = std::move(slot->chunks.front());
        slot->chunks.pop_front();
        if (stopped) continue;
        lock.unlock();
        if (on_chunk(user, chunk.data(), chunk.size()) != 0) {
          stopped = true;
          Out stop(kInvokeStop, id);
          w.send(stop);
        }
        lock.lock();
      }
      if (slot->done && slot->chunks.empty()) break;
    }
    w.invokes_.erase(id);
    return slot->code == 0 ? nullptr : make_status(slot->code, slot->message);
  } catch (const std::exception& e) {
    return make_status(NT_INTERNAL, std::string("invoke: ") + e.what());
  } catch (...) {
    return make_status(NT_INTERNAL, "invoke: unknown error");
  }
}

void Worker::post(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mutex_);
  jobs_.push_back(std::move(job));
  // Every queued job needs an idle thread of its own: a call may hang (in-process it would hold only
  // its caller's thread). Comparing with the queue, not with idle_ == 0, matters: a thread already
  // woken for the previous job still counts as idle until it takes it, and a second job given to the
  // same wake-up would wait behind a hung call for ever (seen on 2 cores).
  if (jobs_.size() > idle_) {
    std::thread([this] { pool_loop(); }).detach();
  } else {
    jobs_cv_.notify_one();
  }
}

void Worker::pool_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    ++idle_;
    jobs_cv_.wait(lock, [&] { return !jobs_.empty(); });
    --idle_;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

void Worker::result(uint64_t id, nt_status* status, const std::function<void(Out&)>& payload) {
  Out out(kResult, id);
  if (status) {
    out.i32(status->code == NT_OK ? NT_INTERNAL : status->code);
    out.bytes(take_status_message(status));
  } else {
    out.i32(0);
    out.bytes("");
    if (payload) payload(out);
  }
  send(out);
}

std::string take(nt_buffer& b) {
  std::string s(b.data ? b.data : "", b.data ? b.size : 0);
  nt_buffer_release(&b);
  return s;
}

nt_slice slice(std::string_view s) { return nt_slice{s.data(), s.size()}; }

void Worker::run_call(std::string frame) {
  In in(frame);
  const uint64_t id = in.id;
  t_current_call = id;
  try {
    switch (in.type) {
      case kInit: {
        nt_status* s = api_->plugin_init(&host_, &plugin_);
        result(id, s);
        break;
      }
      case kPluginDescribe: {
        nt_buffer b{};
        nt_status* s = api_->plugin_describe(plugin_, &b);
        std::string text = s ? "" : take(b);
        result(id, s, [&](Out& o) { o.bytes(text); });
        break;
      }
      case kTaskCreate: {
        std::string name(in.bytes());
        std::string_view config = in.bytes();
        nt_task* task = nullptr;
        nt_status* s = api_->task_create(plugin_, name.c_str(), slice(config), &task);
        if (!s && !task) s = make_status(NT_INTERNAL, "task_create returned no task");
        result(id, s, [&](Out& o) { o.u64(reinterpret_cast<uint64_t>(task)); });
        break;
      }
      case kTaskDestroy: {
        api_->task_destroy(reinterpret_cast<nt_task*>(in.u64()));
        result(id, nullptr);
        break;
      }
      case kTaskDescribe: {
        nt_buffer b{};
        nt_status* s = api_->task_describe(reinterpret_cast<nt_task*>(in.u64()), &b);
        std::string text = s ? "" : take(b);
        result(id, s, [&](Out& o) { o.bytes(text); });
        break;
      }
      case kSelfTest:
        result(id, api_->task_self_test(reinterpret_cast<nt_task*>(in.u64())));
        break;
      case kSynthesize: {
        auto* task = reinterpret_cast<nt_task*>(in.u64());
        uint64_t seed = in.u64();
        nt_buffer b{};
        nt_status* s = api_->task_synthesize(task, seed, &b);
        std::string text = s ? "" : take(b);
        result(id, s, [&](Out& o) { o.bytes(text); });
        break;
      }
      case kServe: {
        auto* task = reinterpret_cast<nt_task*>(in.u64());
        std::string_view request = in.bytes();
        WorkerCall call;
        call.id = id;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          serving_[id] = &call;
        }
        nt_status* s = nullptr;
        try {
          s = api_->task_serve(task, reinterpret_cast<nt_call*>(&call), slice(request));
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex_);
          serving_.erase(id);
          throw;
        }
        {
          std::lock_guard<std::mutex> lock(mutex_);
          serving_.erase(id);
        }
        result(id, s);
        break;
      }
      case kCheck: {
        auto* task = reinterpret_cast<nt_task*>(in.u64());
        const uint64_t n = in.u64();
        std::vector<nt_slice> requests(n), responses(n);
        for (uint64_t i = 0; i < n; ++i) requests[i] = slice(in.bytes());
        for (uint64_t i = 0; i < n; ++i) responses[i] = slice(in.bytes());
        std::vector<double> qualities(n, 0.0);
        nt_buffer reasons{};
        nt_status* s = api_->task_check(task, n, requests.data(), responses.data(), qualities.data(), &reasons);
        std::string text = s ? "" : take(reasons);
        result(id, s, [&](Out& o) {
          o.u64(n);
          for (double q : qualities) o.f64(q);
          o.bytes(text);
        });
        break;
      }
      case kWork: {
        auto* task = reinterpret_cast<nt_task*>(in.u64());
        std::string_view request = in.bytes();
        std::string_view response = in.bytes();
        double out = 0;
        nt_status* s = api_->task_work(task, slice(request), slice(response), &out);
        result(id, s, [&](Out& o) { o.f64(out); });
        break;
      }
      case kValidate: {
        auto* task = reinterpret_cast<nt_task*>(in.u64());
        result(id, api_->task_validate(task, slice(in.bytes())));
        break;
      }
      case kFinalize:
        api_->plugin_finalize(plugin_);
        result(id, nullptr);
        break;
      default:
        result(id, make_status(NT_INTERNAL, "plugin worker: unknown call type " + std::to_string(in.type)));
    }
  } catch (const std::exception& e) {
    // A throw across the ABI: the plugin broke its contract, but the worker can still answer.
    result(id, make_status(NT_INTERNAL, std::string("the plugin threw an exception across the ABI: ") + e.what()));
  } catch (...) {
    result(id, make_status(NT_INTERNAL, "the plugin threw an exception across the ABI"));
  }
  t_current_call = 0;
}

void Worker::dispatch(const std::string& frame) {
  In in(frame);
  switch (in.type) {
    case kCancel: {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = serving_.find(in.id);
      if (it != serving_.end()) it->second->cancelled = true;
      return;
    }
    case kInvokeChunk:
    case kInvokeResult: {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = invokes_.find(in.id);
      if (it == invokes_.end()) return;
      if (in.type == kInvokeChunk) {
        it->second->chunks.emplace_back(in.bytes());
      } else {
        it->second->code = in.i32();
        it->second->message = std::string(in.bytes());
        it->second->done = true;
      }
      invokes_cv_.notify_all();
      return;
    }
    default:
      post([this, frame] { run_call(frame); });
  }
}

int Worker::run(const std::string& library) {
  host_.abi_major = NT_ABI_MAJOR;
  host_.abi_minor = NT_ABI_MINOR;
  host_.struct_size = sizeof(nt_host_api);
  host_.host = nullptr;
  host_.log = &Worker::log;
  host_.invoke = &Worker::invoke;
  host_.emit = &Worker::emit;
  host_.cancelled = &Worker::cancelled;

  auto refuse = [&](const std::string& message) {
    Out out(kHello, 0);
    out.u8(0);
    out.bytes(message);
    send(out);
    return 3;
  };
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return refuse(std::string("cannot be loaded: ") + (dlerror() ? dlerror() : "?"));
  auto entry = reinterpret_cast<nt_plugin_entry_fn>(::dlsym(handle, NT_PLUGIN_ENTRY_SYMBOL));
  if (!entry) return refuse(std::string("does not export the entry symbol \"") + NT_PLUGIN_ENTRY_SYMBOL + "\"");
  const nt_plugin_api* api = nullptr;
  nt_status* status = entry(&host_, &api);
  if (status) {
    return refuse("the entry function failed: " + take_status_message(status));
  }
  if (!api) return refuse("the entry function returned no function table");
  api_ = api;
  const bool has_validate = api->struct_size >= offsetof(nt_plugin_api, task_validate) + sizeof(void*) &&
                            api->abi_major == NT_ABI_MAJOR && api->task_validate;
  auto bit = [](bool on, uint32_t b) { return on ? b : 0u; };
  uint32_t present = bit(api->plugin_describe, kHasDescribe) | bit(api->task_self_test, kHasSelfTest) |
                     bit(api->task_synthesize, kHasSynthesize) | bit(api->task_check, kHasCheck) |
                     bit(api->task_work, kHasWork) | bit(has_validate, kHasValidate);
  const bool complete = api->plugin_init && api->plugin_finalize && api->task_create && api->task_destroy &&
                        api->task_describe && api->task_serve;
  Out hello(kHello, 0);
  hello.u8(1);
  hello.u32(api->abi_major);
  hello.u32(api->abi_minor);
  hello.u32(api->struct_size);
  hello.u32(present | (complete ? 0x80000000u : 0));
  hello.bytes(api->plugin_name ? api->plugin_name : "");
  hello.bytes(api->plugin_version ? api->plugin_version : "");
  send(hello);

  std::string frame;
  while (true) {
    Reader::Outcome got = reader_.next(frame, -1);
    if (got == Reader::kClosed) break;
    if (got != Reader::kFrame) continue;
    try {
      dispatch(frame);
    } catch (const BadFrame&) {
      break;
    }
  }
  // The host is gone or closed the socket: leave at once, without running the plugin's static
  // destructors under threads that may still be inside it.
  std::fflush(nullptr);
  _exit(0);
}

}  // namespace

int plugin_worker_main(const std::string& library, int fd) {
  ::signal(SIGPIPE, SIG_IGN);
  // A Ctrl-C in the terminal reaches the node's whole process group: the node stops, closes the
  // socket, and the worker leaves then (a worker dying of SIGINT first would be "restarted").
  ::signal(SIGINT, SIG_IGN);
  // Out of memory inside the plugin (an allocation failing under a limit) ends the worker, which the
  // host restarts, rather than leaving it to limp on.
  std::set_new_handler([] {
    static const char msg[] = "nineteen plugin-worker: out of memory\n";
    (void)!::write(2, msg, sizeof(msg) - 1);
    _exit(86);
  });
  static Worker worker(fd);
  g_worker = &worker;
  return worker.run(library);
}

int plugin_worker_command(int argc, const char* const* argv) {
  std::string library;
  int fd = -1;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--library" && i + 1 < argc) {
      library = argv[++i];
    } else if (a == "--fd" && i + 1 < argc) {
      fd = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "nineteen plugin-worker: unexpected argument \"%s\" (the host starts this command itself)\n",
                   a.c_str());
      return 2;
    }
  }
  if (library.empty() || fd < 0) {
    std::fprintf(stderr, "usage: nineteen plugin-worker --library FILE.so --fd N (started by the host)\n");
    return 2;
  }
  return plugin_worker_main(library, fd);
}

}  // namespace nineteen::plugin_host
