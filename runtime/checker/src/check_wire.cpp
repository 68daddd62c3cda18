// Writing and reading the checker's JSON bodies with RapidJSON; every read error names the key.
#include "check_wire.hpp"
#include "nineteen/sdk/json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nineteen::checker::wire {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

std::string to_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer out;
  Writer w(out);
  v.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

rapidjson::Document parse_object(std::string_view body, const char* what) {
  rapidjson::Document doc;
  const std::string problem = sdk::parse_json_bounded(doc, body);
  if (!problem.empty()) throw WireError(std::string(what) + ": " + problem, "");
  if (!doc.IsObject()) throw WireError(std::string(what) + ": expected a JSON object", "");
  return doc;
}

// The JSON text an item's "request" or "response" stands for.
std::string json_text(const rapidjson::Value& v, const std::string& param) {
  if (v.IsString()) {
    std::string text(v.GetString(), v.GetStringLength());
    if (text.empty()) throw WireError(param + ": expected JSON text or a JSON value, got an empty string", param);
    return text;
  }
  if (v.IsNull()) throw WireError(param + ": expected JSON text or a JSON value, got null", param);
  return to_text(v);
}

}  // namespace

std::string encode_batch(const std::vector<CheckItem>& items) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (const CheckItem& item : items) {
    w.StartObject();
    w.Key("task");
    write_string(w, item.task);
    w.Key("request");
    write_string(w, item.request);
    w.Key("response");
    write_string(w, item.response);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

std::vector<CheckItem> decode_batch(std::string_view body) {
  rapidjson::Document doc = parse_object(body, "the body");
  auto items = doc.FindMember("items");
  if (items == doc.MemberEnd() || !items->value.IsArray()) {
    throw WireError("the body needs \"items\": an array of {\"task\",\"request\",\"response\"}", "items");
  }
  std::vector<CheckItem> out;
  out.reserve(items->value.Size());
  for (rapidjson::SizeType i = 0; i < items->value.Size(); ++i) {
    const rapidjson::Value& v = items->value[i];
    const std::string at = "items[" + std::to_string(i) + "]";
    if (!v.IsObject()) throw WireError(at + ": expected an object with \"task\", \"request\", \"response\"", at);
    CheckItem item;
    auto task = v.FindMember("task");
    if (task == v.MemberEnd() || !task->value.IsString() || task->value.GetStringLength() == 0) {
      throw WireError(at + ".task: expected a task name (a non-empty string)", at + ".task");
    }
    item.task.assign(task->value.GetString(), task->value.GetStringLength());
    for (const char* key : {"request", "response"}) {
      auto m = v.FindMember(key);
      const std::string param = at + "." + key;
      if (m == v.MemberEnd()) throw WireError(param + " is missing", param);
      (std::string(key) == "request" ? item.request : item.response) = json_text(m->value, param);
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::string encode_status(const std::string& id, const JobStatus& status) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("id");
  write_string(w, id);
  w.Key("status");
  w.String(job_state_name(status.state));
  w.Key("results");
  w.StartArray();
  for (const CheckOutcome& o : status.outcomes) {
    w.StartObject();
    w.Key("quality");
    w.Double(o.quality);
    w.Key("reason");
    write_string(w, o.reason);
    w.EndObject();
  }
  w.EndArray();
  if (!status.answer_errors.empty()) {
    w.Key("answer_errors");
    w.StartArray();
    for (const std::string& e : status.answer_errors) {
      if (e.empty()) {
        w.Null();
      } else {
        write_string(w, e);
      }
    }
    w.EndArray();
  }
  w.Key("error");
  if (status.error.empty()) {
    w.Null();
  } else {
    write_string(w, status.error);
  }
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

JobStatus decode_status(std::string_view body) {
  rapidjson::Document doc = parse_object(body, "the checker's job status");
  JobStatus s;
  auto status = doc.FindMember("status");
  if (status == doc.MemberEnd() || !status->value.IsString()) {
    throw WireError("the checker's job status has no \"status\" string", "status");
  }
  const std::string name = status->value.GetString();
  if (name == "pending") {
    s.state = JobState::pending;
  } else if (name == "done") {
    s.state = JobState::done;
  } else if (name == "failed") {
    s.state = JobState::failed;
  } else {
    throw WireError("the checker's job status \"" + name + "\" is not pending, done or failed", "status");
  }
  auto error = doc.FindMember("error");
  if (error != doc.MemberEnd() && error->value.IsString()) s.error = error->value.GetString();
  auto answer_errors = doc.FindMember("answer_errors");
  if (s.state == JobState::failed && answer_errors != doc.MemberEnd()) {
    if (!answer_errors->value.IsArray()) throw WireError("\"answer_errors\" is not an array", "answer_errors");
    for (rapidjson::SizeType i = 0; i < answer_errors->value.Size(); ++i) {
      const rapidjson::Value& e = answer_errors->value[i];
      if (!e.IsNull() && !e.IsString()) {
        throw WireError("answer_errors[" + std::to_string(i) + "]: expected a string or null",
                        "answer_errors[" + std::to_string(i) + "]");
      }
      s.answer_errors.push_back(e.IsString() ? std::string(e.GetString(), e.GetStringLength()) : std::string());
    }
  }
  auto results = doc.FindMember("results");
  if (s.state == JobState::done) {
    if (results == doc.MemberEnd() || !results->value.IsArray()) {
      throw WireError("a done job status has no \"results\" array", "results");
    }
    for (rapidjson::SizeType i = 0; i < results->value.Size(); ++i) {
      const rapidjson::Value& r = results->value[i];
      const std::string at = "results[" + std::to_string(i) + "]";
      if (!r.IsObject() || !r.HasMember("quality") || !r["quality"].IsNumber()) {
        throw WireError(at + ": expected {\"quality\": number, \"reason\": string}", at);
      }
      CheckOutcome o;
      o.quality = r["quality"].GetDouble();
      if (r.HasMember("reason") && r["reason"].IsString()) o.reason = r["reason"].GetString();
      s.outcomes.push_back(std::move(o));
    }
  }
  return s;
}

std::string encode_job_id(const std::string& id) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("id");
  write_string(w, id);
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

std::string decode_job_id(std::string_view body) {
  rapidjson::Document doc = parse_object(body, "the checker's answer to a batch");
  auto id = doc.FindMember("id");
  if (id == doc.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0) {
    throw WireError("the checker's answer to a batch has no \"id\" string", "id");
  }
  return id->value.GetString();
}

std::string error_message(std::string_view body) {
  rapidjson::Document doc;
  if (sdk::parse_json_bounded(doc, body).empty() && doc.IsObject() && doc.HasMember("error") && doc["error"].IsObject() &&
      doc["error"].HasMember("message") && doc["error"]["message"].IsString()) {
    return doc["error"]["message"].GetString();
  }
  return std::string(body.substr(0, 500));
}

}  // namespace nineteen::checker::wire
