// The schema compiler: one rule per schema node (so $ref cycles compile to recursive rules).
#include "nineteen/grammar/json_schema.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <set>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "grammar_builder.hpp"
#include "nineteen/grammar/matcher.hpp"

namespace nineteen::grammar {
namespace {

using rapidjson::Value;

constexpr int kMaxDepth = 64;

const std::set<std::string> kAnnotations = {"title",      "description", "default",    "examples",
                                            "$comment",   "$schema",     "$id",        "deprecated",
                                            "readOnly",   "writeOnly",   "$defs",      "definitions"};
const std::set<std::string> kSupported = {"type",     "enum",     "const",     "properties", "required",
                                          "additionalProperties", "items",     "prefixItems", "minItems",
                                          "maxItems", "minLength", "maxLength", "anyOf",      "allOf",
                                          "$ref"};

std::string str(const Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

// Compact JSON with integral numbers written as integers (the grammar's own serialization).
void write_canonical(const Value& v, rapidjson::Writer<rapidjson::StringBuffer>& w) {
  if (v.IsObject()) {  // keys sorted: objects equal in any key order compare equal
    std::vector<const rapidjson::Value::Member*> members;
    for (const auto& m : v.GetObject()) members.push_back(&m);
    std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
      return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
             std::string_view(b->name.GetString(), b->name.GetStringLength());
    });
    w.StartObject();
    for (const auto* m : members) {
      w.Key(m->name.GetString(), m->name.GetStringLength());
      write_canonical(m->value, w);
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const auto& x : v.GetArray()) write_canonical(x, w);
    w.EndArray();
  } else if (v.IsDouble()) {
    double d = v.GetDouble();
    if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0) {
      w.Int64(static_cast<int64_t>(d));
    } else {
      w.Double(d);
    }
  } else {
    v.Accept(w);
  }
}

