// Tool calling on the tiny random model: a named or required tool_choice makes the answer a valid
// call (the grammar forces it), whole and streamed in OpenAI's shapes; the checker re-parses the
// tokens and refuses a claimed call they do not make; tool and developer turns render as the
// Llama 3.1 template renders them.
#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <fstream>

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

std::string request(const std::string& tool_choice, uint64_t seed, bool stream, const std::string& messages = "",
                    int max_tokens = 80) {
  return std::string(R"({"messages":)") +
         (messages.empty() ? R"([{"role":"user","content":"What is the weather in Paris?"}])" : messages) +
         R"(,"tools":)" + kTools + (tool_choice.empty() ? "" : ",\"tool_choice\":" + tool_choice) +
         ",\"max_tokens\":" + std::to_string(max_tokens) + ",\"temperature\":1,\"seed\":" + std::to_string(seed) +
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
  ASSERT_EQ(g.messages[2].tool_calls.size(), 1u);
  EXPECT_EQ(g.messages[2].tool_calls[0].name, "get_weather");
  EXPECT_EQ(g.messages[3].role, "tool");
  const std::vector<text::ChatMessage> llama = with_tools(g.messages, g.tools);
  EXPECT_EQ(llama[2].content, R"({"name": "get_weather", "parameters": {"city": "Paris", "unit": "celsius"}})");
  EXPECT_EQ(llama[3].role, "ipython");
  EXPECT_EQ(g.tools.choice, "auto");
  auto loaded = LoadedModel::load(TinyModels::get().reference(), {});
  const std::string prompt = render_chat_prompt(*loaded->chat_template, g.messages, g.tools);
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

// The tiny model with Qwen2.5's published chat template (tests/huggingface-js/templates), so its
// chat turns, tools and calls take Qwen2.5's format.
class QwenToolCalls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    namespace fs = std::filesystem;
    dir_ = new std::string(TinyModels::get().folder() + "/tiny-qwen-template");
    fs::remove_all(*dir_);
    fs::copy(TinyModels::get().reference(), *dir_, fs::copy_options::recursive);
    std::ifstream in(std::string(NINETEEN_CHAT_TEMPLATES_DIR) + "/qwen2.5.jinja", std::ios::binary);
    const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_NE(source.find("<tool_call>"), std::string::npos);
    const std::string config_path = *dir_ + "/tokenizer_config.json";
    std::ifstream config_in(config_path, std::ios::binary);
    const std::string config_text((std::istreambuf_iterator<char>(config_in)), std::istreambuf_iterator<char>());
    rapidjson::Document config;
    config.Parse(config_text.c_str(), config_text.size());
    config["chat_template"].SetString(source.c_str(), static_cast<rapidjson::SizeType>(source.size()), config.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    config.Accept(w);
    std::ofstream(config_path, std::ios::binary | std::ios::trunc) << buffer.GetString();
    plugin_ = new LlmPlugin(sdk::Host());
    chat_ = make_task(*plugin_, "chat", task_config("chat", *dir_, "\"json_whitespace\":1")).release();
  }
  static void TearDownTestSuite() {
    delete chat_;
    delete plugin_;
    delete dir_;
  }
  static std::string* dir_;
  static LlmPlugin* plugin_;
  static sdk::Task* chat_;
};

std::string* QwenToolCalls::dir_ = nullptr;
LlmPlugin* QwenToolCalls::plugin_ = nullptr;
sdk::Task* QwenToolCalls::chat_ = nullptr;

