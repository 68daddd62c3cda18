// The Responses API over chat completions: requests in, Response objects and stream events out.
#include "nineteen/gateway/responses_translation.hpp"

#include <chrono>

#include <rapidjson/document.h>

#include "nineteen/net/request_id.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::gateway {
namespace {

using rapidjson::Value;

net::RequestHeadError refusal(std::string message, std::string param, std::string code = "invalid_request") {
  return net::RequestHeadError{std::move(message), std::move(code), std::move(param)};
}

// Keys of OpenAI's Responses API that this stateless translation does not implement.
const char* const kUnsupportedKeys[] = {
    "previous_response_id", "conversation", "tools", "tool_choice", "parallel_tool_calls", "max_tool_calls",
    "reasoning", "include", "top_logprobs", "prompt", "prompt_cache_key", "safety_identifier", "service_tier",
    "stream_options", "context_management"};
const char* const kHonouredKeys[] = {"model",    "input", "instructions", "max_output_tokens", "temperature", "top_p",
                                     "stream",   "store", "metadata",     "user",              "text",        "truncation",
                                     "background"};

bool one_of(const std::string& key, const char* const* begin, const char* const* end) {
  for (const char* const* k = begin; k != end; ++k) {
    if (key == *k) return true;
  }
  return false;
}

// The text of a message item's content: a string, or input_text / output_text parts joined.
std::optional<net::RequestHeadError> content_text(const Value& content, const std::string& where, std::string& text) {
  if (content.IsString()) {
    text.assign(content.GetString(), content.GetStringLength());
    return std::nullopt;
  }
  if (!content.IsArray()) return refusal(where + ": expected a string or a list of input_text parts", where);
  for (rapidjson::SizeType j = 0; j < content.Size(); ++j) {
    const Value& part = content[j];
    const std::string at = where + "[" + std::to_string(j) + "]";
    if (!part.IsObject() || !part.HasMember("type") || !part["type"].IsString()) {
      return refusal(at + ": expected an object with a string \"type\"", at);
    }
    const std::string type = part["type"].GetString();
    if (type != "input_text" && type != "output_text") {
      return refusal(at + ".type: \"" + type.substr(0, 40) + "\" is not supported here; only input_text and output_text parts",
                     at + ".type", "unsupported_parameter");
    }
    if (!part.HasMember("text") || !part["text"].IsString()) return refusal(at + ".text: expected a string", at + ".text");
    text.append(part["text"].GetString(), part["text"].GetStringLength());
  }
  return std::nullopt;
}

// "input" as chat messages appended to `messages`.
std::optional<net::RequestHeadError> read_input(const Value& input, Value& messages, rapidjson::Document::AllocatorType& alloc) {
  auto add = [&](const char* role, const std::string& text) {
    Value m(rapidjson::kObjectType);
    m.AddMember("role", Value(role, alloc), alloc);
    m.AddMember("content", Value(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), alloc), alloc);
    messages.PushBack(m, alloc);
  };
  if (input.IsString()) {
    add("user", std::string(input.GetString(), input.GetStringLength()));
    return std::nullopt;
  }
  if (!input.IsArray() || input.Empty()) {
    return refusal("input: expected a string or a non-empty list of message items", "input");
  }
  for (rapidjson::SizeType i = 0; i < input.Size(); ++i) {
    const Value& item = input[i];
    const std::string at = "input[" + std::to_string(i) + "]";
    if (!item.IsObject()) return refusal(at + ": expected a message item (an object with role and content)", at);
    if (item.HasMember("type")) {
      if (!item["type"].IsString()) return refusal(at + ".type: expected a string", at + ".type");
      const std::string type = item["type"].GetString();
      if (type != "message") {
        return refusal(at + ".type: \"" + type.substr(0, 40) + "\" items are not supported; only message items",
                       at + ".type", "unsupported_parameter");
      }
    }
    for (const auto& m : item.GetObject()) {
      const std::string key(m.name.GetString(), m.name.GetStringLength());
      if (key != "type" && key != "role" && key != "content" && key != "id" && key != "status") {
        return refusal(at + "." + key.substr(0, 40) + ": unknown in a message item (type, role, content, id, status)",
                       at + "." + key.substr(0, 40));
      }
    }
    if (!item.HasMember("role") || !item["role"].IsString()) {
      return refusal(at + ".role: expected \"user\", \"assistant\", \"system\" or \"developer\"", at + ".role");
    }
    std::string role = item["role"].GetString();
    if (role == "developer") role = "system";  // the Responses API's name for the instructions' role
    if (role != "user" && role != "assistant" && role != "system") {
      return refusal(at + ".role: expected \"user\", \"assistant\", \"system\" or \"developer\", got \"" +
                         role.substr(0, 40) + "\"",
                     at + ".role");
    }
    if (!item.HasMember("content")) return refusal(at + ".content: missing", at + ".content");
    std::string text;
    if (auto problem = content_text(item["content"], at + ".content", text)) return problem;
    add(role.c_str(), text);
  }
  return std::nullopt;
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A fresh id with the Responses API's prefix ("resp_", "msg_").
std::string id_with_prefix(const std::string& prefix) { return prefix + net::new_request_id().substr(4); }

std::string usage_from_chat(const Value& usage) {
  auto count = [&](const char* key) -> long long {
    auto m = usage.FindMember(key);
    return m != usage.MemberEnd() && m->value.IsInt64() ? m->value.GetInt64() : 0;
  };
  const long long in = count("prompt_tokens"), out = count("completion_tokens");
  return "{\"input_tokens\":" + std::to_string(in) + ",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":" +
         std::to_string(out) + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":" +
         std::to_string(in + out) + "}";
}

// The one output message, whole.
std::string message_item(const ResponsesCall& call, const std::string& text, bool complete) {
  return "{\"type\":\"message\",\"id\":\"" + call.message_id + "\",\"status\":\"" +
         (complete ? "completed" : "incomplete") + "\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
         "\"text\":" + sdk::json_quote(text) + ",\"annotations\":[]}]}";
}

// A Response object. `status`: in_progress, completed or incomplete; `output` a JSON array; `usage` JSON or "null".
std::string response_object(const ResponsesCall& call, long long created_at, const std::string& status,
                            const std::string& output, const std::string& usage) {
  return "{\"id\":\"" + call.response_id + "\",\"object\":\"response\",\"created_at\":" + std::to_string(created_at) +
         ",\"status\":\"" + status + "\",\"error\":null,\"incomplete_details\":" +
         (status == "incomplete" ? "{\"reason\":\"max_output_tokens\"}" : "null") + ",\"model\":" +
         sdk::json_quote(call.model) + ",\"output\":" + output +
         ",\"parallel_tool_calls\":false,\"previous_response_id\":null,\"store\":false,"
         "\"text\":{\"format\":" + call.text_format + "},\"tool_choice\":\"none\",\"tools\":[],\"truncation\":\"disabled\"," +
         call.echoed_settings + ",\"usage\":" + usage + "}";
}

}  // namespace

