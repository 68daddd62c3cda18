// Loading one plugin library: export check, entry call, ABI check, host services, init/finalize.
#include "nineteen/plugin_host/plugin_library.hpp"

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <sstream>

#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include "nineteen/plugin_host/live_task.hpp"
#include "nineteen/plugin_host/task_registry.hpp"
#include "nineteen/sdk/json.hpp"
#include "worker_proxy.hpp"

namespace nineteen::plugin_host {

// Behind nt_host*: which plugin is talking (for log attribution) and where `invoke` finds tasks.
struct HostContext {
  nt_host_api api{};
  std::string plugin_label;
  std::weak_ptr<TaskResolver> resolver;
};

}  // namespace nineteen::plugin_host

struct nt_host {
  nineteen::plugin_host::HostContext* context;
};

namespace nineteen::plugin_host {
namespace {

struct HostStatus {
  nt_status status;
  std::string message;
};

nt_status* host_status(int32_t code, std::string message) {
  auto* s = new HostStatus{};
  s->message = std::move(message);
  s->status.code = code;
  s->status.message = s->message.c_str();
  s->status.release = [](nt_status* self) { delete reinterpret_cast<HostStatus*>(self); };
  return &s->status;
}

HostContext* context_of(nt_host* host) { return reinterpret_cast<HostContext*>(host); }

void host_log(nt_host* host, int32_t level, const char* message) noexcept {
  try {
    const std::string& who = context_of(host)->plugin_label;
    auto lvl = level <= NT_LOG_TRACE   ? spdlog::level::trace
               : level == NT_LOG_DEBUG ? spdlog::level::debug
               : level == NT_LOG_INFO  ? spdlog::level::info
               : level == NT_LOG_WARN  ? spdlog::level::warn
                                       : spdlog::level::err;
    spdlog::log(lvl, "[{}] {}", who, message ? message : "");
  } catch (...) {
  }
}

nt_status* host_invoke(nt_host* host, nt_call* parent, const char* task_name, nt_slice request,
                       nt_chunk_fn on_chunk, void* user) noexcept {
  try {
    if (!task_name || !on_chunk) return host_status(NT_INVALID_ARGUMENT, "invoke: task name and on_chunk are required");
    if (call_depth(parent) >= kMaxInvokeDepth) {
      return host_status(NT_INVALID_ARGUMENT, std::string("invoke of \"") + task_name + "\": nested deeper than " +
                                                  std::to_string(kMaxInvokeDepth) + " calls (a task invoking itself?)");
    }
    auto resolver = context_of(host)->resolver.lock();
    std::shared_ptr<LiveTask> task = resolver ? resolver->find(task_name) : nullptr;
    if (!task) {
      return host_status(NT_NOT_FOUND, std::string("invoke: no task \"") + task_name +
                                           "\" is loaded (enable it in tasks.toml)");
    }
    CallControl control;
    ChunkSink sink = [&](std::string_view chunk) {
      return on_chunk(user, chunk.data(), chunk.size()) == 0;
    };
    task->serve(std::string_view(request.data, request.size), sink, &control, parent);
    return nullptr;
  } catch (const TaskCallError& e) {
    return host_status(e.code(), std::string("invoke of \"") + task_name + "\": " + e.what());
  } catch (const std::exception& e) {
    return host_status(NT_INTERNAL, std::string("invoke of \"") + (task_name ? task_name : "?") + "\": " + e.what());
  } catch (...) {
    return host_status(NT_INTERNAL, "invoke: unknown error");
  }
}

int32_t host_emit(nt_call* call, const char* data, size_t size) noexcept {
  try {
    if (!call || !call->sink) return 1;
    if (call->control && call->control->cancelled.load()) return 1;
    if (!(*call->sink)(std::string_view(data, size))) {
      if (call->control) call->control->cancelled = true;
      return 1;
    }
    return 0;
  } catch (...) {
    return 1;
  }
}

int32_t host_cancelled(const nt_call* call) noexcept {
  for (const nt_call* c = call; c; c = c->parent) {
    if (c->control && c->control->cancelled.load()) return 1;
  }
  return 0;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

// The last field of the 1.0 table: a plugin whose struct_size does not reach it is malformed.
constexpr size_t kPluginApiV1_0Size = offsetof(nt_plugin_api, task_work) + sizeof(void*);

}  // namespace

AbiVersion host_abi() { return AbiVersion{NT_ABI_MAJOR, NT_ABI_MINOR}; }

std::vector<std::string> exported_symbols(const std::filesystem::path& file) {
  boost::dll::library_info info(file, /*throw_if_not_native=*/true);
  std::vector<std::string> symbols = info.symbols();
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  return symbols;
}

std::shared_ptr<PluginLibrary> PluginLibrary::load(const std::filesystem::path& file,
                                                   std::weak_ptr<TaskResolver> resolver,
                                                   const std::filesystem::path& shown_path,
                                                   const PluginIsolation& isolation, bool remove_file_at_end) {
  const std::filesystem::path shown = shown_path.empty() ? file : shown_path;
  const std::string where = shown.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw PluginError(where + ": no such plugin file");

  // Read the export table before running any of the library's code.
  {
    char magic[4] = {};
    std::ifstream in(file, std::ios::binary);
    in.read(magic, 4);
    if (!in || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F') {
      throw PluginError(where + ": not a loadable shared library (no ELF header; a half-written file?)");
    }
  }
  std::vector<std::string> symbols;
  try {
    symbols = exported_symbols(file);
  } catch (const std::exception& e) {
    throw PluginError(where + ": not a loadable shared library (" + e.what() + ")");
  }
  const std::string entry = NT_PLUGIN_ENTRY_SYMBOL;
  if (std::find(symbols.begin(), symbols.end(), entry) == symbols.end()) {
    throw PluginError(where + ": does not export the entry symbol \"" + entry +
                      "\" (define it with NINETEEN_PLUGIN(...) from <nineteen/sdk/export.hpp>)");
  }
  std::vector<std::string> extra;
  for (const std::string& s : symbols) {
    if (s != entry && s != "_init" && s != "_fini") extra.push_back(s);
  }
  // Names a person wrote (unmangled C names) first: they are the likely leaks to fix.
  std::stable_partition(extra.begin(), extra.end(), [](const std::string& s) { return s.rfind("_Z", 0) != 0; });
  if (!extra.empty()) {
    if (extra.size() > 5) {
      size_t more = extra.size() - 5;
      extra.resize(5);
      extra.push_back("and " + std::to_string(more) + " more");
    }
    throw PluginError(where + ": exports symbols besides \"" + entry + "\": " + join(extra, ", ") +
                      " (build it with nineteen_add_plugin(), which hides everything else)");
  }

  std::shared_ptr<PluginLibrary> lib(new PluginLibrary());
  lib->shown_path_ = shown;
  lib->context_ = std::make_unique<HostContext>();
  HostContext& ctx = *lib->context_;
  ctx.plugin_label = shown.filename().string();
  ctx.resolver = std::move(resolver);
  ctx.api.abi_major = NT_ABI_MAJOR;
  ctx.api.abi_minor = NT_ABI_MINOR;
  ctx.api.struct_size = sizeof(nt_host_api);
  ctx.api.host = reinterpret_cast<nt_host*>(&ctx);
  ctx.api.log = &host_log;
  ctx.api.invoke = &host_invoke;
  ctx.api.emit = &host_emit;
  ctx.api.cancelled = &host_cancelled;

  const nt_plugin_api* api = nullptr;
  if (isolation.process) {
    // The worker loads the library and calls its entry; its table's header comes back in its hello.
    lib->worker_ = std::make_unique<WorkerProxy>(file, where, isolation, remove_file_at_end);
    api = &lib->worker_->api();
  } else {
    try {
      lib->library_ = std::make_unique<boost::dll::shared_library>(
          file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
      throw PluginError(where + ": cannot be loaded: " + e.what());
    }
    auto entry_fn = lib->library_->get<std::remove_pointer_t<nt_plugin_entry_fn>>(entry);
    nt_status* status = entry_fn(&ctx.api, &api);
    if (status) {
      throw PluginError(where + ": the entry function failed: " + take_status_message(status));
    }
    if (!api) throw PluginError(where + ": the entry function returned no function table");
  }

  lib->abi_ = AbiVersion{api->abi_major, api->abi_minor};
  const AbiVersion host = host_abi();
  if (lib->abi_.major != host.major) {
    throw PluginError(where + ": plugin ABI " + lib->abi_.str() + " is not compatible with host ABI " + host.str() +
                      " (the major versions must be equal; rebuild the plugin against this host's SDK)");
  }
  if (lib->abi_.minor > host.minor) {
    throw PluginError(where + ": plugin ABI " + lib->abi_.str() + " is newer than host ABI " + host.str() +
                      " (upgrade the host, or rebuild the plugin against this host's SDK)");
  }
  if (api->struct_size < kPluginApiV1_0Size) {
    throw PluginError(where + ": the plugin's function table is " + std::to_string(api->struct_size) +
                      " bytes, smaller than ABI " + lib->abi_.str() + " defines (" +
                      std::to_string(kPluginApiV1_0Size) + ")");
  }
  if (!api->plugin_init || !api->plugin_finalize || !api->task_create || !api->task_destroy ||
      !api->task_describe || !api->task_serve) {
    throw PluginError(where + ": the function table lacks a required function (init, finalize, task_create, "
                      "task_destroy, task_describe, task_serve)");
  }
  lib->api_ = api;
  lib->name_ = api->plugin_name ? api->plugin_name : shown.stem().string();
  lib->version_ = api->plugin_version ? api->plugin_version : "?";
  ctx.plugin_label = lib->name_;
  if (lib->worker_) lib->worker_->set_label(lib->name_ + " (" + shown.filename().string() + ")");

  nt_status* status = lib->worker_ ? lib->worker_->init(&ctx.api, &lib->plugin_) : api->plugin_init(&ctx.api, &lib->plugin_);
  if (status) {
    lib->api_ = nullptr;  // not initialised: nothing to finalise
    throw PluginError(where + ": plugin_init failed: " + take_status_message(status));
  }
  return lib;
}

int PluginLibrary::worker_pid() const { return worker_ ? worker_->pid() : 0; }
unsigned PluginLibrary::worker_restarts() const { return worker_ ? worker_->restarts() : 0; }

PluginLibrary::~PluginLibrary() {
  if (api_ && plugin_) api_->plugin_finalize(plugin_);
  // library_ unloads after this body, once nothing of the plugin is left to run.
}

std::vector<TaskTypeInfo> PluginLibrary::task_types() const {
  std::vector<TaskTypeInfo> types;
  if (!api_->plugin_describe) return types;
  nt_buffer buffer{};
  throw_if_error(api_->plugin_describe(plugin_, &buffer), name_ + ": plugin_describe");
  rapidjson::Document doc;
  const bool parsed = sdk::parse_json_bounded(doc, std::string_view(buffer.data, buffer.size)).empty();
  nt_buffer_release(&buffer);
  if (!parsed || !doc.IsObject() || !doc.HasMember("task_types") || !doc["task_types"].IsArray()) {
    throw PluginError(shown_path_.string() + ": plugin_describe did not return {\"task_types\":[...]}");
  }
  for (const auto& t : doc["task_types"].GetArray()) {
    TaskTypeInfo info;
    if (t.IsObject() && t.HasMember("type") && t["type"].IsString()) info.type = t["type"].GetString();
    if (t.IsObject() && t.HasMember("description") && t["description"].IsString()) info.description = t["description"].GetString();
    types.push_back(info);
  }
  return types;
}

std::shared_ptr<LiveTask> PluginLibrary::create_task(const std::string& task_name, const std::string& config_json) {
  nt_task* task = nullptr;
  nt_status* status = api_->task_create(plugin_, task_name.c_str(), nt_slice{config_json.data(), config_json.size()}, &task);
  if (status) {
    std::string message = take_status_message(status);
    // The SDK names the task itself ("task \"x\" key ..."): said once is enough.
    const std::string named = "task \"" + task_name + "\"";
    if (message.compare(0, named.size() + 1, named + " ") == 0) message = message.substr(named.size() + 1);
    if (message.compare(0, named.size() + 2, named + ": ") == 0) message = message.substr(named.size() + 2);
    throw PluginError(named + " (" + shown_path_.filename().string() + "): " + message);
  }
  if (!task) throw PluginError("task \"" + task_name + "\": task_create returned no task");
  return std::make_shared<LiveTask>(shared_from_this(), task, task_name);
}

}  // namespace nineteen::plugin_host
