// JSON Schema → grammar: what each supported keyword accepts and refuses, and refusals by name.
#include <gtest/gtest.h>

#include <nineteen/grammar/json_schema.hpp>
#include <nineteen/grammar/matcher.hpp>

namespace nineteen::grammar {
namespace {

struct Schema {
  explicit Schema(const std::string& json, int ws = 0)
      : automaton(std::make_shared<Grammar>(json_schema_grammar(json, JsonGrammarOptions{ws}))) {}
  bool operator()(const std::string& text) { return automaton.matches(text); }
  GrammarAutomaton automaton;
};

std::string refused_keyword(const std::string& schema) {
  try {
    json_schema_grammar(schema);
  } catch (const GrammarError& e) {
    EXPECT_NE(std::string(e.what()).find(e.keyword()), std::string::npos) << e.what();
    return e.keyword().empty() ? std::string("(none) ") + e.what() : e.keyword();
  }
  return "";
}

TEST(JsonSchema, ObjectWithRequiredOptionalAndNoAdditional) {
  Schema s(R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "tags":{"type":"array","items":{"type":"string"},"maxItems":2}},
             "required":["name"],"additionalProperties":false})");
  EXPECT_TRUE(s(R"({"name":"Ann"})"));
  EXPECT_TRUE(s(R"({"name":"Ann","age":31})"));
  EXPECT_TRUE(s(R"({"name":"Ann","tags":["a","b"]})"));
  EXPECT_TRUE(s(R"({"name":"Ann","age":-4,"tags":[]})"));
  EXPECT_FALSE(s(R"({"age":31})"));                       // required missing
  EXPECT_FALSE(s(R"({"name":"Ann","extra":1})"));         // additionalProperties false
  EXPECT_FALSE(s(R"({"name":"Ann","age":3.5})"));         // not an integer
  EXPECT_FALSE(s(R"({"name":"Ann","tags":["a","b","c"]})"));  // maxItems
  EXPECT_FALSE(s(R"({"name":"Ann","name":"Bob"})"));      // a duplicate key
  EXPECT_FALSE(s(R"({"name":"Ann",})"));
  EXPECT_FALSE(s(R"({"name":"Ann" "age":1})"));
}

TEST(JsonSchema, WhitespaceIsBoundedByTheTaskSetting) {
  Schema compact(R"({"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"]})", 0);
  EXPECT_TRUE(compact(R"({"a":true})"));
  EXPECT_FALSE(compact(R"({ "a": true })"));
  Schema spaced(R"({"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"]})", 2);
  EXPECT_TRUE(spaced("{\n \"a\": true\n}"));
  EXPECT_FALSE(spaced("{\n   \"a\": true}"));  // three bytes of whitespace
}

TEST(JsonSchema, AdditionalPropertiesCannotReuseAListedName) {
  Schema s(R"({"properties":{"foo":{"type":"integer"}},"additionalProperties":{"type":"string"}})");
  EXPECT_TRUE(s(R"({"foo":1,"bar":"x"})"));
  EXPECT_TRUE(s(R"({"fo":"x","fooo":"y","éfoo":"z"})"));
  EXPECT_FALSE(s(R"({"foo":"x"})"));  // "foo" must be an integer, even as a would-be additional key
  EXPECT_FALSE(s(R"({"bar":1})"));
  EXPECT_TRUE(s("1"));  // no type: keywords of objects do not apply to a number
}

