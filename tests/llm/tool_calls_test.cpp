// Tool calling on the tiny random model: a named or required tool_choice makes the answer a valid
// call (the grammar forces it), whole and streamed in OpenAI's shapes; the checker re-parses the
// tokens and refuses a claimed call they do not make; tool and developer turns render as the
// Llama 3.1 template renders them.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "generation_request.hpp"
#include "llm_plugin.hpp"
#include "loaded_model.hpp"
#include "tiny_models.hpp"
#include "tool_calls.hpp"

namespace nineteen::llm {
namespace {

using testing::error_text;
using testing::make_task;
using testing::serve_answer;
using testing::task_config;
using testing::TinyModels;

const char* kTools = R"([{"type":"function","function":{"name":"get_weather","description":"The weather in a city",
  "parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":10},
  "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}}},
  {"type":"function","function":{"name":"add","parameters":{"type":"object","properties":{"a":{"type":"boolean"},
  "b":{"type":"null"}},"required":["a","b"],"additionalProperties":false}}}])";

std::string request(const std::string& tool_choice, uint64_t seed, bool stream, const std::string& messages = "") {
  return std::string(R"({"messages":)") +
         (messages.empty() ? R"([{"role":"user","content":"What is the weather in Paris?"}])" : messages) +
         R"(,"tools":)" + kTools + (tool_choice.empty() ? "" : ",\"tool_choice\":" + tool_choice) +
         ",\"max_tokens\":80,\"temperature\":1,\"seed\":" + std::to_string(seed) +
         ",\"stream\":" + (stream ? "true" : "false") + ",\"logprobs\":true}";
}

class ToolCalls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plugin_ = new LlmPlugin(sdk::Host());
    chat_ = make_task(*plugin_, "chat", task_config("chat", TinyModels::get().reference(), "\"json_whitespace\":1")).release();
  }
  static void TearDownTestSuite() {
    delete chat_;
    delete plugin_;
  }
  static LlmPlugin* plugin_;
  static sdk::Task* chat_;
};

LlmPlugin* ToolCalls::plugin_ = nullptr;
sdk::Task* ToolCalls::chat_ = nullptr;

void expect_weather_arguments(const std::string& arguments) {
  rapidjson::Document args;
  args.Parse(arguments.c_str());
  ASSERT_FALSE(args.HasParseError()) << arguments;
  ASSERT_TRUE(args.IsObject() && args.HasMember("city") && args["city"].IsString()) << arguments;
  ASSERT_TRUE(args.HasMember("unit") && args["unit"].IsString()) << arguments;
  const std::string unit = args["unit"].GetString();
  EXPECT_TRUE(unit == "celsius" || unit == "fahrenheit") << arguments;
  EXPECT_EQ(args.MemberCount(), 2u) << arguments;
}

TEST_F(ToolCalls, ANamedToolChoiceGivesThatCallAndChecksAsHonest) {
  for (uint64_t seed : {1, 2, 3}) {
    const std::string req = request(R"({"type":"function","function":{"name":"get_weather"}})", seed, false);
    const std::string response = serve_answer(*chat_, req);
    rapidjson::Document d;
    d.Parse(response.c_str());
    const auto& choice = d[0]["choices"][0];
    ASSERT_STREQ(choice["finish_reason"].GetString(), "tool_calls") << response;
    const auto& message = choice["message"];
    EXPECT_TRUE(message["content"].IsNull()) << response;
    ASSERT_EQ(message["tool_calls"].Size(), 1u) << response;
    const auto& call = message["tool_calls"][0];
    EXPECT_EQ(std::string(call["id"].GetString()).rfind("call_", 0), 0u) << response;
    EXPECT_STREQ(call["type"].GetString(), "function");
    EXPECT_STREQ(call["function"]["name"].GetString(), "get_weather") << response;
    expect_weather_arguments(call["function"]["arguments"].GetString());
    sdk::CheckResult r = chat_->check({req}, {response})[0];
    EXPECT_GE(r.quality, 0.99) << r.reason;
  }
}

TEST_F(ToolCalls, RequiredCallsOneOfTheToolsAndStreamsOpenAiDeltas) {
  for (uint64_t seed : {4, 5}) {
    const std::string req = request("\"required\"", seed, true);
    sdk::CollectingCall call;
    chat_->serve(req, call);
    std::string name, arguments, id, finish;
    for (const std::string& chunk : call.chunks) {
      rapidjson::Document d;
      d.Parse(chunk.c_str());
      const auto& choice = d["choices"][0];
      const auto& delta = choice["delta"];
      if (delta.HasMember("content")) {
        EXPECT_STREQ(delta["content"].GetString(), "") << "a call's text is not shown as content";
      }
      if (delta.HasMember("tool_calls")) {
        const auto& t = delta["tool_calls"][0];
        EXPECT_EQ(t["index"].GetInt(), 0);
        if (t.HasMember("id")) id = t["id"].GetString();
        if (t["function"].HasMember("name")) name += t["function"]["name"].GetString();
        arguments += t["function"]["arguments"].GetString();
      }
      if (choice["finish_reason"].IsString()) finish = choice["finish_reason"].GetString();
    }
    EXPECT_EQ(finish, "tool_calls");
    EXPECT_FALSE(id.empty());
    ASSERT_TRUE(name == "get_weather" || name == "add") << name;
    if (name == "get_weather") expect_weather_arguments(arguments);
    sdk::CheckResult r = chat_->check({req}, {call.response_json()})[0];
    EXPECT_GE(r.quality, 0.99) << r.reason;
  }
}

