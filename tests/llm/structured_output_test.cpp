// Structured outputs through the plugin on the tiny random model: response_format json_schema and
// json_object, guided_choice and GBNF grammars give text of the requested shape; the checker
// replays the masks (an honest answer checks near 1, plain text against a schema request 0); an
// unsupported schema keyword is refused by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include <rapidjson/document.h>

#include "llm_plugin.hpp"
#include "llm_task.hpp"
#include "miner_answer.hpp"
#include "sentencepiece_style_tokenizer.hpp"
#include "tiny_models.hpp"

namespace nineteen::llm {
namespace {

using testing::error_text;
using testing::make_task;
using testing::serve_answer;
using testing::task_config;
using testing::TinyModels;

const char* kSchema = R"({"type":"object","properties":{"name":{"type":"string","maxLength":6},
  "color":{"enum":["red","green","blue"]},"ok":{"type":"boolean"},
  "tags":{"type":"array","items":{"type":"string","maxLength":3},"maxItems":2}},
  "required":["name","color","ok"],"additionalProperties":false})";

std::string request(const std::string& constraint, uint64_t seed, bool stream, int max_tokens = 120) {
  return R"({"messages":[{"role":"user","content":"Describe a flower as JSON."}],"temperature":1.0,"max_tokens":)" +
         std::to_string(max_tokens) + ",\"seed\":" + std::to_string(seed) + ",\"stream\":" +
         (stream ? "true" : "false") + ",\"logprobs\":true" + (constraint.empty() ? "" : "," + constraint) + "}";
}

std::string schema_constraint() {
  return std::string(R"("response_format":{"type":"json_schema","json_schema":{"name":"flower","strict":true,"schema":)") +
         kSchema + "}}";
}

std::string content_of(const std::string& response) {
  rapidjson::Document doc;
  doc.Parse(response.c_str());
  std::string text;
  for (const auto& chunk : doc.GetArray()) {
    const auto& choice = chunk["choices"][0];
    const auto& holder = choice.HasMember("message") ? choice["message"] : choice["delta"];
    if (holder.HasMember("content") && holder["content"].IsString()) text += holder["content"].GetString();
  }
  return text;
}