TEST(JsonSchema, StringsNumbersEnumsConstAnyOfRefs) {
  Schema str(R"({"type":"string","minLength":2,"maxLength":3})");
  EXPECT_FALSE(str(R"("a")"));
  EXPECT_TRUE(str(R"("é€")"));
  EXPECT_TRUE(str(R"("a\"b")"));
  EXPECT_FALSE(str(R"("abcd")"));
  EXPECT_FALSE(str("\"a\nb\""));  // a raw control character
  Schema num(R"({"type":"number"})");
  for (const char* ok : {"0", "-0", "12", "1.5", "-2.25e-3", "6E+10"}) EXPECT_TRUE(num(ok)) << ok;
  for (const char* bad : {"01", "1.", ".5", "+1", "1e", "\"1\""}) EXPECT_FALSE(num(bad)) << bad;
  Schema e(R"({"enum":["red",1,null,{"a":[1,2]}]})");
  EXPECT_TRUE(e(R"("red")"));
  EXPECT_TRUE(e("1"));
  EXPECT_TRUE(e("null"));
  EXPECT_TRUE(e(R"({"a":[1,2]})"));
  EXPECT_FALSE(e(R"("blue")"));
  Schema typed_enum(R"({"type":"string","enum":["a",1,"bb"],"maxLength":1})");
  EXPECT_TRUE(typed_enum(R"("a")"));
  EXPECT_FALSE(typed_enum("1"));
  EXPECT_FALSE(typed_enum(R"("bb")"));
  Schema c(R"({"const":{"k":false}})");
  EXPECT_TRUE(c(R"({"k":false})"));
  EXPECT_FALSE(c(R"({"k":true})"));
  Schema any(R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]})");
  EXPECT_TRUE(any("5"));
  EXPECT_TRUE(any(R"("x")"));
  EXPECT_FALSE(any(R"("xy")"));
  Schema tree(R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
                 "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"],
                 "additionalProperties":false}},"$ref":"#/$defs/node"})");
  EXPECT_TRUE(tree(R"({"v":1,"kids":[{"v":2},{"v":3,"kids":[{"v":4}]}]})"));
  EXPECT_FALSE(tree(R"({"v":1,"kids":[{"w":2}]})"));
  Schema prefix(R"({"type":"array","prefixItems":[{"type":"boolean"},{"type":"null"}],"items":false})");
  EXPECT_TRUE(prefix("[]"));
  EXPECT_TRUE(prefix("[true,null]"));
  EXPECT_FALSE(prefix("[true,null,1]"));
  EXPECT_FALSE(prefix("[null]"));
  Schema min_items(R"({"type":"array","items":{"type":"integer"},"minItems":2})");
  EXPECT_FALSE(min_items("[1]"));
  EXPECT_TRUE(min_items("[1,2,3,4]"));
}

TEST(JsonSchema, UnsupportedKeywordsAreRefusedByName) {
  EXPECT_EQ(refused_keyword(R"({"type":"integer","minimum":1})"), "minimum");
  EXPECT_EQ(refused_keyword(R"({"type":"string","pattern":"^a"})"), "pattern");
  EXPECT_EQ(refused_keyword(R"({"type":"string","format":"date"})"), "format");
  EXPECT_EQ(refused_keyword(R"({"properties":{"a":{"oneOf":[true]}}})"), "oneOf");
  EXPECT_EQ(refused_keyword(R"({"type":"array","items":[{"type":"string"}]})"), "items");
  EXPECT_EQ(refused_keyword(R"({"$ref":"http://example.com/s.json"})"), "$ref");
  EXPECT_EQ(refused_keyword(R"({"$ref":"#/$defs/a","type":"string","$defs":{"a":true}})"), "type");
  EXPECT_EQ(refused_keyword(R"({"uniqueItems":true})"), "uniqueItems");
  EXPECT_EQ(refused_keyword(R"({"frobnicate":1})"), "frobnicate");
  EXPECT_EQ(refused_keyword(R"({"type":"string","maxLength":100000})"), "maxLength");
}

TEST(JsonSchema, JsonObjectAndChoices) {
  GrammarAutomaton object(std::make_shared<Grammar>(json_object_grammar(JsonGrammarOptions{1})));
  EXPECT_TRUE(object.matches(R"({"a":[1,{"b":null}],"c":"d"})"));
  EXPECT_TRUE(object.matches("{ }"));
  EXPECT_FALSE(object.matches("[1]"));
  EXPECT_FALSE(object.matches(R"({"a":1)"));
  GrammarAutomaton choice(std::make_shared<Grammar>(choice_grammar({"yes", "no"})));
  EXPECT_TRUE(choice.matches("no"));
  EXPECT_FALSE(choice.matches("maybe"));
}

}  // namespace
}  // namespace nineteen::grammar

namespace nineteen::grammar {
namespace {

TEST(JsonSchema, AHugeSchemaIsRefusedBeforeItTakesTheMemory) {
  std::string schema = R"({"type":"object","properties":{)";
  for (int i = 0; i < 50; ++i) schema += (i ? "," : "") + std::string("\"p") + std::to_string(i) + R"(":{"type":"string","maxLength":10000})";
  schema += "}}";
  try {
    json_schema_grammar(schema);
    FAIL() << "compiled";
  } catch (const GrammarError& e) {
    EXPECT_NE(std::string(e.what()).find("elements; simplify it"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nineteen::grammar
