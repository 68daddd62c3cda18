// The host side of plugin isolation (see worker_proxy.hpp and plugin_worker.hpp).
#include "worker_proxy.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>

#include "nineteen/plugin_host/task_call_error.hpp"

extern char** environ;

namespace nineteen::plugin_host {
namespace fs = std::filesystem;
using namespace wire;

fs::path default_worker_executable() {
  if (const char* env = std::getenv("NINETEEN_PLUGIN_WORKER")) {
    if (*env) return env;
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "nineteen";
  if (self.filename() == "nineteen") return self;
  return self.parent_path() / "nineteen";
}

namespace {

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    default: return nullptr;
  }
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const char* name = signal_name(WTERMSIG(status));
    return std::string("died of ") + (name ? name : "signal " + std::to_string(WTERMSIG(status)));
  }
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 86) return "ran out of memory";
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }
  return "stopped";
}

struct ProxyStatus {
  nt_status status;
  std::string message;
};

nt_status* make_status(int32_t code, std::string message) {
  auto* s = new ProxyStatus{};
  s->message = std::move(message);
  s->status.code = code;
  s->status.message = s->message.c_str();
  s->status.release = [](nt_status* self) { delete reinterpret_cast<ProxyStatus*>(self); };
  return &s->status;
}

void give(nt_buffer* out, std::string text) {
  auto* owned = new std::string(std::move(text));
  out->data = owned->data();
  out->size = owned->size();
  out->owner = owned;
  out->release = [](nt_buffer* self) { delete static_cast<std::string*>(self->owner); };
}

ProxyTask* task_of(nt_task* task) { return reinterpret_cast<ProxyTask*>(task); }
WorkerProxy* proxy_of(nt_plugin* plugin) { return reinterpret_cast<WorkerProxy*>(plugin); }
std::string_view view(nt_slice s) { return std::string_view(s.data ? s.data : "", s.data ? s.size : 0); }

// Resident bytes of a process, or 0 when it cannot be read.
double resident_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  unsigned long long size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g s", s);
  return text;
}

}  // namespace

WorkerProxy::WorkerProxy(const fs::path& library_file, const std::string& shown, const PluginIsolation& settings,
                         bool remove_file_at_end)
    : file_(library_file), shown_(shown), settings_(settings), remove_file_(remove_file_at_end) {
  executable_ = settings_.worker_executable.empty() ? default_worker_executable() : settings_.worker_executable;
  label_ = fs::path(shown_).filename().string();
  backoff_s_ = settings_.backoff_min_s;
  std::error_code ec;
  if (!fs::is_regular_file(executable_, ec)) {
    throw PluginError(shown_ + ": cannot start its worker process: " + executable_.string() +
                      " is not there (build `nineteen`, set NINETEEN_PLUGIN_WORKER to its path, or set "
                      "plugin_isolation = \"in-process\")");
  }
  spawn();
  try {
    read_hello();
  } catch (...) {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (fd_ >= 0) ::close(fd_);
    throw;
  }
  table_.plugin_init = [](const nt_host_api*, nt_plugin**) -> nt_status* {
    return make_status(NT_INTERNAL, "plugin_init of an isolated plugin goes through WorkerProxy::init");
  };
  table_.plugin_finalize = &WorkerProxy::t_finalize;
  table_.task_create = &WorkerProxy::t_task_create;
  table_.task_destroy = &WorkerProxy::t_task_destroy;
  table_.task_describe = &WorkerProxy::t_task_describe;
  table_.task_serve = &WorkerProxy::t_serve;
  supervisor_ = std::thread([this] { supervise(); });
}

WorkerProxy::~WorkerProxy() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  up_cv_.notify_all();
  if (supervisor_.joinable()) {
    supervisor_.join();
  } else if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    if (fd_ >= 0) ::close(fd_);
  }
  for (int i = 0; i < 500 && detached_.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (remove_file_) {
    std::error_code ec;
    fs::remove(file_, ec);
  }
}

std::string WorkerProxy::who() const { return "the plugin worker for " + label_; }

void WorkerProxy::set_label(const std::string& label) {
  std::lock_guard<std::mutex> lock(mutex_);
  label_ = label;
}

