// The host side of plugin isolation: one supervised worker process per plugin library, presented as
// an nt_plugin_api table whose functions forward each call over the worker's socket.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "nineteen/plugin_api.h"
#include "nineteen/plugin_host/plugin_isolation.hpp"
#include "worker_protocol.hpp"

namespace nineteen::plugin_host {

class WorkerProxy;

// Behind the nt_task* the host holds: the task's config, kept to re-create it after a restart.
struct ProxyTask {
  WorkerProxy* proxy = nullptr;
  std::string name, config;
  uint64_t remote = 0;      // the worker's handle; 0 while it could not be re-created
  std::string broken;       // why it could not be re-created
};

class WorkerProxy {
 public:
  // Starts a worker for `library_file` and reads its hello. `label` names it in messages. When
  // `remove_file_at_end`, the file (a private copy) is deleted once the proxy is gone. Throws
  // PluginError naming `shown` with what went wrong.
  WorkerProxy(const std::filesystem::path& library_file, const std::string& shown, const PluginIsolation& settings,
              bool remove_file_at_end);
  ~WorkerProxy();

  WorkerProxy(const WorkerProxy&) = delete;
  WorkerProxy& operator=(const WorkerProxy&) = delete;

  const nt_plugin_api& api() const { return table_; }
  void set_label(const std::string& label);
  // plugin_init in the worker, with `host` serving the worker's log, emit and invoke.
  nt_status* init(const nt_host_api* host, nt_plugin** out);
  pid_t pid() const { return pid_.load(); }
  unsigned restarts() const { return restarts_.load(); }

  // The forwarding functions behind table_ (static: they receive the proxy through their handles).
  static void t_finalize(nt_plugin* plugin);
  static nt_status* t_plugin_describe(nt_plugin* plugin, nt_buffer* out);
  static nt_status* t_task_create(nt_plugin* plugin, const char* name, nt_slice config, nt_task** out);
  static void t_task_destroy(nt_task* task);
  static nt_status* t_task_describe(nt_task* task, nt_buffer* out);
  static nt_status* t_self_test(nt_task* task);
  static nt_status* t_synthesize(nt_task* task, uint64_t seed, nt_buffer* out);
  static nt_status* t_serve(nt_task* task, nt_call* call, nt_slice request);
  static nt_status* t_check(nt_task* task, size_t n, const nt_slice* requests, const nt_slice* responses,
                            double* qualities, nt_buffer* reasons);
  static nt_status* t_work(nt_task* task, nt_slice request, nt_slice response, double* out);
  static nt_status* t_validate(nt_task* task, nt_slice request);

 private:
  using Clock = std::chrono::steady_clock;
  struct Event {
    bool invoke = false;
    uint64_t id = 0;  // the worker's invoke id
    std::string a, b;  // chunk data; or task name and request
  };
  struct Slot {
    std::condition_variable cv;
    std::deque<Event> events;
    bool done = false;
    int32_t code = 0;
    std::string message, payload;
    Clock::time_point deadline = Clock::time_point::max();
    std::string what;  // for the hang message
  };
  struct Result {
    int32_t code = 0;
    std::string message, payload;
  };

  Result call(uint8_t type, ProxyTask* task, const std::function<void(wire::Out&)>& fill, nt_call* host_call,
              const char* what);
  nt_status* status_of(const Result& r);
  void run_invoke(const Event& e, nt_call* parent);
  void finalize();
  void destroy_task(ProxyTask* task);

  void spawn();                       // a fresh worker process and socket
  void read_hello();                  // throws PluginError
  Result direct(wire::Out& out, uint64_t id, double timeout_s);  // a call answered before supervise() runs on
  void supervise();                   // the supervisor thread: frames, deadlines, memory, deaths, restarts
  void handle(const std::string& frame);
  void check_limits();
  void on_death();
  bool restart();
  void kill_worker(const std::string& reason);
  std::string who() const;

  const std::filesystem::path file_;
  const std::string shown_;
  const PluginIsolation settings_;
  const bool remove_file_;
  std::filesystem::path executable_;
  nt_plugin_api table_{};
  std::string name_, version_;
  const nt_host_api* host_ = nullptr;

  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  std::condition_variable up_cv_;  // the worker is up again (or the proxy is stopping)
  std::string label_;
  int fd_ = -1;
  std::atomic<pid_t> pid_{-1};
  wire::Writer writer_;
  wire::Reader reader_;
  std::map<uint64_t, std::shared_ptr<Slot>> slots_;
  std::set<uint64_t> stopped_invokes_;
  std::set<ProxyTask*> tasks_;
  uint64_t next_id_ = 1;
  bool up_ = false;
  bool initialised_ = false;
  std::string down_message_;
  std::string kill_reason_;
  bool stopping_ = false;
  Clock::time_point started_at_{};
  double backoff_s_ = 0;
  std::atomic<unsigned> restarts_{0};
  std::atomic<int> detached_{0};
  std::thread supervisor_;
};

}  // namespace nineteen::plugin_host
