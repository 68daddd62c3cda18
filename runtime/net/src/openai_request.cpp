// OpenAI request body helpers.
#include "nineteen/net/openai_request.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nineteen::net {

std::string with_model(const std::string& request_json, const std::string& model) {
  rapidjson::Document doc;
  doc.Parse(request_json.data(), request_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return request_json;
  rapidjson::Value value(model.c_str(), static_cast<rapidjson::SizeType>(model.size()), doc.GetAllocator());
  if (doc.HasMember("model")) {
    doc["model"] = value;
  } else {
    doc.AddMember("model", value, doc.GetAllocator());
  }
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  return std::string(out.GetString(), out.GetSize());
}

bool wants_stream(const std::string& request_json) {
  rapidjson::Document doc;
  doc.Parse(request_json.data(), request_json.size());
  return !doc.HasParseError() && doc.IsObject() && doc.HasMember("stream") && doc["stream"].IsBool() &&
         doc["stream"].GetBool();
}

}  // namespace nineteen::net