TEST_F(ToolCalls, TheCheckRefusesACallTheTokensDoNotMake) {
  const std::string req = request(R"({"type":"function","function":{"name":"get_weather"}})", 1, false);
  std::string response = serve_answer(*chat_, req);
  const std::string marker = "\"arguments\":\"{";
  const size_t at = response.find(marker);
  ASSERT_NE(at, std::string::npos) << response;
  std::string forged = response;
  forged.insert(at + marker.size(), "\\\"extra\\\":1,");
  sdk::CheckResult r = chat_->check({req}, {forged})[0];
  EXPECT_EQ(r.quality, 0.0);
  EXPECT_NE(r.reason.find("is not the one its tokens make"), std::string::npos) << r.reason;
  // A plain answer that claims no call, to a request whose tokens made one, is refused too.
  std::string hidden = response;
  const size_t calls = hidden.find(",\"tool_calls\":");
  ASSERT_NE(calls, std::string::npos);
  hidden.erase(calls, hidden.find("}]", calls) + 2 - calls);
  hidden.replace(hidden.find("\"tool_calls\""), 12, "\"stop\"");
  r = chat_->check({req}, {hidden})[0];
  EXPECT_EQ(r.quality, 0.0) << hidden;
}

TEST_F(ToolCalls, ToolTurnsAndEarlierCallsRenderAsLlama31Does) {
  const std::string messages =
      R"([{"role":"developer","content":"Be brief."},{"role":"user","content":"Weather in Paris?"},)"
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":)"
      R"({"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1","content":"21 degrees"}])";
  GenerationRequest g = GenerationRequest::parse(request("", 1, false, messages), LlmTaskType::Chat, 256);
  ASSERT_EQ(g.messages.size(), 4u);
  EXPECT_EQ(g.messages[0].role, "system");
  EXPECT_EQ(g.messages[2].content, R"({"name": "get_weather", "parameters": {"city": "Paris", "unit": "celsius"}})");
  EXPECT_EQ(g.messages[3].role, "ipython");
  EXPECT_EQ(g.tools.choice, "auto");
  auto loaded = LoadedModel::load(TinyModels::get().reference(), {});
  const std::string prompt = loaded->chat_template->render(with_tools(g.messages, g.tools), true, true);
  EXPECT_NE(prompt.find("Given the following functions, please respond with a JSON for a function call"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"get_weather\""), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("<|start_header_id|>ipython<|end_header_id|>\n\n21 degrees<|eot_id|>"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("Weather in Paris?<|eot_id|>"), std::string::npos) << prompt;
  // The round trip's second request is served (the model answers after the tool's result).
  const std::string response = serve_answer(*chat_, request("\"none\"", 2, false, messages));
  rapidjson::Document d;
  d.Parse(response.c_str());
  EXPECT_TRUE(d[0]["choices"][0]["message"]["content"].IsString()) << response;
}

TEST_F(ToolCalls, BadToolRequestsAreRefusedByName) {
  std::string m = error_text([&] { chat_->validate(request(R"({"type":"function","function":{"name":"nope"}})", 1, false)); },
                             NT_INVALID_ARGUMENT);
  EXPECT_NE(m.find("no tool is named \"nope\""), std::string::npos) << m;
  m = error_text([&] { chat_->validate(request("\"sometimes\"", 1, false)); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(m.find("request key \"tool_choice\""), std::string::npos) << m;
  m = error_text([&] {
        chat_->validate(R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f",)"
                        R"("parameters":{"type":"object","properties":{"n":{"type":"integer","minimum":0}}}}}],"tool_choice":"required"})");
      }, NT_UNIMPLEMENTED);
  EXPECT_NE(m.find("keyword \"minimum\""), std::string::npos) << m;
  m = error_text([&] { GenerationRequest::parse(R"({"prompt":"x","tools":[]})", LlmTaskType::Completions, 64); }, NT_UNIMPLEMENTED);
  EXPECT_NE(m.find("\"tools\": not supported"), std::string::npos) << m;
}

}  // namespace
}  // namespace nineteen::llm
