// The JSON-Schema-Test-Suite (Debian's json-schema-test-suite, draft 7): every schema is either
// compiled, and then each valid instance matches and each invalid one does not, or refused with
// the unsupported keyword named.
//
// The grammar writes one serialization per value (compact here, object keys in the schema's
// order, integral numbers as integers), so each instance is tried as written and as reordered
// by the schema; a valid instance must match one of them, an invalid one neither.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <nineteen/grammar/json_schema.hpp>
#include <nineteen/grammar/matcher.hpp>

namespace nineteen::grammar {
namespace {

namespace fs = std::filesystem;
using rapidjson::Value;

const char* kSuite = "/usr/share/json-schema-test-suite/tests/draft7";

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const Value* follow(const Value* schema, const Value& root) {
  for (int hops = 0; hops < 16 && schema && schema->IsObject(); ++hops) {
    if (schema->HasMember("$ref") && (*schema)["$ref"].IsString()) {
      std::string ref = (*schema)["$ref"].GetString();
      if (ref == "#") {
        schema = &root;
        continue;
      }
      if (ref.rfind("#/", 0) != 0) return nullptr;
      const Value* v = &root;
      size_t p = 2;
      while (v && p <= ref.size()) {
        size_t next = ref.find('/', p);
        std::string key = ref.substr(p, next == std::string::npos ? std::string::npos : next - p);
        v = v->IsObject() && v->HasMember(key.c_str()) ? &(*v)[key.c_str()] : nullptr;
        p = next == std::string::npos ? ref.size() + 1 : next + 1;
      }
      schema = v;
    } else if (schema->HasMember("allOf") && (*schema)["allOf"].IsArray() && (*schema)["allOf"].Size() == 1) {
      schema = &(*schema)["allOf"][0];
    } else {
      return schema;
    }
  }
  return schema;
}

// Writes `v`; with `schema`, object keys in the order of its properties (then the others); with
// `sorted`, every object's keys sorted (how enum and const values are written).
void write(const Value& v, const Value* schema, const Value& root, Writer& w, bool sorted = false) {
  schema = schema ? follow(schema, root) : nullptr;
  if (schema && schema->IsObject() && schema->HasMember("anyOf") && (*schema)["anyOf"].IsArray()) {
    schema = (*schema)["anyOf"].Size() > 0 ? follow(&(*schema)["anyOf"][0], root) : nullptr;
  }
  const Value* props = schema && schema->IsObject() && schema->HasMember("properties") ? &(*schema)["properties"] : nullptr;
  if (v.IsObject()) {
    w.StartObject();
    std::vector<std::string> order;
    if (props && props->IsObject()) {
      for (const auto& p : props->GetObject()) {
        if (v.HasMember(p.name)) order.emplace_back(p.name.GetString(), p.name.GetStringLength());
      }
      if (schema->HasMember("required") && (*schema)["required"].IsArray()) {
        for (const auto& r : (*schema)["required"].GetArray()) {
          std::string k(r.GetString(), r.GetStringLength());
          if (v.HasMember(r) && !props->HasMember(r) && std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
        }
      }
    }
    for (const auto& m : v.GetObject()) {
      std::string k(m.name.GetString(), m.name.GetStringLength());
      if (std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
    }
    if (sorted) std::sort(order.begin(), order.end());
    for (const std::string& k : order) {
      const Value& value = v[Value(k.c_str(), static_cast<rapidjson::SizeType>(k.size()))];
      w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
      const Value* sub = nullptr;
      if (props && props->IsObject() && props->HasMember(k.c_str())) {
        sub = &(*props)[k.c_str()];
      } else if (schema && schema->IsObject() && schema->HasMember("additionalProperties")) {
        sub = &(*schema)["additionalProperties"];
      }
      write(value, sub, root, w, sorted);
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      const Value* sub = nullptr;
      if (schema && schema->IsObject() && schema->HasMember("prefixItems") && i < (*schema)["prefixItems"].Size()) {
        sub = &(*schema)["prefixItems"][i];
      } else if (schema && schema->IsObject() && schema->HasMember("items") && !(*schema)["items"].IsArray()) {
        sub = &(*schema)["items"];
      }
      write(v[i], sub, root, w, sorted);
    }
    w.EndArray();
  } else if (v.IsDouble() && std::floor(v.GetDouble()) == v.GetDouble() && std::fabs(v.GetDouble()) < 9e15) {
    w.Int64(static_cast<int64_t>(v.GetDouble()));
  } else {
    v.Accept(w);
  }
}

std::string serialize(const Value& v, const Value* schema, const Value& root, bool sorted = false) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  write(v, schema, root, w, sorted);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string text_of(const Value& v) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

TEST(JsonSchemaTestSuite, SupportedSchemasMatchExactlyTheirValidInstances) {
  if (!fs::is_directory(kSuite)) {
    GTEST_SKIP() << kSuite << " is missing: install Debian's json-schema-test-suite (tools/bootstrap.sh does)";
  }
  int compiled = 0, refused = 0, instances = 0;
  std::map<std::string, int> refused_by_keyword;
  std::vector<std::string> failures;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSuite)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 20u);
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(text.str().c_str());
    ASSERT_FALSE(doc.HasParseError()) << file;
    for (const auto& group : doc.GetArray()) {
      const std::string where = file.filename().string() + ": " + group["description"].GetString();
      const Value& schema = group["schema"];
      std::shared_ptr<Grammar> grammar;
      try {
        grammar = std::make_shared<Grammar>(json_schema_grammar(text_of(schema), JsonGrammarOptions{0}));
      } catch (const GrammarError& e) {
        ++refused;
        const std::string message = e.what();
        if (message.find("keyword \"" + e.keyword() + "\"") == std::string::npos) {
          failures.push_back(where + ": refused without naming a keyword: " + message);
        }
        if (getenv("SUITE_VERBOSE")) std::cout << where << ": " << message << "\n";
        ++refused_by_keyword[e.keyword().empty() ? "(structure)" : e.keyword()];
        continue;
      }
      ++compiled;
      GrammarAutomaton automaton(grammar);
      for (const auto& test : group["tests"].GetArray()) {
        ++instances;
        const Value& data = test["data"];
        const bool valid = test["valid"].GetBool();
        const std::string as_ordered = serialize(data, &schema, schema);
        const std::string as_written = serialize(data, nullptr, schema);
        const std::string as_sorted = serialize(data, nullptr, schema, true);
        const bool matched =
            automaton.matches(as_ordered) || automaton.matches(as_written) || automaton.matches(as_sorted);
        if (matched != valid) {
          failures.push_back(where + " / " + test["description"].GetString() + ": " + as_ordered + " should " +
                             (valid ? "match" : "not match"));
        }
      }
    }
  }
  std::string summary;
  for (const auto& [k, n] : refused_by_keyword) summary += " " + k + "=" + std::to_string(n);
  std::cout << "[suite] " << compiled << " schemas compiled (" << instances << " instances), " << refused
            << " refused:" << summary << "\n";
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_GE(compiled, 40);  // draft 7's type, properties, required, items, enum, const, anyOf, $ref groups...
}

}  // namespace
}  // namespace nineteen::grammar
