// The body of GET /v1/models.
#include "nineteen/gateway/model_listing.hpp"

#include <cmath>
#include <cstdio>

#include <rapidjson/document.h>

#include "nineteen/sdk/json.hpp"

namespace nineteen::gateway {
namespace {

// Members the gateway writes itself: a plugin's listing cannot change them.
bool gateway_owned(const std::string& key) {
  for (const char* own : {"id", "object", "created", "owned_by", "name", "kind", "endpoint", "stream", "work_unit",
                          "contenders", "pricing"}) {
    if (key == own) return true;
  }
  return false;
}

rapidjson::Value text(const std::string& s, rapidjson::Document::AllocatorType& alloc) {
  return rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

}  // namespace

std::string price_per_token_text(double per_million) {
  if (!std::isfinite(per_million) || per_million <= 0) return "0";
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.15f", per_million / 1e6);
  std::string out = digits;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string models_json(const std::vector<validator::OrganicTask>& tasks) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  rapidjson::Value data(rapidjson::kArrayType);
  for (const auto& t : tasks) {
    if (t.contenders == 0) continue;
    rapidjson::Value m(rapidjson::kObjectType);
    m.AddMember("id", text(t.name, alloc), alloc);
    m.AddMember("object", "model", alloc);
    m.AddMember("created", 0, alloc);
    m.AddMember("owned_by", "nineteen", alloc);
    m.AddMember("name", text(t.name, alloc), alloc);
    m.AddMember("kind", text(t.kind, alloc), alloc);
    m.AddMember("endpoint", text(t.endpoint, alloc), alloc);
    m.AddMember("stream", t.stream, alloc);
    m.AddMember("work_unit", text(t.work_unit, alloc), alloc);
    m.AddMember("contenders", static_cast<uint64_t>(t.contenders), alloc);
    rapidjson::Document listing;
    if (!t.listing.empty() && sdk::parse_json_bounded(listing, t.listing).empty() && listing.IsObject()) {
      for (auto& member : listing.GetObject()) {
        const std::string key(member.name.GetString(), member.name.GetStringLength());
        if (gateway_owned(key)) continue;
        m.AddMember(text(key, alloc), rapidjson::Value(member.value, alloc), alloc);
      }
    }
    if (t.price_per_million_input_tokens && t.price_per_million_output_tokens) {
      rapidjson::Value pricing(rapidjson::kObjectType);
      pricing.AddMember("prompt", text(price_per_token_text(*t.price_per_million_input_tokens), alloc), alloc);
      pricing.AddMember("completion", text(price_per_token_text(*t.price_per_million_output_tokens), alloc), alloc);
      m.AddMember("pricing", pricing, alloc);
    }
    data.PushBack(m, alloc);
  }
  doc.AddMember("object", "list", alloc);
  doc.AddMember("data", data, alloc);
  return sdk::to_json(doc);
}

}  // namespace nineteen::gateway
