// Reading and writing the JSON that crosses the plugin boundary, with errors that name the key.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "nineteen/sdk/error.hpp"

namespace nineteen::sdk {

// Bounds on JSON read from outside (a request, an answer, a file). Every reader of the project goes
// through parse_json_bounded: RapidJSON's reader and writer recurse per nesting level, so an
// unbounded depth would let 300 kB of "[[[[" run a thread off its stack.
struct JsonLimits {
  std::size_t max_depth = 64;  // arrays and objects nested deeper than this are refused
  std::size_t max_bytes = 0;   // 0 = no limit of its own (the transport bounds the size)
};

inline constexpr std::size_t kJsonDefaultMaxDepth = 64;

// The byte offset where `text` first nests deeper than `max_depth` (strings skipped), or npos.
// A linear scan that holds no stack, so it is safe on any input.
inline std::size_t json_depth_exceeded_at(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return std::string_view::npos;
}

// The byte offset of the first "\uDC00".."\uDFFF" escape without a high surrogate escape just before it,
// or npos; `text` must be JSON that RapidJSON accepted (each \u has 4 hex digits). RapidJSON 1.1 refuses
// a lone high surrogate but decodes a lone low one into 3 bytes that are not UTF-8, so the document
// holds text that no JSON writer can write back (fuzz_request_head found a body the gateway accepted
// and the miner refused after the model rewrite).
inline std::size_t json_lone_low_surrogate_at(std::string_view text) {
  auto hex4 = [&](std::size_t at) {
    unsigned code = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      const char c = text[k];
      code = code * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return code;
  };
  bool in_string = false, after_high = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      in_string = c == '"';
      continue;
    }
    if (c == '"') {
      in_string = false;
      after_high = false;
    } else if (c == '\\' && i + 1 < text.size()) {
      if (text[i + 1] == 'u' && i + 5 < text.size()) {
        const unsigned code = hex4(i + 2);
        if (code >= 0xDC00 && code <= 0xDFFF && !after_high) return i;
        after_high = code >= 0xD800 && code <= 0xDBFF;
        i += 5;
      } else {
        after_high = false;
        i += 1;
      }
    } else {
      after_high = false;
    }
  }
  return std::string_view::npos;
}

// Whether `root` holds a number that is not finite. JSON has no infinities, but RapidJSON 1.1 reads
// some numbers beyond a double's range as one without an error (fuzz_request_head found
// 422222222222222242e304: 18 digits and an exponent just inside its own check), and no writer can write
// it back. No recursion: the caller's depth limit may be large.
inline bool json_holds_non_finite(const rapidjson::Value& root) {
  std::vector<const rapidjson::Value*> todo{&root};
  while (!todo.empty()) {
    const rapidjson::Value* value = todo.back();
    todo.pop_back();
    if (value->IsDouble()) {
      if (!std::isfinite(value->GetDouble())) return true;
    } else if (value->IsArray()) {
      for (const rapidjson::Value& element : value->GetArray()) todo.push_back(&element);
    } else if (value->IsObject()) {
      for (const auto& member : value->GetObject()) todo.push_back(&member.value);
    }
  }
  return false;
}

// Parses `text` into `doc`: at most limits.max_depth levels deep, valid UTF-8 (invalid bytes inside
// strings are refused, as OpenAI's API refuses them), no bytes after the value but whitespace.
// Returns an empty string on success, otherwise what is wrong: it names the byte offset and the
// limit, and never quotes the input (an error message must stay short whatever was sent).
inline std::string parse_json_bounded(rapidjson::Document& doc, std::string_view text, const JsonLimits& limits = {}) {
  if (limits.max_bytes && text.size() > limits.max_bytes) {
    return "JSON of " + std::to_string(text.size()) + " bytes is over the limit of " +
           std::to_string(limits.max_bytes) + " bytes";
  }
  const std::size_t deep = json_depth_exceeded_at(text, limits.max_depth);
  if (deep != std::string_view::npos) {
    return "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels (at byte " + std::to_string(deep) +
           "); flatten it: no request or answer here needs that much nesting";
  }
  // RapidJSON reads a NUL byte as the end of the text, so `{"a":1}<NUL>anything` would pass; JSON
  // has no raw NUL anywhere (inside strings it is escaped as \u0000).
  const std::size_t nul = text.find('\0');
  if (nul != std::string_view::npos) {
    return "invalid JSON at byte " + std::to_string(nul) + ": a NUL byte (JSON text never holds one unescaped)";
  }
  // Not kParseFullPrecisionFlag: RapidJSON 1.1's exact path calls clz(0) (undefined) on "0.0e-200...".
  // The default path may be one ulp off on numbers of more than 15 digits; fuzz_json_bounded found both.
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return std::string("invalid JSON at byte ") + std::to_string(doc.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(doc.GetParseError());
  }
  if (const std::size_t lone = json_lone_low_surrogate_at(text); lone != std::string_view::npos) {
    doc.SetNull();
    return "invalid JSON at byte " + std::to_string(lone) +
           ": a \\u escape of a low surrogate without the high surrogate before it (not a character; send the "
           "character itself, or its surrogate pair)";
  }
  if (json_holds_non_finite(doc)) {
    doc.SetNull();
    return "invalid JSON: a number beyond the range of a double (about ±1.8e308); send a smaller one";
  }
  return {};
}