ResponsesRead read_responses_request(const std::string& body) {
  ResponsesRead out;
  rapidjson::Document request;
  if (!sdk::parse_json_bounded(request, body).empty() || !request.IsObject()) {
    out.refusal = refusal("the body is not a JSON object", "");
    return out;
  }
  if (!request.HasMember("model") || !request["model"].IsString()) {
    out.refusal = refusal("model: expected the name of a chat task as a string", "model");
    return out;
  }
  for (const auto& m : request.GetObject()) {
    const std::string key(m.name.GetString(), m.name.GetStringLength());
    if (key == "previous_response_id" || key == "conversation") {
      out.refusal = refusal(key + ": this gateway's Responses API is stateless and keeps no earlier response; send "
                                  "the whole conversation as input items instead",
                            key, "unsupported_parameter");
      return out;
    }
    if (one_of(key, std::begin(kUnsupportedKeys), std::end(kUnsupportedKeys))) {
      out.refusal = refusal(key + ": not supported by this gateway's Responses API; remove it", key, "unsupported_parameter");
      return out;
    }
    if (!one_of(key, std::begin(kHonouredKeys), std::end(kHonouredKeys))) {
      out.refusal = refusal(key.substr(0, 64) + ": unknown to the Responses API", key.substr(0, 64));
      return out;
    }
  }
  // Settings honoured only at the value a stateless, text-only translation gives anyway.
  if (request.HasMember("store") && !request["store"].IsFalse() && !request["store"].IsNull()) {
    out.refusal = refusal("store: responses are not stored here (the translation is stateless); send \"store\": false "
                          "or leave it out",
                          "store", "unsupported_parameter");
    return out;
  }
  if (request.HasMember("background") && !request["background"].IsFalse() && !request["background"].IsNull()) {
    out.refusal = refusal("background: not supported; send \"background\": false or leave it out", "background",
                          "unsupported_parameter");
    return out;
  }
  if (request.HasMember("truncation") && !request["truncation"].IsNull() &&
      !(request["truncation"].IsString() && std::string(request["truncation"].GetString()) == "disabled")) {
    out.refusal = refusal("truncation: only \"disabled\" is supported", "truncation", "unsupported_parameter");
    return out;
  }
  // text.format: "text", or a structured output the chat task is asked for as response_format
  // ({"type":"json_schema","name":…,"schema":…,"strict":…} or {"type":"json_object"}).
  const Value* format = nullptr;
  if (auto text = request.FindMember("text"); text != request.MemberEnd() && !text->value.IsNull()) {
    const Value& t = text->value;
    const bool shaped = t.IsObject() && t.MemberCount() <= 1 && (t.MemberCount() == 0 || t.HasMember("format"));
    std::string type;
    if (shaped && t.HasMember("format") && t["format"].IsObject() && t["format"].HasMember("type") &&
        t["format"]["type"].IsString()) {
      type = t["format"]["type"].GetString();
    }
    if (!shaped || (t.MemberCount() == 1 && type != "text" && type != "json_object" && type != "json_schema")) {
      out.refusal = refusal("text: expected {\"format\": {\"type\": \"text\" | \"json_object\" | \"json_schema\", …}}",
                            "text.format", "unsupported_parameter");
      return out;
    }
    if (type == "json_object" || type == "json_schema") format = &t["format"];
  }

  ResponsesCall& call = out.call;
  call.model = request["model"].GetString();
  call.stream = request.HasMember("stream") && request["stream"].IsTrue();
  call.response_id = id_with_prefix("resp_");
  call.message_id = id_with_prefix("msg_");

  rapidjson::Document chat(rapidjson::kObjectType);
  auto& alloc = chat.GetAllocator();
  chat.AddMember("model", Value(request["model"], alloc), alloc);
  Value messages(rapidjson::kArrayType);
  std::string echoed = "\"instructions\":null";
  if (auto instructions = request.FindMember("instructions");
      instructions != request.MemberEnd() && !instructions->value.IsNull()) {
    if (!instructions->value.IsString()) {
      out.refusal = refusal("instructions: expected a string", "instructions");
      return out;
    }
    Value m(rapidjson::kObjectType);
    m.AddMember("role", "system", alloc);
    m.AddMember("content", Value(instructions->value, alloc), alloc);
    messages.PushBack(m, alloc);
    echoed = "\"instructions\":" + sdk::to_json(instructions->value);
  }
  if (!request.HasMember("input")) {
    out.refusal = refusal("input: missing; send a string or a list of message items", "input");
    return out;
  }
  if (auto problem = read_input(request["input"], messages, alloc)) {
    out.refusal = problem;
    return out;
  }
  chat.AddMember("messages", messages, alloc);

  echoed += ",\"max_output_tokens\":";
  if (auto max = request.FindMember("max_output_tokens"); max != request.MemberEnd() && !max->value.IsNull()) {
    if (!max->value.IsInt64() || max->value.GetInt64() < 1) {
      out.refusal = refusal("max_output_tokens: expected an integer >= 1, got " + sdk::json_preview(max->value),
                            "max_output_tokens");
      return out;
    }
    chat.AddMember("max_tokens", Value(max->value, alloc), alloc);
    echoed += std::to_string(max->value.GetInt64());
  } else {
    echoed += "null";
  }
  for (const char* key : {"temperature", "top_p"}) {
    echoed += std::string(",\"") + key + "\":";
    auto v = request.FindMember(key);
    if (v == request.MemberEnd() || v->value.IsNull()) {
      echoed += "1";
      continue;
    }
    if (!v->value.IsNumber()) {
      out.refusal = refusal(std::string(key) + ": expected a number, got " + sdk::json_preview(v->value), key);
      return out;
    }
    chat.AddMember(Value(key, alloc), Value(v->value, alloc), alloc);
    echoed += sdk::to_json(v->value);
  }
  echoed += ",\"metadata\":";
  if (auto metadata = request.FindMember("metadata"); metadata != request.MemberEnd() && !metadata->value.IsNull()) {
    bool strings = metadata->value.IsObject() && metadata->value.MemberCount() <= 16;
    if (strings) {
      for (const auto& m : metadata->value.GetObject()) strings = strings && m.value.IsString() && m.value.GetStringLength() <= 512;
    }
    if (!strings) {
      out.refusal = refusal("metadata: expected an object of at most 16 string values (512 characters each)", "metadata");
      return out;
    }
    echoed += sdk::to_json(metadata->value);
  } else {
    echoed += "{}";
  }
  echoed += ",\"user\":";
  if (auto user = request.FindMember("user"); user != request.MemberEnd() && !user->value.IsNull()) {
    if (!user->value.IsString()) {
      out.refusal = refusal("user: expected a string", "user");
      return out;
    }
    chat.AddMember("user", Value(user->value, alloc), alloc);
    echoed += sdk::to_json(user->value);
  } else {
    echoed += "null";
  }
  if (call.stream) {
    chat.AddMember("stream", true, alloc);
    // The usage of response.completed comes from the chat stream's usage chunk.
    Value options(rapidjson::kObjectType);
    options.AddMember("include_usage", true, alloc);
    chat.AddMember("stream_options", options, alloc);
  }
  if (format) {
    Value response_format(rapidjson::kObjectType);
    const std::string type = (*format)["type"].GetString();
    response_format.AddMember("type", Value(type.c_str(), alloc), alloc);
    if (type == "json_schema") {
      Value spec(rapidjson::kObjectType);
      for (const auto& m : format->GetObject()) {
        if (std::string(m.name.GetString()) != "type") spec.AddMember(Value(m.name, alloc), Value(m.value, alloc), alloc);
      }
      response_format.AddMember("json_schema", spec, alloc);
    }
    chat.AddMember("response_format", response_format, alloc);
    call.text_format = sdk::to_json(*format);
  }
  call.chat_body = sdk::to_json(chat);
  call.echoed_settings = echoed;
  return out;
}

