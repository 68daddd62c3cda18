// Reading OpenAI requests: defaults, both logprobs forms, and errors that name the key.
#include "generation_request.hpp"

#include <gtest/gtest.h>

#include "tiny_models.hpp"

namespace nineteen::llm {
namespace {

using testing::error_text;

GenerationRequest chat(const std::string& json) { return GenerationRequest::parse(json, LlmTaskType::Chat, 256); }

std::string chat_error(const std::string& json) {
  return error_text([&] { chat(json); }, NT_INVALID_ARGUMENT);
}

const std::string kHello = R"("messages":[{"role":"user","content":"hi"}])";

TEST(GenerationRequest, ReadsAChatRequestWithDefaults) {
  GenerationRequest r = chat("{" + kHello + "}");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].role, "user");
  EXPECT_EQ(r.sampling.temperature, 1.0);
  EXPECT_EQ(r.sampling.top_p, 1.0);
  EXPECT_FALSE(r.has_seed);
  EXPECT_EQ(r.max_tokens, 0);
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.logprobs);
}

TEST(GenerationRequest, ReadsEverySamplingKey) {
  GenerationRequest r = chat("{" + kHello + R"(,"temperature":0.3,"top_p":0.9,"top_k":40,"seed":7,"max_tokens":12,
      "stop":["a","bc"],"stream":true,"logprobs":true,"top_logprobs":3})");
  EXPECT_EQ(r.sampling.temperature, 0.3);
  EXPECT_EQ(r.sampling.top_p, 0.9);
  EXPECT_EQ(r.sampling.top_k, 40);
  EXPECT_TRUE(r.has_seed);
  EXPECT_EQ(r.sampling.seed, 7u);
  EXPECT_EQ(r.max_tokens, 12);
  EXPECT_EQ(r.stop, (std::vector<std::string>{"a", "bc"}));
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.logprobs);
  EXPECT_EQ(r.sampling.top_logprobs, 3);
  EXPECT_EQ(chat("{" + kHello + R"(,"stop":"x","top_k":-1})").stop, std::vector<std::string>{"x"});
}

TEST(GenerationRequest, ContentMayBeTextParts) {
  GenerationRequest r = chat(R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})");
  EXPECT_EQ(r.messages[0].content, "ab");
}

TEST(GenerationRequest, CompletionsTakeAPromptAndAnIntegerLogprobs) {
  GenerationRequest r = GenerationRequest::parse(R"({"prompt":"Once","logprobs":2})", LlmTaskType::Completions, 64);
  EXPECT_EQ(r.prompt, "Once");
  EXPECT_TRUE(r.logprobs);
  EXPECT_EQ(r.sampling.top_logprobs, 2);
  EXPECT_NE(error_text([] { GenerationRequest::parse("{}", LlmTaskType::Completions, 64); }, NT_INVALID_ARGUMENT)
                .find("missing key \"prompt\""),
            std::string::npos);
}

TEST(GenerationRequest, BadRequestsNameTheKey) {
  EXPECT_NE(chat_error("{}").find("missing key \"messages\""), std::string::npos);
  EXPECT_NE(chat_error(R"({"messages":[]})").find("\"messages\": expected at least one message"), std::string::npos);
  EXPECT_NE(chat_error(R"({"messages":"hi"})").find("\"messages\": expected an array"), std::string::npos);
  EXPECT_NE(chat_error(R"({"messages":[{"role":"robot","content":"x"}]})").find("\"messages[0]\" key \"role\""),
            std::string::npos);
  EXPECT_NE(chat_error(R"({"messages":[{"role":"user","content":5}]})").find("key \"content\""), std::string::npos);
  EXPECT_NE(chat_error(R"({"messages":[{"role":"user"}]})").find("missing key \"content\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"max_tokens":0})").find("\"max_tokens\": expected an integer from 1 to 256"),
            std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"max_tokens":-3})").find("\"max_tokens\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"max_tokens":257})").find("\"max_tokens\": expected an integer from 1 to 256"),
            std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"temperature":"hot"})").find("\"temperature\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"temperature":3})").find("\"temperature\": expected a number from 0 to 2"),
            std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"top_p":0})").find("\"top_p\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"seed":-1})").find("\"seed\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"stop":[""]})").find("\"stop\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"stream":"yes"})").find("\"stream\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"logprobs":3})").find("\"logprobs\": expected true or false"), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"top_logprobs":2})").find("needs \"logprobs\": true"), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"n":2})").find("\"n\""), std::string::npos);
  EXPECT_NE(chat_error("{" + kHello + R"(,"presence_penalty":0.5})").find("\"presence_penalty\""), std::string::npos);
  EXPECT_NE(chat_error("not json").find("invalid JSON"), std::string::npos);
}

// Issue 25, item 1: every key of OpenAI's chat and completions shapes is honoured or refused by
// name; none is silently ignored (a `tools` request must not get plain text back).
TEST(GenerationRequest, EveryOpenAiKeyIsHonouredOrRefusedByName) {
  for (const char* key : {"functions", "function_call", "logit_bias", "audio", "modalities", "prediction", "reasoning_effort", "web_search_options",
                          "service_tier", "store", "metadata", "prompt"}) {
    const std::string text = error_text([&] { chat("{" + kHello + ",\"" + key + "\":{}}"); }, NT_UNIMPLEMENTED);
    EXPECT_NE(text.find(std::string("request key \"") + key + "\": not supported by this task"), std::string::npos)
        << key << ": " << text;
  }
  for (const char* key : {"suffix", "echo", "best_of", "messages", "tools", "tool_choice", "parallel_tool_calls"}) {
    const std::string text = error_text(
        [&] { GenerationRequest::parse(std::string(R"({"prompt":"hi",")") + key + "\":1}", LlmTaskType::Completions, 256); },
        NT_UNIMPLEMENTED);
    EXPECT_NE(text.find(std::string("\"") + key + "\": not supported"), std::string::npos) << key << ": " << text;
  }
  // A key no API has: refused as unknown, with the nearest honoured key.
  EXPECT_NE(chat_error("{" + kHello + R"(,"max_token":5})").find("did you mean `max_tokens`"), std::string::npos);
  // Every honoured key at once is accepted.
  EXPECT_NO_THROW(chat("{" + kHello +
                       R"(,"model":"m","max_tokens":3,"max_completion_tokens":3,"temperature":1,"top_p":1,"top_k":5,)"
                       R"("seed":1,"stop":"x","stream":true,"stream_options":{"include_usage":true},"logprobs":true,)"
                       R"("top_logprobs":2,"n":1,"frequency_penalty":0,"presence_penalty":0,"repetition_penalty":1,)"
                       R"("return_token_ids":true,"user":"u"})"));
}

}  // namespace
}  // namespace nineteen::llm
