// OpenAI request body helpers.
#include "nineteen/net/openai_request.hpp"

#include <cstdlib>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "nineteen/sdk/json.hpp"

namespace nineteen::net {

std::string with_model(const std::string& request_json, const std::string& model) {
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, request_json).empty() || !doc.IsObject()) return request_json;
  rapidjson::Value value(model.c_str(), static_cast<rapidjson::SizeType>(model.size()), doc.GetAllocator());
  if (doc.HasMember("model")) {
    doc["model"] = value;
  } else {
    doc.AddMember("model", value, doc.GetAllocator());
  }
  return sdk::to_json(doc);
}

bool wants_stream(const std::string& request_json) {
  rapidjson::Document doc;
  return sdk::parse_json_bounded(doc, request_json).empty() && doc.IsObject() && doc.HasMember("stream") &&
         doc["stream"].IsBool() && doc["stream"].GetBool();
}

RequestHeadRead read_request_head(std::string_view body) {
  RequestHeadRead out;
  auto refuse = [&](std::string message, const char* code, const char* param) {
    out.error = RequestHeadError{std::move(message), code, param};
    return out;
  };
  rapidjson::Document doc;
  const std::string problem = sdk::parse_json_bounded(doc, body);
  if (!problem.empty()) return refuse("the request body is not usable: " + problem, "invalid_json", "");
  if (!doc.IsObject()) return refuse("the request body must be a JSON object", "invalid_json", "");
  RequestHead head;
  auto model = doc.FindMember("model");
  if (model != doc.MemberEnd()) {
    if (!model->value.IsString()) {
      return refuse("key \"model\": expected the task's name as a string, got " + sdk::json_preview(model->value, 40),
                    "invalid_request", "model");
    }
    std::string name(model->value.GetString(), model->value.GetStringLength());
    if (name.size() > 256) return refuse("key \"model\": a name of at most 256 bytes", "invalid_request", "model");
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7f) {
        return refuse("key \"model\": contains a control character; send the task's name as listed by GET /v1/models",
                      "invalid_request", "model");
      }
    }
    head.model = std::move(name);
  }
  auto stream = doc.FindMember("stream");
  if (stream != doc.MemberEnd() && !stream->value.IsBool() && !stream->value.IsNull()) {
    return refuse("key \"stream\": expected true or false", "invalid_request", "stream");
  }
  head.stream = stream != doc.MemberEnd() && stream->value.IsBool() && stream->value.GetBool();
  out.head = std::move(head);
  return out;
}

}  // namespace nineteen::net