void WorkerProxy::spawn() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    throw PluginError(shown_ + ": cannot start its worker process: socketpair: " + std::strerror(errno));
  }
  if (sv[1] == 3) {  // dup2 onto itself would keep close-on-exec set
    int moved = ::fcntl(sv[1], F_DUPFD_CLOEXEC, 4);
    ::close(sv[1]);
    sv[1] = moved;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 3);
  const std::string exe = executable_.string(), lib = file_.string();
  std::vector<std::string> args = {exe, "plugin-worker", "--library", lib, "--fd", "3"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int err = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(sv[1]);
  if (err != 0) {
    ::close(sv[0]);
    throw PluginError(shown_ + ": cannot start its worker process " + exe + ": " + std::strerror(err));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  fd_ = sv[0];
  pid_ = pid;
  writer_.reset(fd_);
  reader_.reset(fd_);
  kill_reason_.clear();
  started_at_ = Clock::now();
  if (stopping_) ::shutdown(fd_, SHUT_RDWR);
}

void WorkerProxy::read_hello() {
  std::string frame;
  auto got = reader_.next(frame, static_cast<int>(settings_.call_timeout_s * 1000));
  if (got != Reader::kFrame) {
    if (got == Reader::kTimeout) ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_t pid = pid_;
    pid_ = -1;
    ::close(fd_);
    fd_ = -1;
    writer_.reset(-1);
    throw PluginError(shown_ + ": its worker process (pid " + std::to_string(pid) + ") " +
                      (got == Reader::kTimeout ? "did not load it within " + seconds(settings_.call_timeout_s)
                                               : describe_exit(status)) +
                      " while loading the library");
  }
  In in(frame);
  if (in.type != kHello) throw PluginError(shown_ + ": its worker process answered out of turn");
  if (in.u8() == 0) {
    std::string message(in.bytes());
    throw PluginError(shown_ + ": " + message);
  }
  table_.abi_major = in.u32();
  table_.abi_minor = in.u32();
  table_.struct_size = std::min<uint32_t>(in.u32(), sizeof(nt_plugin_api));
  const uint32_t present = in.u32();
  name_ = std::string(in.bytes());
  version_ = std::string(in.bytes());
  table_.plugin_name = name_.empty() ? nullptr : name_.c_str();
  table_.plugin_version = version_.empty() ? nullptr : version_.c_str();
  if (present & kHasDescribe) table_.plugin_describe = &WorkerProxy::t_plugin_describe;
  if (present & kHasSelfTest) table_.task_self_test = &WorkerProxy::t_self_test;
  if (present & kHasSynthesize) table_.task_synthesize = &WorkerProxy::t_synthesize;
  if (present & kHasCheck) table_.task_check = &WorkerProxy::t_check;
  if (present & kHasWork) table_.task_work = &WorkerProxy::t_work;
  if (present & kHasValidate) table_.task_validate = &WorkerProxy::t_validate;
  if (!(present & 0x80000000u)) table_.task_serve = nullptr;  // the library check reports the missing function
}

nt_status* WorkerProxy::init(const nt_host_api* host, nt_plugin** out) {
  host_ = host;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    up_ = true;
  }
  Result r = call(kInit, nullptr, [](Out&) {}, nullptr, "plugin_init");
  if (r.code != 0) return status_of(r);
  std::lock_guard<std::mutex> lock(mutex_);
  initialised_ = true;
  *out = reinterpret_cast<nt_plugin*>(this);
  return nullptr;
}

nt_status* WorkerProxy::status_of(const Result& r) {
  return r.code == 0 ? nullptr : make_status(r.code, r.message);
}