// Parses `text` as JSON within `limits`; `what` names the thing for the error ("request", "config of
// task x"). Throws Error(NT_INVALID_ARGUMENT) naming `what`.
inline rapidjson::Document parse_json(std::string_view text, const std::string& what, const JsonLimits& limits = {}) {
  rapidjson::Document doc;
  std::string problem = parse_json_bounded(doc, text, limits);
  if (!problem.empty()) throw Error(NT_INVALID_ARGUMENT, what + ": " + problem);
  return doc;
}

inline std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  value.Accept(writer);
  return std::string(out.GetString(), out.GetSize());
}

// At most `max_chars` of `value` as JSON, with "..." when cut: for error messages, which must never
// echo a whole (possibly huge) value back.
inline std::string json_preview(const rapidjson::Value& value, std::size_t max_chars = 60) {
  struct CappedStream {
    using Ch [[maybe_unused]] = char;  // RapidJSON's stream concept
    std::string text;
    std::size_t cap;
    bool cut = false;
    void Put(char c) {
      if (text.size() < cap) {
        text.push_back(c);
      } else {
        cut = true;
      }
    }
    void Flush() {}
  } out{std::string(), max_chars};
  rapidjson::Writer<CappedStream> writer(out);
  value.Accept(writer);
  if (out.cut) {
    out.text.resize(max_chars > 3 ? max_chars - 3 : 0);
    out.text += "...";
  }
  return out.text;
}

inline std::string json_quote(std::string_view s) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(out.GetString(), out.GetSize());
}

inline const char* json_type_name(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "unknown";
}

// The keys tasks.toml reads itself (runtime/config, catalogue_keys()); a test holds the two lists equal.
inline constexpr const char* kCatalogueKeys[] = {"plugin", "kind",         "endpoint",           "stream",
                                                 "weight", "max_capacity", "volume_per_request", "timeout_s",
                                                 "enabled", "price_per_million_input_tokens",
                                                 "price_per_million_output_tokens", "weight_min", "weight_max"};

// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`, ignoring ASCII case.
inline std::size_t key_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The candidate nearest to `key` when it is close enough to be a typo of it (one edit for keys of
// up to 4 letters, two for longer ones), else nullptr; the first of equals wins.
inline const char* nearest_key(std::string_view key, const std::vector<const char*>& candidates) {
  const std::size_t limit = key.size() <= 4 ? 1 : 2;
  const char* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const char* c : candidates) {
    const std::size_t distance = key_distance(key, c);
    if (distance < best_distance) {
      best = c;
      best_distance = distance;
    }
  }
  return best;
}

// A JSON object read with checks. Every error names `what` and the key and says what was expected,
// e.g. `request key "max_tokens": expected an integer >= 1, got "ten"`.
class JsonObject {
 public:
  JsonObject(const rapidjson::Value& value, std::string what) : value_(value), what_(std::move(what)) {
    if (!value_.IsObject()) {
      throw Error(NT_INVALID_ARGUMENT, what_ + ": expected a JSON object, got " + json_type_name(value_));
    }
  }