std::string responses_key_for(const std::string& chat_key) {
  if (chat_key == "max_tokens" || chat_key == "max_completion_tokens") return "max_output_tokens";
  if (chat_key == "messages") return "input";
  if (chat_key == "response_format") return "text.format";
  return chat_key;
}

std::string response_from_chat_completion(const std::string& chat_completion, const ResponsesCall& call) {
  rapidjson::Document chat;
  std::string text, finish_reason, usage = "null";
  long long created_at = unix_now();
  if (sdk::parse_json_bounded(chat, chat_completion).empty() && chat.IsObject()) {
    if (auto created = chat.FindMember("created"); created != chat.MemberEnd() && created->value.IsInt64()) {
      created_at = created->value.GetInt64();
    }
    auto choices = chat.FindMember("choices");
    if (choices != chat.MemberEnd() && choices->value.IsArray() && !choices->value.Empty() && choices->value[0].IsObject()) {
      const Value& choice = choices->value[0];
      auto message = choice.FindMember("message");
      if (message != choice.MemberEnd() && message->value.IsObject() && message->value.HasMember("content") &&
          message->value["content"].IsString()) {
        text = message->value["content"].GetString();
      }
      if (choice.HasMember("finish_reason") && choice["finish_reason"].IsString()) finish_reason = choice["finish_reason"].GetString();
    }
    if (auto u = chat.FindMember("usage"); u != chat.MemberEnd() && u->value.IsObject()) usage = usage_from_chat(u->value);
  }
  const bool complete = finish_reason != "length";
  return response_object(call, created_at, complete ? "completed" : "incomplete",
                         "[" + message_item(call, text, complete) + "]", usage);
}