WorkerProxy::Result WorkerProxy::call(uint8_t type, ProxyTask* task, const std::function<void(Out&)>& fill,
                                      nt_call* host_call, const char* what) {
  auto slot = std::make_shared<Slot>();
  uint64_t id;
  Out out(type, 0);
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!up_ && type == kCheck) {
      // A check waits out a restart (bounded by the call timeout): answers checked while another
      // answer's check crashed the worker are not at fault, and failing them would let a miner
      // whose answers crash the checker keep other miners' answers unchecked. A serve fails at
      // once: its caller has a deadline and other miners to try.
      up_cv_.wait_for(lock, std::chrono::duration<double>(settings_.call_timeout_s),
                      [&] { return up_ || stopping_; });
    }
    if (!up_) return Result{NT_UNAVAILABLE, down_message_, {}};
    if (task && task->remote == 0) {
      return Result{NT_UNAVAILABLE, "task \"" + task->name + "\" could not be re-created after " + who() +
                                        " restarted: " + task->broken, {}};
    }
    id = next_id_++;
    slots_[id] = slot;
    slot->what = what;
    if (type != kServe) {
      // Tear-down calls get at most 10 s, so that a plugin hanging in them cannot hold up a shutdown.
      const bool teardown = type == kFinalize || type == kTaskDestroy;
      const double limit = teardown ? std::min(settings_.call_timeout_s, 10.0) : settings_.call_timeout_s;
      slot->deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
    }
    out = Out(type, id);
    if (task) out.u64(task->remote);
  }
  fill(out);
  writer_.send(out);  // when the worker is gone the supervisor fails the slot

  const bool serving = type == kServe && host_call && host_;
  bool cancel_sent = false;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    if (slot->events.empty() && !slot->done) {
      slot->cv.wait_for(lock, std::chrono::milliseconds(serving ? 50 : 500));
    }
    while (!slot->events.empty()) {
      Event e = std::move(slot->events.front());
      slot->events.pop_front();
      lock.unlock();
      if (e.invoke) {
        run_invoke(e, serving ? host_call : nullptr);
      } else if (serving && !cancel_sent && host_->emit(host_call, e.a.data(), e.a.size()) != 0) {
        cancel_sent = true;
      }
      lock.lock();
    }
    if (slot->done) break;
    if (serving && !cancel_sent && host_->cancelled(host_call)) cancel_sent = true;
    if (cancel_sent && slot->deadline == Clock::time_point::max()) {
      slot->deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(settings_.cancel_grace_s));
      slot->what = "serve";
      lock.unlock();
      Out cancel(kCancel, id);
      writer_.send(cancel);
      lock.lock();
    }
  }
  slots_.erase(id);
  return Result{slot->code, std::move(slot->message), std::move(slot->payload)};
}

void WorkerProxy::run_invoke(const Event& e, nt_call* parent) {
  nt_status* status = nullptr;
  if (!host_ || !host_->invoke) {
    status = make_status(NT_UNIMPLEMENTED, "invoke is not available here");
  } else {
    struct Ctx {
      WorkerProxy* self;
      uint64_t id;
    } ctx{this, e.id};
    auto on_chunk = [](void* user, const char* data, size_t size) -> int32_t {
      auto* c = static_cast<Ctx*>(user);
      {
        std::lock_guard<std::mutex> lock(c->self->mutex_);
        if (c->self->stopped_invokes_.count(c->id)) return 1;
      }
      Out chunk(kInvokeChunk, c->id);
      chunk.bytes(std::string_view(data, size));
      return c->self->writer_.send(chunk) ? 0 : 1;
    };
    status = host_->invoke(host_->host, parent, e.a.c_str(), nt_slice{e.b.data(), e.b.size()}, on_chunk, &ctx);
  }
  Out done(kInvokeResult, e.id);
  if (status) {
    done.i32(status->code);
    done.bytes(take_status_message(status, ""));
  } else {
    done.i32(0);
    done.bytes("");
  }
  writer_.send(done);
  std::lock_guard<std::mutex> lock(mutex_);
  stopped_invokes_.erase(e.id);
}