  // Refuses a key not in `known`: a misspelt key would otherwise fall back to its default silently.
  // The message suggests the nearest key, of `known` or of the catalogue's own (kCatalogueKeys): the
  // catalogue passes every key it does not read to the plugin, so a plugin is where `wieght` lands.
  void allow_only(std::initializer_list<const char*> known) const {
    for (const auto& member : value_.GetObject()) {
      const std::string key(member.name.GetString(), member.name.GetStringLength());
      bool found = false;
      std::string list;
      for (const char* k : known) {
        found = found || key == k;
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      if (found) continue;
      std::string message = what_ + ": unknown key \"" + key + "\" (known: " + list + ")";
      std::vector<const char*> candidates(known);
      candidates.insert(candidates.end(), std::begin(kCatalogueKeys), std::end(kCatalogueKeys));
      if (const char* near = nearest_key(key, candidates)) {
        const bool catalogue = std::find_if(known.begin(), known.end(), [&](const char* k) {
                                 return std::string_view(k) == near;
                               }) == known.end();
        message += std::string("; did you mean `") + near + "`" +
                   (catalogue ? " (a key of the task catalogue)" : "") + "?";
      }
      throw Error(NT_INVALID_ARGUMENT, message);
    }
  }

  // For a request: every key is either honoured (in `honoured`) or refused by name, never ignored.
  // A key of the API's shape the task does not implement (`unsupported`, e.g. "tools") is refused
  // with NT_UNIMPLEMENTED ("unsupported_parameter" to a user); any other unknown key with
  // NT_INVALID_ARGUMENT, suggesting the nearest honoured key.
  void allow_only_request_keys(std::initializer_list<const char*> honoured,
                               std::initializer_list<const char*> unsupported) const {
    for (const auto& member : value_.GetObject()) {
      const std::string key(member.name.GetString(), member.name.GetStringLength());
      auto is = [&](const char* k) { return key == k; };
      if (std::any_of(honoured.begin(), honoured.end(), is)) continue;
      if (std::any_of(unsupported.begin(), unsupported.end(), is)) {
        throw Error(NT_UNIMPLEMENTED, what_ + " key \"" + key + "\": not supported by this task; remove it");
      }
      std::string message = what_ + " key \"" + key + "\": unknown to this task";
      std::vector<const char*> candidates;
      candidates.reserve(honoured.size());
      for (const char* k : honoured) candidates.push_back(k);
      if (const char* near = nearest_key(key, candidates)) {
        message += std::string("; did you mean `") + near + "`?";
      }
      throw Error(NT_INVALID_ARGUMENT, message);
    }
  }

  bool has(const char* key) const {
    auto it = value_.FindMember(key);
    return it != value_.MemberEnd() && !it->value.IsNull();
  }
  const rapidjson::Value* find(const char* key) const {
    auto it = value_.FindMember(key);
    return (it == value_.MemberEnd() || it->value.IsNull()) ? nullptr : &it->value;
  }
  const rapidjson::Value& require(const char* key) const {
    const rapidjson::Value* v = find(key);
    if (!v) throw Error(NT_INVALID_ARGUMENT, what_ + ": missing key \"" + key + "\"");
    return *v;
  }

  std::string string(const char* key) const { return as_string(key, require(key)); }
  std::string string_or(const char* key, std::string fallback) const {
    const rapidjson::Value* v = find(key);
    return v ? as_string(key, *v) : fallback;
  }
  double number(const char* key) const { return as_number(key, require(key)); }
  double number_or(const char* key, double fallback) const {
    const rapidjson::Value* v = find(key);
    return v ? as_number(key, *v) : fallback;
  }
  // Integer within [lo, hi].
  int64_t integer(const char* key, int64_t lo, int64_t hi) const { return as_integer(key, require(key), lo, hi); }
  int64_t integer_or(const char* key, int64_t fallback, int64_t lo, int64_t hi) const {
    const rapidjson::Value* v = find(key);
    return v ? as_integer(key, *v, lo, hi) : fallback;
  }
  double number_in(const char* key, double fallback, double lo, double hi) const {
    const rapidjson::Value* v = find(key);
    if (!v) return fallback;
    double x = as_number(key, *v);
    if (!(x >= lo && x <= hi)) {
      throw bad(key, "a number from " + fmt(lo) + " to " + fmt(hi), *v);
    }
    return x;
  }
  bool boolean_or(const char* key, bool fallback) const {
    const rapidjson::Value* v = find(key);
    if (!v) return fallback;
    if (!v->IsBool()) throw bad(key, "true or false", *v);
    return v->GetBool();
  }
  JsonObject object(const char* key) const { return JsonObject(require(key), what_ + " key \"" + key + "\""); }
  const rapidjson::Value& array(const char* key) const {
    const rapidjson::Value& v = require(key);
    if (!v.IsArray()) throw bad(key, "an array", v);
    return v;
  }

  const rapidjson::Value& value() const { return value_; }
  const std::string& what() const { return what_; }

  Error bad(const char* key, const std::string& expected, const rapidjson::Value& got) const {
    const std::string shown = json_preview(got, 60);
    return Error(NT_INVALID_ARGUMENT, what_ + " key \"" + key + "\": expected " + expected + ", got " + shown);
  }

 private:
  static std::string fmt(double x) {
    std::string s = std::to_string(x);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  std::string as_string(const char* key, const rapidjson::Value& v) const {
    if (!v.IsString()) throw bad(key, "a string", v);
    return std::string(v.GetString(), v.GetStringLength());
  }
  double as_number(const char* key, const rapidjson::Value& v) const {
    if (!v.IsNumber()) throw bad(key, "a number", v);
    return v.GetDouble();
  }
  int64_t as_integer(const char* key, const rapidjson::Value& v, int64_t lo, int64_t hi) const {
    std::string expected = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (v.IsInt64()) {
      int64_t x = v.GetInt64();
      if (x < lo || x > hi) throw bad(key, expected, v);
      return x;
    }
    if (v.IsUint64()) throw bad(key, expected, v);
    if (v.IsDouble()) {
      // A whole number written as a double (16.0, 1e3). Range first: converting a double outside
      // int64's range (2e19) is undefined behaviour, found by fuzz_json_bounded.
      const double d = v.GetDouble();
      constexpr double kTwoTo63 = 9223372036854775808.0;
      if (d >= -kTwoTo63 && d < kTwoTo63 && d == std::trunc(d)) {
        const int64_t x = static_cast<int64_t>(d);
        if (x >= lo && x <= hi) return x;
      }
    }
    throw bad(key, expected, v);
  }

  const rapidjson::Value& value_;
  std::string what_;
};

}  // namespace nineteen::sdk
