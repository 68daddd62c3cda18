// Requests made checkable and answers shaped back for their user.
#include "nineteen/gateway/checkable_request.hpp"

#include <stdexcept>

#include <rapidjson/document.h>

#include "nineteen/sdk/json.hpp"

namespace nineteen::gateway {
namespace {

bool asked_for(const rapidjson::Value& value) {
  if (value.IsNull() || value.IsFalse()) return false;
  if (value.IsNumber()) return value.GetDouble() != 0;
  return true;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t from = 0;
  while (from <= path.size()) {
    const size_t dot = path.find('.', from);
    parts.push_back(path.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  return parts;
}

// Applies one hidden part at `parts[i..]` under `node`.
void hide(rapidjson::Value& node, const std::vector<std::string>& parts, size_t i, const HiddenAnswerPart& part,
          rapidjson::Document::AllocatorType& alloc) {
  if (!node.IsObject() || i >= parts.size()) return;
  std::string key = parts[i];
  const bool each = key.size() > 2 && key.compare(key.size() - 2, 2, "[]") == 0;
  if (each) key.resize(key.size() - 2);
  auto member = node.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (member == node.MemberEnd()) return;
  if (each) {
    if (!member->value.IsArray()) return;
    for (auto& element : member->value.GetArray()) hide(element, parts, i + 1, part, alloc);
    return;
  }
  if (i + 1 < parts.size()) return hide(member->value, parts, i + 1, part, alloc);
  if (!part.user_sees) {
    node.EraseMember(member);  // keeps the other members in order
    return;
  }
  rapidjson::Document replacement(&alloc);
  replacement.Parse(part.user_sees->data(), part.user_sees->size());
  member->value.CopyFrom(replacement, alloc);
}

}  // namespace

CheckableRequest make_checkable(const std::string& body, const std::string& check_needs) {
  CheckableRequest out;
  out.body = body;
  rapidjson::Document request;
  if (!sdk::parse_json_bounded(request, body).empty() || !request.IsObject()) return out;  // refused earlier
  AnswerShaping& shaping = out.shaping;
  if (request.HasMember("model") && request["model"].IsString()) shaping.model = request["model"].GetString();
  shaping.stream = request.HasMember("stream") && request["stream"].IsTrue();
  if (auto options = request.FindMember("stream_options"); options != request.MemberEnd() && options->value.IsObject()) {
    auto usage = options->value.FindMember("include_usage");
    shaping.include_usage = usage != options->value.MemberEnd() && usage->value.IsTrue();
  }
  if (check_needs.empty()) return out;
  rapidjson::Document needs;
  if (!sdk::parse_json_bounded(needs, check_needs).empty() || !needs.IsObject()) {
    throw std::invalid_argument("the task's check_needs is not a JSON object");
  }
  auto& alloc = request.GetAllocator();
  std::vector<std::string> added;
  auto wanted = needs.FindMember("request");
  if (wanted != needs.MemberEnd() && wanted->value.IsObject()) {
    for (const auto& m : wanted->value.GetObject()) {
      auto have = request.FindMember(m.name);
      if (have != request.MemberEnd() && asked_for(have->value)) continue;  // the user asked for it
      added.emplace_back(m.name.GetString(), m.name.GetStringLength());
      rapidjson::Value value;
      value.CopyFrom(m.value, alloc);
      if (have != request.MemberEnd()) {
        have->value = value;
      } else {
        request.AddMember(rapidjson::Value(m.name, alloc), value, alloc);
      }
    }
  }
  if (added.empty()) return out;
  out.body = sdk::to_json(request);
  auto answer = needs.FindMember("answer");
  if (answer == needs.MemberEnd() || !answer->value.IsArray()) return out;
  for (const auto& entry : answer->value.GetArray()) {
    if (!entry.IsObject() || !entry.HasMember("when") || !entry["when"].IsString() || !entry.HasMember("path") ||
        !entry["path"].IsString()) {
      throw std::invalid_argument("the task's check_needs.answer entries need string \"when\" and \"path\"");
    }
    const std::string when = entry["when"].GetString();
    bool was_added = false;
    for (const std::string& a : added) was_added = was_added || a == when;
    if (!was_added) continue;
    HiddenAnswerPart part;
    part.path = entry["path"].GetString();
    if (entry.HasMember("user_sees")) part.user_sees = sdk::to_json(entry["user_sees"]);
    shaping.hidden.push_back(std::move(part));
  }
  return out;
}

std::vector<std::string> shape_for_user(const std::string& chunk, const AnswerShaping& shaping) {
  rapidjson::Document doc;
  if (!sdk::parse_json_bounded(doc, chunk).empty() || !doc.IsObject()) return {chunk};
  auto& alloc = doc.GetAllocator();
  for (const HiddenAnswerPart& part : shaping.hidden) hide(doc, split_path(part.path), 0, part, alloc);
  if (auto model = doc.FindMember("model"); model != doc.MemberEnd() && !shaping.model.empty()) {
    model->value.SetString(shaping.model.data(), static_cast<rapidjson::SizeType>(shaping.model.size()), alloc);
  }
  auto usage = doc.FindMember("usage");
  if (!shaping.stream || usage == doc.MemberEnd()) return {sdk::to_json(doc)};
  // A stream: usage is not part of a content chunk. With include_usage it comes in a final chunk of
  // its own, with empty choices, as OpenAI sends it.
  rapidjson::Document final_chunk(rapidjson::kObjectType);
  auto& final_alloc = final_chunk.GetAllocator();
  for (const char* key : {"id", "object", "created", "model", "system_fingerprint"}) {
    if (auto m = doc.FindMember(key); m != doc.MemberEnd()) {
      final_chunk.AddMember(rapidjson::Value(key, final_alloc), rapidjson::Value(m->value, final_alloc), final_alloc);
    }
  }
  final_chunk.AddMember("choices", rapidjson::Value(rapidjson::kArrayType), final_alloc);
  final_chunk.AddMember("usage", rapidjson::Value(usage->value, final_alloc), final_alloc);
  doc.EraseMember(usage);
  std::vector<std::string> out = {sdk::to_json(doc)};
  if (shaping.include_usage) out.push_back(sdk::to_json(final_chunk));
  return out;
}

}  // namespace nineteen::gateway
