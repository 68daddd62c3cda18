// Host-side calls into one task, turning statuses into TaskCallError and buffers into strings.
#include "nineteen/plugin_host/live_task.hpp"

#include <rapidjson/document.h>

#include "nineteen/plugin_host/plugin_library.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::plugin_host {

const char* code_name(int32_t code) { return nt_code_name(code); }

std::string take_status_message(nt_status* status, const char* if_empty) {
  std::string message = status->message && *status->message ? status->message : if_empty;
  nt_status_release(status);
  return message;
}

void throw_if_error(nt_status* status, const std::string& context) {
  if (!status) return;
  const int32_t code = status->code;
  const std::string message = take_status_message(status);
  throw TaskCallError(code, context.empty() ? message : context + ": " + message);
}

int call_depth(const nt_call* call) { return call ? call->depth : 0; }

namespace {

std::string take(nt_buffer& buffer) {
  std::string out(buffer.data ? buffer.data : "", buffer.data ? buffer.size : 0);
  nt_buffer_release(&buffer);
  return out;
}

std::string string_field(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  return (it != v.MemberEnd() && it->value.IsString()) ? it->value.GetString() : std::string();
}

}  // namespace

LiveTask::LiveTask(std::shared_ptr<PluginLibrary> library, nt_task* task, std::string name)
    : library_(std::move(library)), task_(task), name_(std::move(name)) {
  nt_buffer buffer{};
  nt_status* status = library_->api().task_describe(task_, &buffer);
  if (status) {
    const std::string message = take_status_message(status, "");
    library_->api().task_destroy(task_);
    throw PluginError("task \"" + name_ + "\": describe failed: " + message);
  }
  info_.json = take(buffer);
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, info_.json).empty() || !doc.IsObject()) {
    library_->api().task_destroy(task_);
    throw PluginError("task \"" + name_ + "\": describe returned invalid JSON: " + info_.json.substr(0, 80));
  }
  info_.name = string_field(doc, "name");
  info_.kind = string_field(doc, "kind");
  info_.endpoint = string_field(doc, "endpoint");
  info_.work_unit = string_field(doc, "work_unit");
  info_.model = string_field(doc, "model");
  auto needs = doc.FindMember("check_needs");
  if (needs != doc.MemberEnd() && needs->value.IsObject()) info_.check_needs = sdk::to_json(needs->value);
  auto listing = doc.FindMember("listing");
  if (listing != doc.MemberEnd() && listing->value.IsObject()) info_.listing = sdk::to_json(listing->value);
  auto stream = doc.FindMember("stream");
  info_.stream = stream != doc.MemberEnd() && stream->value.IsBool() && stream->value.GetBool();
}

LiveTask::~LiveTask() { library_->api().task_destroy(task_); }

std::string LiveTask::synthesize(uint64_t seed) {
  if (!library_->api().task_synthesize) throw TaskCallError(NT_UNIMPLEMENTED, name_ + ": synthesize is not provided");
  nt_buffer buffer{};
  throw_if_error(library_->api().task_synthesize(task_, seed, &buffer), "");
  return take(buffer);
}

void LiveTask::serve(std::string_view request, const ChunkSink& sink, CallControl* control, const nt_call* parent) {
  CallControl own;
  nt_call call;
  call.sink = &sink;
  call.control = control ? control : &own;
  call.parent = parent;
  call.depth = call_depth(parent) + 1;
  throw_if_error(library_->api().task_serve(task_, &call, nt_slice{request.data(), request.size()}), "");
}

std::string LiveTask::serve_collect(std::string_view request) {
  std::string out = "[";
  bool first = true;
  serve(request, [&](std::string_view chunk) {
    if (!first) out += ',';
    first = false;
    out.append(chunk.data(), chunk.size());
    return true;
  });
  return out + "]";
}

std::vector<CheckOutcome> LiveTask::check(const std::vector<std::string>& requests,
                                          const std::vector<std::string>& responses) {
  if (!library_->api().task_check) throw TaskCallError(NT_UNIMPLEMENTED, name_ + ": check is not provided");
  if (requests.size() != responses.size()) throw TaskCallError(NT_INVALID_ARGUMENT, "check: requests and responses differ in count");
  const size_t n = requests.size();
  std::vector<nt_slice> reqs(n), resps(n);
  for (size_t i = 0; i < n; ++i) {
    reqs[i] = nt_slice{requests[i].data(), requests[i].size()};
    resps[i] = nt_slice{responses[i].data(), responses[i].size()};
  }
  std::vector<double> qualities(n, 0.0);
  nt_buffer reasons{};
  throw_if_error(library_->api().task_check(task_, n, reqs.data(), resps.data(), qualities.data(), &reasons), "");
  std::string reasons_json = take(reasons);
  rapidjson::Document doc;
  const bool parsed = sdk::parse_json_bounded(doc, reasons_json).empty();
  std::vector<CheckOutcome> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].quality = qualities[i];
    if (parsed && doc.IsArray() && i < doc.Size() && doc[static_cast<rapidjson::SizeType>(i)].IsString()) {
      out[i].reason = doc[static_cast<rapidjson::SizeType>(i)].GetString();
    }
  }
  return out;
}

double LiveTask::work(std::string_view request, std::string_view response) {
  if (!library_->api().task_work) throw TaskCallError(NT_UNIMPLEMENTED, name_ + ": work is not provided");
  double out = 0;
  throw_if_error(library_->api().task_work(task_, nt_slice{request.data(), request.size()},
                                           nt_slice{response.data(), response.size()}, &out), "");
  return out;
}

void LiveTask::validate(std::string_view request) {
  const nt_plugin_api& api = library_->api();
  const bool has_validate = api.struct_size >= offsetof(nt_plugin_api, task_validate) + sizeof(void*);
  if (!has_validate || !api.task_validate) return;
  throw_if_error(api.task_validate(task_, nt_slice{request.data(), request.size()}), "");
}

void LiveTask::self_test() {
  if (!library_->api().task_self_test) return;
  throw_if_error(library_->api().task_self_test(task_), "");
}

}  // namespace nineteen::plugin_host