void WorkerProxy::handle(const std::string& frame) {
  In in(frame);
  switch (in.type) {
    case kResult: {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = slots_.find(in.id);
      if (it == slots_.end()) return;
      Slot& s = *it->second;
      s.code = in.i32();
      s.message = std::string(in.bytes());
      s.payload = std::string(in.rest());
      s.done = true;
      s.cv.notify_all();
      return;
    }
    case kChunk: {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = slots_.find(in.id);
      if (it == slots_.end()) return;
      Event e;
      e.a = std::string(in.bytes());
      it->second->events.push_back(std::move(e));
      it->second->cv.notify_all();
      return;
    }
    case kLog: {
      int32_t level = in.i32();
      std::string message(in.bytes());
      auto lvl = level <= NT_LOG_TRACE   ? spdlog::level::trace
                 : level == NT_LOG_DEBUG ? spdlog::level::debug
                 : level == NT_LOG_INFO  ? spdlog::level::info
                 : level == NT_LOG_WARN  ? spdlog::level::warn
                                         : spdlog::level::err;
      std::string label;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        label = label_;
      }
      spdlog::log(lvl, "[{}] {}", label, message);
      return;
    }
    case kInvoke: {
      Event e;
      e.invoke = true;
      e.id = in.id;
      const uint64_t context = in.u64();
      e.a = std::string(in.bytes());
      e.b = std::string(in.bytes());
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = slots_.find(context);
        if (it != slots_.end()) {
          it->second->events.push_back(std::move(e));
          it->second->cv.notify_all();
          return;
        }
      }
      // From a thread of the plugin's own, outside any call: run it on a thread of its own.
      ++detached_;
      std::thread([this, e] {
        run_invoke(e, nullptr);
        --detached_;
      }).detach();
      return;
    }
    case kInvokeStop: {
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_invokes_.insert(in.id);
      return;
    }
    default:
      return;
  }
}

void WorkerProxy::kill_worker(const std::string& reason) {
  // Called with mutex_ held.
  if (!kill_reason_.empty()) return;
  kill_reason_ = reason;
  spdlog::error("{} (pid {}) {}: killing it", who(), pid_.load(), reason);
  ::kill(pid_, SIGKILL);
}

void WorkerProxy::check_limits() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!up_ || !kill_reason_.empty()) return;
  const auto now = Clock::now();
  for (const auto& [id, slot] : slots_) {
    if (slot->deadline < now) {
      const bool serve = slot->what == "serve";
      const bool teardown = slot->what == "plugin_finalize" || slot->what == "task_destroy";
      kill_worker("hung: a " + slot->what + " call did not return within " +
                  seconds(serve       ? settings_.cancel_grace_s
                          : teardown ? std::min(settings_.call_timeout_s, 10.0)
                                     : settings_.call_timeout_s) +
                  (serve ? " of its cancellation (plugin_cancel_grace_s)" : " (plugin_call_timeout_s)"));
      return;
    }
  }
  if (settings_.memory_limit_mb > 0) {
    const double mb = resident_mb(pid_);
    if (mb > settings_.memory_limit_mb) {
      char text[160];
      std::snprintf(text, sizeof(text), "used %.0f MiB resident, over its limit of %g MiB (plugin_memory_limit_mb)",
                    mb, settings_.memory_limit_mb);
      kill_worker(text);
    }
  }
}