TEST_F(QwenToolCalls, ToolsCallsAndResultsRenderAsQwen25Does) {
  const std::string messages =
      R"([{"role":"developer","content":"Be brief."},{"role":"user","content":"Weather in Paris?"},)"
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":)"
      R"({"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1","content":"21 degrees"},{"role":"tool","content":"windy"}])";
  auto loaded = LoadedModel::load(*dir_, {});
  ASSERT_TRUE(loaded->chat_template && loaded->chat_template->renders_tools());
  GenerationRequest g = GenerationRequest::parse(request("", 1, false, messages), LlmTaskType::Chat, 256, {},
                                                 tool_format_of(&*loaded->chat_template));
  EXPECT_EQ(g.tools.format, ToolFormat::Qwen);
  const std::string prompt = render_chat_prompt(*loaded->chat_template, g.messages, g.tools);
  EXPECT_EQ(prompt.rfind("<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions", 0), 0u) << prompt;
  EXPECT_NE(prompt.find("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": "
                        "\"The weather in a city\", \"parameters\": {\"type\": \"object\""),
            std::string::npos)
      << prompt;
  EXPECT_NE(prompt.find("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
                        "\"Paris\", \"unit\": \"celsius\"}}\n</tool_call><|im_end|>\n"),
            std::string::npos)
      << prompt;
  EXPECT_NE(prompt.find("<|im_start|>user\n<tool_response>\n21 degrees\n</tool_response>\n<tool_response>\nwindy\n"
                        "</tool_response><|im_end|>\n<|im_start|>assistant\n"),
            std::string::npos)
      << prompt;
  EXPECT_EQ(prompt.find("ipython"), std::string::npos) << prompt;
  // Without tools offered the results still render as the template writes them.
  GenerationRequest none = GenerationRequest::parse(request("\"none\"", 1, false, messages), LlmTaskType::Chat, 256, {},
                                                    ToolFormat::Qwen);
  const std::string plain = render_chat_prompt(*loaded->chat_template, none.messages, none.tools);
  EXPECT_EQ(plain.find("# Tools"), std::string::npos) << plain;
  EXPECT_NE(plain.find("<tool_response>\nwindy\n</tool_response>"), std::string::npos) << plain;
  // The answer's call is parsed from Qwen's wrapper (and only from it).
  auto call = parse_tool_call("<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": true, \"b\": null}}\n</tool_call>",
                              g.tools, "x");
  ASSERT_TRUE(call.has_value());
  EXPECT_EQ(call->name, "add");
  EXPECT_EQ(call->arguments, R"({"a":true,"b":null})");
  EXPECT_FALSE(parse_tool_call("{\"name\": \"add\", \"arguments\": {\"a\": true, \"b\": null}}", g.tools, "x"));
  EXPECT_FALSE(parse_tool_call("<tool_call>\n{\"name\": \"nope\", \"arguments\": {}}\n</tool_call>", g.tools, "x"));
  EXPECT_FALSE(parse_tool_call("<tool_call>\n{\"name\": \"add\"", g.tools, "x"));
}

TEST_F(QwenToolCalls, ANamedCallIsForcedInQwensWrapperAndChecksAsHonest) {
  for (uint64_t seed : {1, 2}) {
    // Qwen's wrapper and a city of up to 10 random characters take more tokens of the tiny vocabulary.
    const std::string req = request(R"({"type":"function","function":{"name":"get_weather"}})", seed, false, "", 240);
    const std::string response = serve_answer(*chat_, req);
    rapidjson::Document d;
    d.Parse(response.c_str());
    const auto& choice = d[0]["choices"][0];
    ASSERT_STREQ(choice["finish_reason"].GetString(), "tool_calls") << response;
    const auto& call = choice["message"]["tool_calls"][0];
    EXPECT_STREQ(call["function"]["name"].GetString(), "get_weather") << response;
    expect_weather_arguments(call["function"]["arguments"].GetString());
    sdk::CheckResult r = chat_->check({req}, {response})[0];
    EXPECT_GE(r.quality, 0.99) << r.reason;
    // A claimed call its tokens do not make is refused.
    std::string forged = response;
    const std::string marker = "\"arguments\":\"{";
    const size_t at = forged.find(marker);
    ASSERT_NE(at, std::string::npos) << response;
    forged.insert(at + marker.size(), "\\\"extra\\\":1,");
    EXPECT_EQ(chat_->check({req}, {forged})[0].quality, 0.0);
  }
}

TEST_F(QwenToolCalls, ARequiredCallStreamsAsOpenAiDeltas) {
  const std::string req = request("\"required\"", 7, true, "", 240);
  sdk::CollectingCall call;
  chat_->serve(req, call);
  std::string name, arguments, finish;
  for (const std::string& chunk : call.chunks) {
    rapidjson::Document d;
    d.Parse(chunk.c_str());
    const auto& choice = d["choices"][0];
    const auto& delta = choice["delta"];
    if (delta.HasMember("content")) EXPECT_STREQ(delta["content"].GetString(), "");
    if (delta.HasMember("tool_calls")) {
      const auto& t = delta["tool_calls"][0];
      if (t["function"].HasMember("name")) name += t["function"]["name"].GetString();
      arguments += t["function"]["arguments"].GetString();
    }
    if (choice["finish_reason"].IsString()) finish = choice["finish_reason"].GetString();
  }
  EXPECT_EQ(finish, "tool_calls");
  ASSERT_TRUE(name == "get_weather" || name == "add") << name;
  if (name == "get_weather") expect_weather_arguments(arguments);
  sdk::CheckResult r = chat_->check({req}, {call.response_json()})[0];
  EXPECT_GE(r.quality, 0.99) << r.reason;
}

}  // namespace
}  // namespace nineteen::llm
