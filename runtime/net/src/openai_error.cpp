// Builds error bodies in OpenAI's nested shape so OpenAI clients parse our errors.
#include "nineteen/net/openai_error.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nineteen::net {

const char* error_type_for_status(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
  }
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

std::string error_json(int status, const ErrorBody& error) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto string_or_null = [&](const std::optional<std::string>& s) {
    if (s) {
      w.String(s->data(), static_cast<rapidjson::SizeType>(s->size()));
    } else {
      w.Null();
    }
  };
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("message");
  w.String(error.message.data(), static_cast<rapidjson::SizeType>(error.message.size()));
  w.Key("type");
  w.String(error.type.empty() ? error_type_for_status(status) : error.type.c_str());
  w.Key("param");
  string_or_null(error.param);
  w.Key("code");
  string_or_null(error.code);
  w.EndObject();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

Response error_response(int status, const ErrorBody& error) {
  return json_response(status, error_json(status, error));
}

Response error_response(int status, std::string message, std::optional<std::string> code) {
  ErrorBody body;
  body.message = std::move(message);
  body.code = std::move(code);
  return error_response(status, body);
}

}  // namespace nineteen::net