void WorkerProxy::on_death() {
  const pid_t pid = pid_;
  int status = 0;
  bool reaped = false;
  for (int i = 0; i < 200 && !reaped; ++i) {  // the worker leaves at once on EOF; give it 2 s
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) {
      reaped = r == pid;
      if (r < 0) break;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!reaped) {
    ::kill(pid, SIGKILL);
    reaped = ::waitpid(pid, &status, 0) == pid;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  writer_.reset(-1);
  ::close(fd_);
  fd_ = -1;
  pid_ = -1;
  const double lived = std::chrono::duration<double>(Clock::now() - started_at_).count();
  std::string cause = !kill_reason_.empty() ? "was killed: " + kill_reason_
                      : reaped              ? describe_exit(status)
                                            : "closed its socket";
  std::string message = who() + " (pid " + std::to_string(pid) + ") " + cause;
  up_ = false;
  if (stopping_) {
    message += " (stopping)";
  } else {
    message += "; restarting it";
    spdlog::error("{}", message);
  }
  for (auto& [id, slot] : slots_) {
    if (slot->done) continue;
    slot->done = true;
    slot->code = NT_UNAVAILABLE;
    slot->message = message;
    slot->cv.notify_all();
  }
  stopped_invokes_.clear();
  down_message_ = who() + " is restarting after it " + cause + "; try again shortly";
  if (lived > 30) backoff_s_ = settings_.backoff_min_s;  // it had been healthy: restart quickly
}

bool WorkerProxy::restart() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const double wait = backoff_s_;
      backoff_s_ = std::min(backoff_s_ * 2, settings_.backoff_max_s);
      stop_cv_.wait_for(lock, std::chrono::duration<double>(wait), [&] { return stopping_; });
      if (stopping_) return false;
    }
    try {
      spawn();
      read_hello();
      uint64_t id = 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        id = next_id_++;
      }
      Out init(kInit, id);
      Result r = direct(init, id, settings_.call_timeout_s);
      if (r.code != 0) throw PluginError("plugin_init failed: " + r.message);
      std::vector<ProxyTask*> tasks;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        tasks.assign(tasks_.begin(), tasks_.end());
      }
      for (ProxyTask* task : tasks) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          id = next_id_++;
        }
        Out create(kTaskCreate, id);
        create.bytes(task->name);
        create.bytes(task->config);
        Result made = direct(create, id, settings_.call_timeout_s);
        std::lock_guard<std::mutex> lock(mutex_);
        if (made.code == 0) {
          In payload = In::body(made.payload);
          task->remote = payload.u64();
          task->broken.clear();
        } else {
          task->remote = 0;
          task->broken = made.message;
          spdlog::error("{}: task \"{}\" could not be re-created: {}", who(), task->name, made.message);
        }
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return false;
      up_ = true;
      up_cv_.notify_all();
      ++restarts_;
      spdlog::warn("{} restarted (pid {}, restart {}); its {} task(s) serve again", who(), pid_.load(),
                   restarts_.load(), tasks.size());
      return true;
    } catch (const std::exception& e) {
      spdlog::error("{}: restart failed: {}", who(), e.what());
      pid_t pid;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        pid = pid_;
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        writer_.reset(-1);
        pid_ = -1;
        down_message_ = who() + " could not be restarted (" + e.what() + "); retrying";
      }
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
      }
    }
  }
}

WorkerProxy::Result WorkerProxy::direct(Out& out, uint64_t id, double timeout_s) {
  if (!writer_.send(out)) throw PluginError("the worker closed its socket");
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  std::string frame;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw PluginError("the worker did not answer within " + seconds(timeout_s));
    auto got = reader_.next(frame, static_cast<int>(left));
    if (got == Reader::kClosed) throw PluginError("the worker died while starting");
    if (got != Reader::kFrame) continue;
    In in(frame);
    if (in.type == kResult && in.id == id) {
      Result r;
      r.code = in.i32();
      r.message = std::string(in.bytes());
      r.payload = std::string(in.rest());
      return r;
    }
    if (in.type == kLog) handle(frame);
  }
}

void WorkerProxy::supervise() {
  std::string frame;
  auto last_check = Clock::now();
  while (true) {
    Reader::Outcome got = reader_.next(frame, 100);
    if (got == Reader::kFrame) {
      try {
        handle(frame);
      } catch (const BadFrame&) {
        std::lock_guard<std::mutex> lock(mutex_);
        kill_worker("sent a malformed frame");
      }
    }
    if (got == Reader::kClosed) {
      on_death();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || !initialised_) return;
      }
      if (!restart()) return;
      continue;
    }
    if (Clock::now() - last_check >= std::chrono::milliseconds(100)) {
      last_check = Clock::now();
      check_limits();
    }
  }
}

void WorkerProxy::finalize() {
  bool up;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    up = up_ && initialised_;
  }
  if (up) call(kFinalize, nullptr, [](Out&) {}, nullptr, "plugin_finalize");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  up_cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
}

void WorkerProxy::destroy_task(ProxyTask* task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.erase(task);
  }
  if (task->remote != 0) call(kTaskDestroy, task, [](Out&) {}, nullptr, "task_destroy");
  delete task;
}

// ---------------------------------------------------------------- the forwarding table

void WorkerProxy::t_finalize(nt_plugin* plugin) { proxy_of(plugin)->finalize(); }

nt_status* WorkerProxy::t_plugin_describe(nt_plugin* plugin, nt_buffer* out) {
  WorkerProxy& p = *proxy_of(plugin);
  Result r = p.call(kPluginDescribe, nullptr, [](Out&) {}, nullptr, "plugin_describe");
  if (r.code != 0) return p.status_of(r);
  In in = In::body(r.payload);
  give(out, std::string(in.bytes()));
  return nullptr;
}