ResponsesEventStream::ResponsesEventStream(ResponsesCall call) : call_(std::move(call)), created_at_(unix_now()) {}

std::string ResponsesEventStream::event(const char* type, const std::string& members) {
  return std::string("{\"type\":\"") + type + "\",\"sequence_number\":" + std::to_string(sequence_++) + "," + members + "}";
}

std::vector<std::string> ResponsesEventStream::open() {
  opened_ = true;
  const std::string in_progress = response_object(call_, created_at_, "in_progress", "[]", "null");
  const std::string item = "{\"type\":\"message\",\"id\":\"" + call_.message_id +
                           "\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}";
  return {event("response.created", "\"response\":" + in_progress),
          event("response.in_progress", "\"response\":" + in_progress),
          event("response.output_item.added", "\"output_index\":0,\"item\":" + item),
          event("response.content_part.added", "\"item_id\":\"" + call_.message_id +
                                                   "\",\"output_index\":0,\"content_index\":0,"
                                                   "\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}")};
}

std::vector<std::string> ResponsesEventStream::on_chat_chunk(const std::string& chunk) {
  std::vector<std::string> out;
  if (!opened_) out = open();
  rapidjson::Document chat;
  if (!sdk::parse_json_bounded(chat, chunk).empty() || !chat.IsObject()) return out;
  if (auto u = chat.FindMember("usage"); u != chat.MemberEnd() && u->value.IsObject()) usage_ = usage_from_chat(u->value);
  auto choices = chat.FindMember("choices");
  if (choices == chat.MemberEnd() || !choices->value.IsArray() || choices->value.Empty() || !choices->value[0].IsObject()) {
    return out;
  }
  const Value& choice = choices->value[0];
  if (choice.HasMember("finish_reason") && choice["finish_reason"].IsString()) finish_reason_ = choice["finish_reason"].GetString();
  auto delta = choice.FindMember("delta");
  if (delta == choice.MemberEnd() || !delta->value.IsObject()) return out;
  auto content = delta->value.FindMember("content");
  if (content == delta->value.MemberEnd() || !content->value.IsString() || content->value.GetStringLength() == 0) return out;
  const std::string piece(content->value.GetString(), content->value.GetStringLength());
  text_ += piece;
  out.push_back(event("response.output_text.delta", "\"item_id\":\"" + call_.message_id +
                                                        "\",\"output_index\":0,\"content_index\":0,\"delta\":" +
                                                        sdk::json_quote(piece) + ",\"logprobs\":[]"));
  return out;
}

std::vector<std::string> ResponsesEventStream::finish() {
  std::vector<std::string> out;
  if (!opened_) out = open();
  const bool complete = finish_reason_ != "length";
  const std::string item = message_item(call_, text_, complete);
  const std::string where = "\"item_id\":\"" + call_.message_id + "\",\"output_index\":0,\"content_index\":0,";
  out.push_back(event("response.output_text.done", where + "\"text\":" + sdk::json_quote(text_) + ",\"logprobs\":[]"));
  out.push_back(event("response.content_part.done",
                      where + "\"part\":{\"type\":\"output_text\",\"text\":" + sdk::json_quote(text_) + ",\"annotations\":[]}"));
  out.push_back(event("response.output_item.done", "\"output_index\":0,\"item\":" + item));
  const char* status = complete ? "completed" : "incomplete";
  out.push_back(event(complete ? "response.completed" : "response.incomplete",
                      "\"response\":" + response_object(call_, created_at_, status, "[" + item + "]", usage_.value_or("null"))));
  return out;
}

}  // namespace nineteen::gateway