std::string canonical(const Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  write_canonical(v, w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

class SchemaCompiler {
 public:
  SchemaCompiler(const Value& root, const JsonGrammarOptions& options) : root_(root), options_(options) {
    ws_ = b_.new_rule({b_.repeat({space()}, 0, std::max(0, options.max_whitespace))}, "ws");
  }

  Grammar compile_root(const Value& schema, bool skip_enum_at_top) {
    skip_enum_node_ = skip_enum_at_top ? &schema : nullptr;
    Element top = compile(schema, "#", 0);
    uint32_t root = b_.rule_named("root");
    b_.set_alternatives(root, {{top}});
    return b_.finish(root);
  }

  Grammar object_root() {
    uint32_t root = b_.rule_named("root");
    b_.set_alternatives(root, {{any_object()}});
    return b_.finish(root);
  }

 private:
  [[noreturn]] void refuse(const std::string& at, const std::string& keyword, const std::string& why) {
    throw GrammarError("schema " + at + (keyword.empty() ? "" : ", keyword \"" + keyword + "\"") + ": " + why, keyword);
  }

  Element space() {
    ByteSet s;
    s.add(' ', ' ');
    s.add('\t', '\t');
    s.add('\n', '\n');
    return b_.bytes(s);
  }
  std::vector<Element> lit(std::string_view text) { return b_.literal(text); }
  std::vector<Element> cat(std::vector<std::vector<Element>> parts) {
    std::vector<Element> out;
    for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  }
  std::vector<Element> sep() { return cat({{ws_}, lit(","), {ws_}}); }
  std::vector<Element> colon() { return cat({{ws_}, lit(":"), {ws_}}); }

  Element string_char() {
    if (char_) return *char_;
    ByteSet hex;
    hex.add('0', '9');
    hex.add('a', 'f');
    hex.add('A', 'F');
    ByteSet esc;
    for (char c : std::string("\"\\/bfnrt")) esc.add(c, c);
    Element plain = b_.code_point_class({{'"', '"'}, {'\\', '\\'}, {0, 0x1F}}, true);
    std::vector<Element> u = cat({lit("\\u"), {b_.bytes(hex), b_.bytes(hex), b_.bytes(hex), b_.bytes(hex)}});
    char_ = b_.new_rule({{plain}, cat({lit("\\"), {b_.bytes(esc)}}), u}, "char");
    return *char_;
  }
  Element string_rule(int min, int max) {
    return b_.new_rule({cat({lit("\""), b_.repeat({string_char()}, min, max), lit("\"")})}, "string");
  }
  Element any_string() {
    if (!any_string_) any_string_ = string_rule(0, -1);
    return *any_string_;
  }
  Element number(bool integer) {
    std::optional<Element>& cached = integer ? integer_ : number_;
    if (cached) return *cached;
    ByteSet digit, nonzero, e, sign;
    digit.add('0', '9');
    nonzero.add('1', '9');
    e.add('e', 'e');
    e.add('E', 'E');
    sign.add('-', '-');
    sign.add('+', '+');
    std::vector<Element> body = cat({b_.repeat(lit("-"), 0, 1),
                                     {b_.new_rule({lit("0"), cat({{b_.bytes(nonzero)}, b_.repeat({b_.bytes(digit)}, 0, -1)})}, "int")}});
    if (!integer) {
      body.push_back(b_.new_rule({cat({lit("."), b_.repeat({b_.bytes(digit)}, 1, -1)}), {}}, "frac"));
      body.push_back(b_.new_rule({cat({{b_.bytes(e)}, b_.repeat({b_.bytes(sign)}, 0, 1), b_.repeat({b_.bytes(digit)}, 1, -1)}), {}}, "exp"));
    }
    cached = b_.new_rule({body}, integer ? "integer" : "number");
    return *cached;
  }
  Element any_value() {
    if (any_value_) return *any_value_;
    any_value_ = b_.new_rule({}, "value");
    Element array = b_.new_rule({}, "array");
    std::vector<Element> items = cat({{*any_value_}, b_.repeat(cat({sep(), {*any_value_}}), 0, -1)});
    b_.set_alternatives(array.index, {cat({lit("["), {ws_}, lit("]")}), cat({lit("["), {ws_}, items, {ws_}, lit("]")})});
    b_.set_alternatives(any_value_->index, {{any_object()}, {array}, {any_string()}, {number(false)}, lit("true"),
                                            lit("false"), lit("null")});
    return *any_value_;
  }
  Element any_object() {
    if (any_object_) return *any_object_;
    any_object_ = b_.new_rule({}, "object");
    Element value = any_value();
    std::vector<Element> kv = cat({{any_string()}, colon(), {value}});
    std::vector<Element> members = cat({kv, b_.repeat(cat({sep(), kv}), 0, -1)});
    b_.set_alternatives(any_object_->index,
                        {cat({lit("{"), {ws_}, lit("}")}), cat({lit("{"), {ws_}, members, {ws_}, lit("}")})});
    return *any_object_;
  }

  // A JSON string that is none of `excluded` (each given as its JSON-escaped inner text): a trie.
  Element string_except(const std::vector<std::string>& excluded) {
    if (excluded.empty()) return any_string();
    Element rest = b_.new_rule({cat({b_.repeat({string_char()}, 0, -1), lit("\"")})}, "key-rest");
    return b_.new_rule({cat({lit("\""), {trie_rule(excluded, 0, rest)}})}, "key");
  }
  // After a common prefix of length `depth` of the keys in `group` (JSON-escaped inner texts): the
  // rest of the key and the closing quote, never spelling one of them exactly. Leaving the trie
  // finishes the character (UTF-8 sequence or escape) in progress, then any characters.
  Element trie_rule(const std::vector<std::string>& group, size_t depth, Element rest) {
    std::map<uint8_t, std::vector<std::string>> by_byte;
    bool ends_here = false;
    for (const auto& s : group) {
      if (s.size() == depth) ends_here = true;
      else by_byte[static_cast<uint8_t>(s[depth])].push_back(s);
    }
    // Where `depth` falls in the characters of the shared prefix.
    const std::string& s = group.front();
    size_t i = 0, unit = 0, unit_length = 1;
    enum { Plain, Utf8, Escape, Unicode } kind = Plain;
    while (i < depth) {
      unit = i;
      uint8_t c = static_cast<uint8_t>(s[i]);
      if (c == '\\') {
        kind = i + 1 < s.size() && s[i + 1] == 'u' ? Unicode : Escape;
        unit_length = kind == Unicode ? 6 : 2;
      } else if (c >= 0xC0) {
        kind = Utf8;
        unit_length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      } else {
        kind = Plain;
        unit_length = 1;
      }
      i += unit_length;
    }
    const bool boundary = i == depth;
    ByteSet leave;  // bytes that leave the trie here
    std::vector<Element> after;  // what completes the character after such a byte
    ByteSet cont, hex;
    cont.add(0x80, 0xBF);
    hex.add('0', '9');
    hex.add('a', 'f');
    hex.add('A', 'F');
    std::vector<std::vector<Element>> alts;
    auto not_child = [&](unsigned c) { return by_byte.count(static_cast<uint8_t>(c)) == 0; };
    if (boundary) {
      if (!ends_here) alts.push_back(lit("\""));
      for (unsigned c = 0x20; c < 0x80; ++c) {
        if (c != '"' && c != '\\' && not_child(c)) leave.add(static_cast<uint8_t>(c), static_cast<uint8_t>(c));
      }
      alts.push_back({b_.bytes(leave), rest});
      if (not_child('\\')) alts.push_back(cat({lit("\\"), {string_char_escape_tail(), rest}}));
      for (unsigned lead = 0xC2; lead <= 0xF4; ++lead) {
        if (!not_child(lead)) continue;
        std::vector<Element> alt = {b_.byte(static_cast<uint8_t>(lead))};
        for (int k = 0; k < (lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1); ++k) alt.push_back(b_.bytes(cont));
        alt.push_back(rest);
        alts.push_back(alt);
      }
    } else {
      const size_t remaining = unit + unit_length - depth;  // bytes of this character still to come
      ByteSet options;
      if (kind == Utf8) {
        options = cont;
      } else if (kind == Escape) {
        for (char c : std::string("\"\\/bfnrt")) options.add(c, c);
      } else if (depth == unit + 1) {  // just after the backslash of \uXXXX
        options.add('u', 'u');
      } else {
        options = hex;
      }
      for (unsigned c = 0; c < 256; ++c) {
        if (options.has(static_cast<uint8_t>(c)) && not_child(c)) leave.add(static_cast<uint8_t>(c), static_cast<uint8_t>(c));
      }
      std::vector<Element> alt = {b_.bytes(leave)};
      for (size_t k = 1; k < remaining; ++k) alt.push_back(b_.bytes(kind == Utf8 ? cont : hex));
      alt.push_back(rest);
      alts.push_back(alt);
    }
    for (const auto& [byte, members] : by_byte) alts.push_back({b_.byte(byte), trie_rule(members, depth + 1, rest)});
    return b_.new_rule(std::move(alts), "key-trie");
  }
  Element string_char_escape_tail() {
    ByteSet esc;
    for (char c : std::string("\"\\/bfnrt")) esc.add(c, c);
    ByteSet hex;
    hex.add('0', '9');
    hex.add('a', 'f');
    hex.add('A', 'F');
    return b_.new_rule({{b_.bytes(esc)}, cat({lit("u"), {b_.bytes(hex), b_.bytes(hex), b_.bytes(hex), b_.bytes(hex)}})},
                       "escape");
  }

  const Value& resolve(const std::string& ref, const std::string& at) {
    if (ref.empty() || ref[0] != '#') {
      refuse(at, "$ref", "$ref \"" + ref + "\": only references inside the schema (\"#\" or \"#/...\") are supported");
    }
    const Value* v = &root_;
    size_t p = 1;
    if (p < ref.size() && ref[p] != '/') {
      refuse(at, "$ref", "$ref \"" + ref + "\": anchors are not supported; use a JSON pointer such as #/$defs/name");
    }
    while (p < ref.size()) {
      size_t next = ref.find('/', p + 1);
      std::string token = ref.substr(p + 1, next == std::string::npos ? std::string::npos : next - p - 1);
      p = next == std::string::npos ? ref.size() : next;
      std::string key;
      for (size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) {
          key += token[i + 1] == '1' ? '/' : '~';
          ++i;
        } else if (token[i] == '%' && i + 2 < token.size()) {
          key += static_cast<char>(std::stoi(token.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          key += token[i];
        }
      }
      if (v->IsObject() && v->HasMember(key.c_str())) {
        v = &(*v)[key.c_str()];
      } else if (v->IsArray() && !key.empty() && key.find_first_not_of("0123456789") == std::string::npos &&
                 std::stoul(key) < v->Size()) {
        v = &(*v)[static_cast<rapidjson::SizeType>(std::stoul(key))];
      } else {
        refuse(at, "$ref", "$ref \"" + ref + "\" points at nothing in the schema");
      }
    }
    return *v;
  }

  Element compile(const Value& schema, const std::string& at, int depth) {
    if (depth > kMaxDepth) refuse(at, "", "nested more than " + std::to_string(kMaxDepth) + " levels");
    auto done = compiled_.find(&schema);
    if (done != compiled_.end()) return b_.ref(done->second);
    Element self = b_.new_rule({}, "schema");
    compiled_[&schema] = self.index;
    b_.set_alternatives(self.index, body(schema, at, depth));
    return self;
  }

  std::vector<std::vector<Element>> body(const Value& schema, const std::string& at, int depth) {
    if (schema.IsBool()) {
      if (schema.GetBool()) return {{any_value()}};
      return {};  // false: nothing is valid
    }
    if (!schema.IsObject()) refuse(at, "", "a schema must be an object or a boolean");
    std::vector<std::string> constraining;
    for (const auto& m : schema.GetObject()) {
      std::string k = str(m.name);
      if (kAnnotations.count(k)) continue;
      if (!kSupported.count(k)) {
        refuse(at, k, "not supported by constrained decoding; remove it");
      }
      constraining.push_back(k);
    }
    auto only = [&](const char* keyword) {
      for (const auto& k : constraining) {
        if (k != keyword) {
          refuse(at, k, std::string("not supported beside \"") + keyword + "\"; move it into the " + keyword + " target");
        }
      }
    };
    if (schema.HasMember("$ref")) {
      only("$ref");
      if (!schema["$ref"].IsString()) refuse(at, "$ref", "$ref must be a string");
      std::string ref = str(schema["$ref"]);
      return {{compile(resolve(ref, at), ref, depth + 1)}};
    }
    if (schema.HasMember("anyOf")) {
      only("anyOf");
      const Value& list = schema["anyOf"];
      if (!list.IsArray() || list.Empty()) refuse(at, "anyOf", "anyOf must be a non-empty array of schemas");
      std::vector<std::vector<Element>> alts;
      for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        alts.push_back({compile(list[i], at + "/anyOf/" + std::to_string(i), depth + 1)});
      }
      return alts;
    }
    if (schema.HasMember("allOf")) {
      only("allOf");
      const Value& list = schema["allOf"];
      if (!list.IsArray() || list.Size() != 1) {
        refuse(at, "allOf", "allOf is supported with exactly one schema; merge the schemas into one");
      }
      return {{compile(list[0], at + "/allOf/0", depth + 1)}};
    }
    if ((schema.HasMember("enum") || schema.HasMember("const")) && skip_enum_node_ != &schema) {
      return enum_body(schema, at);
    }

    // Which instance types are allowed; keywords of the other types do not apply.
    std::set<std::string> types;
    if (schema.HasMember("type")) {
      const Value& t = schema["type"];
      auto add = [&](const Value& v) {
        static const std::set<std::string> known = {"null", "boolean", "object", "array", "number", "integer", "string"};
        if (!v.IsString() || !known.count(str(v))) {
          refuse(at, "type", "type must be one of null, boolean, object, array, number, integer, string");
        }
        types.insert(str(v));
      };
      if (t.IsArray()) {
        for (const auto& v : t.GetArray()) add(v);
      } else {
        add(t);
      }
    } else {
      types = {"null", "boolean", "object", "array", "number", "string"};
    }
    std::vector<std::vector<Element>> alts;
    if (types.count("null")) alts.push_back(lit("null"));
    if (types.count("boolean")) {
      alts.push_back(lit("true"));
      alts.push_back(lit("false"));
    }
    if (types.count("number")) {
      alts.push_back({number(false)});
    } else if (types.count("integer")) {
      alts.push_back({number(true)});
    }
    if (types.count("string")) {
      int min = length(schema, "minLength", at, 0);
      int max = length(schema, "maxLength", at, -1);
      if (max >= 0 && max < min) return alts;  // no string can satisfy both
      alts.push_back({min == 0 && max < 0 ? any_string() : string_rule(min, max)});
    }
    if (types.count("array")) {
      if (auto a = array_rule(schema, at, depth)) alts.push_back({*a});
    }
    if (types.count("object")) {
      if (auto o = object_rule(schema, at, depth)) alts.push_back({*o});
    }
    return alts;
  }

  int length(const Value& schema, const char* key, const std::string& at, int fallback) {
    if (!schema.HasMember(key)) return fallback;
    const Value& v = schema[key];
    double d = v.IsNumber() ? v.GetDouble() : -1;
    if (d < 0 || std::floor(d) != d) refuse(at, key, std::string(key) + " must be a non-negative integer");
    if (d > kMaxRepeat) {
      refuse(at, key, std::string(key) + " above " + std::to_string(kMaxRepeat) + " is not supported by constrained decoding");
    }
    return static_cast<int>(d);
  }

  std::vector<std::vector<Element>> enum_body(const Value& schema, const std::string& at) {
    std::vector<const Value*> values;
    if (schema.HasMember("enum")) {
      const Value& e = schema["enum"];
      if (!e.IsArray()) refuse(at, "enum", "enum must be an array");
      for (const auto& v : e.GetArray()) values.push_back(&v);
    }
    if (schema.HasMember("const")) {
      const Value& c = schema["const"];
      if (schema.HasMember("enum")) {
        std::string cc = canonical(c);
        bool in = std::any_of(values.begin(), values.end(), [&](const Value* v) { return canonical(*v) == cc; });
        values.clear();
        if (in) values.push_back(&c);
      } else {
        values.push_back(&c);
      }
    }
    // Other keywords beside enum/const: keep the values the rest of the schema accepts.
    bool others = false;
    for (const auto& m : schema.GetObject()) {
      std::string k = str(m.name);
      if (k != "enum" && k != "const" && !kAnnotations.count(k)) others = true;
    }
    std::unique_ptr<GrammarAutomaton> rest;
    if (others) {
      SchemaCompiler sub(root_, JsonGrammarOptions{0});
      rest = std::make_unique<GrammarAutomaton>(std::make_shared<Grammar>(sub.compile_root(schema, true)));
    }
    std::set<std::string> seen;
    std::vector<std::vector<Element>> alts;
    for (const Value* v : values) {
      std::string text = canonical(*v);
      if (!seen.insert(text).second) continue;
      if (rest && !rest->matches(text)) continue;
      alts.push_back(lit(text));
    }
    return alts;
  }

  std::optional<Element> array_rule(const Value& schema, const std::string& at, int depth) {
    if (schema.HasMember("items") && schema["items"].IsArray()) {
      refuse(at, "items", "items as an array (a tuple) is not supported; use prefixItems");
    }
    int min = length(schema, "minItems", at, 0);
    int max = length(schema, "maxItems", at, -1);
    if (max >= 0 && max < min) return std::nullopt;
    std::vector<Element> prefix;
    if (schema.HasMember("prefixItems")) {
      const Value& p = schema["prefixItems"];
      if (!p.IsArray()) refuse(at, "prefixItems", "prefixItems must be an array of schemas");
      for (rapidjson::SizeType i = 0; i < p.Size(); ++i) {
        prefix.push_back(compile(p[i], at + "/prefixItems/" + std::to_string(i), depth + 1));
      }
    }
    bool more = true;  // items after the prefix
    Element item = any_value();
    if (schema.HasMember("items")) {
      const Value& it = schema["items"];
      if (it.IsBool() && !it.GetBool()) {
        more = false;
      } else {
        item = compile(it, at + "/items", depth + 1);
      }
    }
    const int k = static_cast<int>(prefix.size());
    int limit = max;  // the largest count, -1 unbounded
    if (!more) limit = limit < 0 ? k : std::min(limit, k);
    if (limit >= 0 && limit < min) return std::nullopt;
    // tail(j): the elements from index j on, j already present.
    std::function<std::vector<std::vector<Element>>(int)> tail = [&](int j) -> std::vector<std::vector<Element>> {
      std::vector<Element> lead = j > 0 ? sep() : std::vector<Element>{};
      if (limit >= 0 && j >= limit) return {{}};
      if (j >= k && j >= min) {
        std::vector<Element> one = cat({sep(), {item}});
        if (j == 0) {
          std::vector<Element> first = cat({{item}, b_.repeat(one, 0, limit < 0 ? -1 : limit - 1)});
          return {{}, first};
        }
        return {b_.repeat(one, 0, limit < 0 ? -1 : limit - j)};
      }
      Element here = j < k ? prefix[j] : item;
      Element rest = b_.new_rule(tail(j + 1), "items");
      std::vector<std::vector<Element>> alts;
      if (j >= min) alts.push_back({});
      alts.push_back(cat({lead, {here, rest}}));
      return alts;
    };
    auto body = tail(0);
    Element elements = b_.new_rule(body, "elements");
    bool may_be_empty = min == 0;
    std::vector<std::vector<Element>> alts;
    if (may_be_empty) alts.push_back(cat({lit("["), {ws_}, lit("]")}));
    if (limit != 0) alts.push_back(cat({lit("["), {ws_, elements, ws_}, lit("]")}));
    // With may_be_empty, `elements` may also be empty: "[" ws ws "]" parses twice; harmless.
    return b_.new_rule(std::move(alts), "array");
  }

  std::optional<Element> object_rule(const Value& schema, const std::string& at, int depth) {
    struct Property {
      std::string key_json;  // "name" with quotes, JSON-escaped
      std::string inner;     // the escaped text between the quotes
      Element value;
      bool required = false;
    };
    std::vector<Property> props;
    std::set<std::string> required;
    if (schema.HasMember("required")) {
      const Value& r = schema["required"];
      if (!r.IsArray()) refuse(at, "required", "required must be an array of strings");
      for (const auto& v : r.GetArray()) {
        if (!v.IsString()) refuse(at, "required", "required must be an array of strings");
        required.insert(str(v));
      }
    }
    bool additional = true;
    std::optional<Element> additional_value;
    const Value* additional_schema = nullptr;
    if (schema.HasMember("additionalProperties")) {
      const Value& a = schema["additionalProperties"];
      if (a.IsBool()) {
        additional = a.GetBool();
      } else {
        additional_schema = &a;
        additional_value = compile(a, at + "/additionalProperties", depth + 1);
      }
    }
    if (additional && !additional_value) additional_value = any_value();
    std::set<std::string> listed;
    auto key_json = [](const std::string& key) {
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
      w.String(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
      return std::string(buffer.GetString(), buffer.GetSize());
    };
    if (schema.HasMember("properties")) {
      const Value& p = schema["properties"];
      if (!p.IsObject()) refuse(at, "properties", "properties must be an object of schemas");
      for (const auto& m : p.GetObject()) {
        std::string key = str(m.name);
        listed.insert(key);
        if (m.value.IsBool() && !m.value.GetBool()) {
          if (required.count(key)) return std::nullopt;  // a required property that can have no value
          continue;
        }
        Property prop;
        prop.key_json = key_json(key);
        prop.inner = prop.key_json.substr(1, prop.key_json.size() - 2);
        prop.value = compile(m.value, at + "/properties/" + pointer_escape(key), depth + 1);
        prop.required = required.count(key) > 0;
        props.push_back(std::move(prop));
      }
    }
    (void)additional_schema;
    for (const std::string& key : required) {
      if (listed.count(key)) continue;
      if (!additional) return std::nullopt;  // required but not allowed
      Property prop;
      prop.key_json = key_json(key);
      prop.inner = prop.key_json.substr(1, prop.key_json.size() - 2);
      prop.value = *additional_value;
      prop.required = true;
      props.push_back(std::move(prop));
      listed.insert(key);
    }
    std::optional<Element> extra_kv;
    if (additional) {
      std::vector<std::string> excluded;
      for (const auto& p : props) excluded.push_back(p.inner);
      for (const std::string& key : listed) {
        std::string inner = key_json(key);
        inner = inner.substr(1, inner.size() - 2);
        if (std::find(excluded.begin(), excluded.end(), inner) == excluded.end()) excluded.push_back(inner);
      }
      extra_kv = b_.new_rule({cat({{string_except(excluded)}, colon(), {*additional_value}})}, "extra");
    }
    // members(i, comma): properties i.. and the extra ones; `comma`: one is already written.
    const size_t n = props.size();
    std::map<std::pair<size_t, bool>, Element> memo;
    std::function<Element(size_t, bool)> members = [&](size_t i, bool comma) -> Element {
      auto found = memo.find({i, comma});
      if (found != memo.end()) return found->second;
      std::vector<std::vector<Element>> alts;
      std::vector<Element> lead = comma ? sep() : std::vector<Element>{};
      if (i == n) {
        if (extra_kv) {
          std::vector<Element> more = b_.repeat(cat({sep(), {*extra_kv}}), 0, -1);
          if (comma) {
            alts.push_back(more);
          } else {
            alts.push_back({});
            alts.push_back(cat({{*extra_kv}, more}));
          }
        } else {
          alts.push_back({});
        }
      } else {
        const Property& p = props[i];
        alts.push_back(cat({lead, lit(p.key_json), colon(), {p.value, members(i + 1, true)}}));
        if (!p.required) alts.push_back({members(i + 1, comma)});
      }
      Element e = b_.new_rule(std::move(alts), "members");
      memo[{i, comma}] = e;
      return e;
    };
    Element body = members(0, false);
    return b_.new_rule({cat({lit("{"), {ws_, body, ws_}, lit("}")})}, "object");
  }

  const Value& root_;
  JsonGrammarOptions options_;
  GrammarBuilder b_;
  Element ws_;
  std::map<const Value*, uint32_t> compiled_;
  const Value* skip_enum_node_ = nullptr;
  std::optional<Element> char_, any_string_, number_, integer_, any_value_, any_object_;
};

}  // namespace

Grammar json_schema_grammar(std::string_view schema_json, const JsonGrammarOptions& options) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(schema_json.data(),
                                                                                   schema_json.size());
  if (doc.HasParseError()) {
    throw GrammarError(std::string("schema: not valid JSON (") + rapidjson::GetParseError_En(doc.GetParseError()) +
                       " at byte " + std::to_string(doc.GetErrorOffset()) + ")");
  }
  return SchemaCompiler(doc, options).compile_root(doc, false);
}

Grammar json_object_grammar(const JsonGrammarOptions& options) {
  rapidjson::Document doc;
  doc.SetObject();
  return SchemaCompiler(doc, options).object_root();
}

Grammar choice_grammar(const std::vector<std::string>& choices) {
  if (choices.empty()) throw GrammarError("choices: at least one is needed");
  GrammarBuilder b;
  uint32_t root = b.rule_named("root");
  std::vector<std::vector<Element>> alts;
  for (const auto& c : choices) alts.push_back(b.literal(c));
  b.set_alternatives(root, std::move(alts));
  return b.finish(root);
}

}  // namespace nineteen::grammar