nt_status* WorkerProxy::t_task_create(nt_plugin* plugin, const char* name, nt_slice config, nt_task** out) {
  WorkerProxy& p = *proxy_of(plugin);
  const std::string task_name = name ? name : "";
  const std::string task_config(view(config));
  Result r = p.call(kTaskCreate, nullptr, [&](Out& o) {
    o.bytes(task_name);
    o.bytes(task_config);
  }, nullptr, "task_create");
  if (r.code != 0) return p.status_of(r);
  In in = In::body(r.payload);
  auto* task = new ProxyTask{&p, task_name, task_config, in.u64(), {}};
  {
    std::lock_guard<std::mutex> lock(p.mutex_);
    p.tasks_.insert(task);
  }
  *out = reinterpret_cast<nt_task*>(task);
  return nullptr;
}

void WorkerProxy::t_task_destroy(nt_task* task) { task_of(task)->proxy->destroy_task(task_of(task)); }

nt_status* WorkerProxy::t_task_describe(nt_task* task, nt_buffer* out) {
  ProxyTask& t = *task_of(task);
  Result r = t.proxy->call(kTaskDescribe, &t, [](Out&) {}, nullptr, "task_describe");
  if (r.code != 0) return t.proxy->status_of(r);
  In in = In::body(r.payload);
  give(out, std::string(in.bytes()));
  return nullptr;
}

nt_status* WorkerProxy::t_self_test(nt_task* task) {
  ProxyTask& t = *task_of(task);
  return t.proxy->status_of(t.proxy->call(kSelfTest, &t, [](Out&) {}, nullptr, "task_self_test"));
}

nt_status* WorkerProxy::t_synthesize(nt_task* task, uint64_t seed, nt_buffer* out) {
  ProxyTask& t = *task_of(task);
  Result r = t.proxy->call(kSynthesize, &t, [&](Out& o) { o.u64(seed); }, nullptr, "task_synthesize");
  if (r.code != 0) return t.proxy->status_of(r);
  In in = In::body(r.payload);
  give(out, std::string(in.bytes()));
  return nullptr;
}

nt_status* WorkerProxy::t_serve(nt_task* task, nt_call* call, nt_slice request) {
  ProxyTask& t = *task_of(task);
  return t.proxy->status_of(t.proxy->call(kServe, &t, [&](Out& o) { o.bytes(view(request)); }, call, "serve"));
}

nt_status* WorkerProxy::t_check(nt_task* task, size_t n, const nt_slice* requests, const nt_slice* responses,
                                double* qualities, nt_buffer* reasons) {
  ProxyTask& t = *task_of(task);
  Result r = t.proxy->call(kCheck, &t, [&](Out& o) {
    o.u64(n);
    for (size_t i = 0; i < n; ++i) o.bytes(view(requests[i]));
    for (size_t i = 0; i < n; ++i) o.bytes(view(responses[i]));
  }, nullptr, "task_check");
  if (r.code != 0) return t.proxy->status_of(r);
  In in = In::body(r.payload);
  const uint64_t got = in.u64();
  if (got != n) return make_status(NT_INTERNAL, "task_check: the worker answered for a different count");
  for (size_t i = 0; i < n; ++i) qualities[i] = in.f64();
  give(reasons, std::string(in.bytes()));
  return nullptr;
}

nt_status* WorkerProxy::t_work(nt_task* task, nt_slice request, nt_slice response, double* out) {
  ProxyTask& t = *task_of(task);
  Result r = t.proxy->call(kWork, &t, [&](Out& o) {
    o.bytes(view(request));
    o.bytes(view(response));
  }, nullptr, "task_work");
  if (r.code != 0) return t.proxy->status_of(r);
  In in = In::body(r.payload);
  *out = in.f64();
  return nullptr;
}

nt_status* WorkerProxy::t_validate(nt_task* task, nt_slice request) {
  ProxyTask& t = *task_of(task);
  return t.proxy->status_of(t.proxy->call(kValidate, &t, [&](Out& o) { o.bytes(view(request)); }, nullptr,
                                          "task_validate"));
}

}  // namespace nineteen::plugin_host