class StructuredOutput : public ::testing::Test {
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

LlmPlugin* StructuredOutput::plugin_ = nullptr;
sdk::Task* StructuredOutput::chat_ = nullptr;

TEST_F(StructuredOutput, JsonSchemaAnswersParseAndMatchTheSchemaAndCheckAsHonest) {
  for (uint64_t seed : {1, 2, 3}) {
    for (bool stream : {false, true}) {
      const std::string req = request(schema_constraint(), seed, stream);
      const std::string response = serve_answer(*chat_, req);
      const std::string text = content_of(response);
      rapidjson::Document doc;
      doc.Parse(text.c_str());
      ASSERT_FALSE(doc.HasParseError()) << "seed " << seed << ": not JSON: " << text;
      ASSERT_TRUE(doc.IsObject()) << text;
      ASSERT_TRUE(doc.HasMember("name") && doc["name"].IsString()) << text;
      EXPECT_LE(doc["name"].GetStringLength(), 6u * 4) << text;
      ASSERT_TRUE(doc.HasMember("color") && doc["color"].IsString()) << text;
      const std::string color = doc["color"].GetString();
      EXPECT_TRUE(color == "red" || color == "green" || color == "blue") << text;
      ASSERT_TRUE(doc.HasMember("ok") && doc["ok"].IsBool()) << text;
      for (const auto& m : doc.GetObject()) {
        const std::string k = m.name.GetString();
        EXPECT_TRUE(k == "name" || k == "color" || k == "ok" || k == "tags") << text;
      }
      if (doc.HasMember("tags")) {
        EXPECT_LE(doc["tags"].Size(), 2u) << text;
      }
      MinerAnswerRead read = read_miner_answer(response, LlmTaskType::Chat);
      ASSERT_TRUE(read.answer) << read.problem;
      EXPECT_EQ(read.answer->finish_reason, "stop") << text;
      // The checker replays the masks and scores on the masked distribution.
      std::vector<sdk::CheckResult> r = chat_->check({req}, {response});
      EXPECT_GE(r[0].quality, 0.99) << r[0].reason << "\n" << text;
    }
  }
}

TEST_F(StructuredOutput, AnAnswerThatIgnoresTheSchemaChecksZero) {
  const std::string plain = serve_answer(*chat_, request("", 5, false, 20));
  std::vector<sdk::CheckResult> r = chat_->check({request(schema_constraint(), 5, false, 20)}, {plain});
  EXPECT_EQ(r[0].quality, 0.0);
  EXPECT_NE(r[0].reason.find("outside the request's grammar"), std::string::npos) << r[0].reason;
}

TEST_F(StructuredOutput, TheCheckScoresOnTheMaskedDistribution) {
  // The honest masked answer checks as honest only when the checker applies the same masks: read
  // as a plain request (the raw distribution), its tokens rank far down and it fails.
  const std::string req = request(schema_constraint(), 3, false);
  const std::string response = serve_answer(*chat_, req);
  EXPECT_GE(chat_->check({req}, {response})[0].quality, 0.99);
  sdk::CheckResult unmasked = chat_->check({request("", 3, false)}, {response})[0];
  EXPECT_LT(unmasked.quality, 0.5) << unmasked.reason;
}

TEST_F(StructuredOutput, JsonObjectChoicesAndGrammars) {
  const std::string obj = serve_answer(*chat_, request(R"("response_format":{"type":"json_object"})", 7, false, 400));
  rapidjson::Document doc;
  const std::string text = content_of(obj);
  MinerAnswerRead read = read_miner_answer(obj, LlmTaskType::Chat);
  ASSERT_TRUE(read.answer);
  if (read.answer->finish_reason == "stop") {
    doc.Parse(text.c_str());
    EXPECT_TRUE(!doc.HasParseError() && doc.IsObject()) << text;
  } else {
    EXPECT_EQ(text.substr(0, 1), "{") << text;  // cut by max_tokens: a prefix of an object
  }
  for (uint64_t seed : {1, 2, 3, 4}) {
    const std::string req = request(R"("guided_choice":["sunny","rain","snow"])", seed, false);
    const std::string choice = content_of(serve_answer(*chat_, req));
    EXPECT_TRUE(choice == "sunny" || choice == "rain" || choice == "snow") << choice;
    const std::string greq = request(R"("grammar":"root ::= (\"yes\" | \"no\") \" \" [0-9]{2}")", seed, false);
    const std::string gresponse = serve_answer(*chat_, greq);
    const std::string g = content_of(gresponse);
    ASSERT_GE(g.size(), 5u) << g;
    EXPECT_TRUE(g.rfind("yes ", 0) == 0 || g.rfind("no ", 0) == 0) << g;
    EXPECT_EQ(chat_->check({greq}, {gresponse})[0].quality >= 0.99, true) << g;
    // guided_regex (vLLM): the answer matches the pattern whole, and checks as honest.
    const std::string rreq = request(R"("guided_regex":"(yes|no), [A-Z][a-z]{1,4} \\d{2}")", seed, false);
    const std::string rresponse = serve_answer(*chat_, rreq);
    const std::string r = content_of(rresponse);
    EXPECT_TRUE(std::regex_match(r, std::regex("(yes|no), [A-Z][a-z]{1,4} \\d{2}"))) << r;
    EXPECT_GE(chat_->check({rreq}, {rresponse})[0].quality, 0.99) << r;
  }
}

TEST_F(StructuredOutput, UnsupportedKeywordsAndBadFormatsAreRefusedByName) {
  const std::string minimum = request(
      R"("response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object","properties":{"n":{"type":"integer","minimum":3}}}}})",
      1, false);
  std::string message = error_text([&] { chat_->validate(minimum); }, NT_UNIMPLEMENTED);
  EXPECT_NE(message.find("request key \"response_format.json_schema.schema\""), std::string::npos) << message;
  EXPECT_NE(message.find("keyword \"minimum\""), std::string::npos) << message;
  EXPECT_NE(message.find("#/properties/n"), std::string::npos) << message;
  message = error_text([&] { chat_->validate(request(R"("response_format":{"type":"yaml"})", 1, false)); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("\"json_schema\""), std::string::npos) << message;
  message = error_text([&] { chat_->validate(request(R"("grammar":"root ::= root \"a\"")", 1, false)); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("request key \"grammar\""), std::string::npos) << message;
  message = error_text(
      [&] { chat_->validate(request(R"("grammar":"root ::= \"a\"","guided_choice":["a"])", 1, false)); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("only one of"), std::string::npos) << message;
  message = error_text([&] { chat_->validate(request(R"("guided_regex":"(a)\\1")", 1, false)); }, NT_UNIMPLEMENTED);
  EXPECT_NE(message.find("request key \"guided_regex\""), std::string::npos) << message;
  EXPECT_NE(message.find("backreference"), std::string::npos) << message;
  message = error_text([&] { chat_->validate(request(R"("guided_regex":"(ab")", 1, false)); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("request key \"guided_regex\""), std::string::npos) << message;
}

// Structured outputs on SentencePiece-style tokenizers (Llama 2 / Phi-3's and Mistral v0.3's forms):
// their tokens carry "▁" for a space and the first one's is stripped on decoding, so the token masks
// must be built from what each token adds to the text. A JSON schema, a choice and a regex give
// text of the requested shape that checks as honest.
TEST(StructuredOutputSentencePiece, SchemasChoicesAndRegexesHoldOnBothForms) {
  for (const bool metaspace : {false, true}) {
    SCOPED_TRACE(metaspace ? "Mistral v0.3 form" : "Llama 2 / Phi-3 form");
    const std::string dir = (std::filesystem::path(::testing::TempDir()) /
                             ("nineteen-sp-" + std::to_string(::getpid()) + (metaspace ? "-m" : "-l")))
                                .string();
    models::TinyLlamaOptions options;
    options.family = metaspace ? "mistral" : "phi3";
    options.vocab = 1024;  // room for the SentencePiece-style vocabulary's ids
    models::make_tiny_llama(dir, options);
    testing_support::write_sentencepiece_style(dir + "/sp", metaspace);
    std::filesystem::copy_file(dir + "/sp/tokenizer.json", dir + "/tokenizer.json",
                               std::filesystem::copy_options::overwrite_existing);
    LlmPlugin plugin{sdk::Host()};
    auto chat = make_task(plugin, "chat", task_config("chat", dir, "\"json_whitespace\":1"));
    ASSERT_TRUE(dynamic_cast<LlmTask&>(*chat).model().tokenizer.sentencepiece_style());
    for (uint64_t seed : {1, 2}) {
      const std::string req = request(schema_constraint(), seed, seed == 2);
      const std::string response = serve_answer(*chat, req);
      const std::string text = content_of(response);
      rapidjson::Document doc;
      doc.Parse(text.c_str());
      EXPECT_FALSE(doc.HasParseError()) << "seed " << seed << ": not JSON: [" << text << "]";
      EXPECT_TRUE(doc.IsObject() && doc.HasMember("color") && doc.HasMember("ok")) << text;
      EXPECT_GE(chat->check({req}, {response})[0].quality, 0.99) << text;

      const std::string creq = request(R"("guided_choice":["sunny day","rain"])", seed, false);
      const std::string cresponse = serve_answer(*chat, creq);
      const std::string choice = content_of(cresponse);
      EXPECT_TRUE(choice == "sunny day" || choice == "rain") << "[" << choice << "]";
      EXPECT_GE(chat->check({creq}, {cresponse})[0].quality, 0.99) << choice;

      const std::string rreq = request(R"("guided_regex":"(yes|no), [A-Z][a-z]{1,4} \\d{2}")", seed, false);
      const std::string rresponse = serve_answer(*chat, rreq);
      const std::string r = content_of(rresponse);
      EXPECT_TRUE(std::regex_match(r, std::regex("(yes|no), [A-Z][a-z]{1,4} \\d{2}"))) << "[" << r << "]";
      EXPECT_GE(chat->check({rreq}, {rresponse})[0].quality, 0.99) << r;
    }
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace nineteen::llm
