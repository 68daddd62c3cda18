// The request head every hop reads (net::read_request_head) and the model rewrite (with_model):
// a body accepted by the first stays valid JSON after the second.
#include <gtest/gtest.h>

#include "nineteen/net/openai_request.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::net {
namespace {

// A "\uDC00".."\uDFFF" escape without its high surrogate is not a character: refused with the byte,
// while a whole pair and an escaped backslash before "udfff" are text (fuzz_request_head found the
// first passing the gateway and failing at the miner after the rewrite).
TEST(RequestHead, ALoneLowSurrogateEscapeIsRefusedAndEveryAcceptedBodySurvivesTheRewrite) {
  const std::string lone = R"({"model":"chat","messages":[{"role":"user","content":"ok \udfff"}]})";
  RequestHeadRead read = read_request_head(lone);
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code, "invalid_json");
  EXPECT_NE(read.error->message.find("low surrogate"), std::string::npos) << read.error->message;
  EXPECT_NE(read.error->message.find("at byte 57"), std::string::npos) << read.error->message;
  for (const std::string& body : {std::string(R"({"model":"chat","text":"\ud83d\ude00 \\udfff","stream":true})"),
                                  std::string(R"({"model":"chat","text":"\u00e9\u4e2d"})")}) {
    SCOPED_TRACE(body);
    read = read_request_head(body);
    ASSERT_TRUE(read.head) << read.error->message;
    const RequestHeadRead again = read_request_head(with_model(body, "chat-tiny"));
    ASSERT_TRUE(again.head) << again.error->message;
    EXPECT_EQ(again.head->model, std::string("chat-tiny"));
    EXPECT_EQ(again.head->stream, read.head->stream);
  }
}

// The same refusal in the one JSON reader every part uses (a task's request, a checker's answer, a
// file): no document may hold the bytes RapidJSON makes of a lone low surrogate, and what is refused
// names its byte; a lone high surrogate RapidJSON refuses itself.
TEST(JsonBounded, ALoneLowSurrogateIsRefusedAtItsByteAndPairsStayText) {
  rapidjson::Document doc;
  std::string problem = sdk::parse_json_bounded(doc, R"(["a", {"k": "\uDC00x"}])");
  EXPECT_NE(problem.find("at byte 13"), std::string::npos) << problem;
  EXPECT_NE(problem.find("low surrogate"), std::string::npos) << problem;
  EXPECT_TRUE(doc.IsNull());  // nothing half-read is left for a caller that ignores the message
  EXPECT_FALSE(sdk::parse_json_bounded(doc, R"(["\udbff"])").empty());              // high without low
  EXPECT_FALSE(sdk::parse_json_bounded(doc, R"(["\ud83d\ude00\ude00"])").empty());  // a low after a pair
  for (const char* text : {R"(["\ud83d\ude00"])", R"(["\\udc00"])", R"({"\u00e9":"\uFFFD"})", R"("udc00")"}) {
    SCOPED_TRACE(text);
    problem = sdk::parse_json_bounded(doc, text);
    EXPECT_TRUE(problem.empty()) << problem;
    // What was read writes back as JSON that reads again.
    rapidjson::Document again;
    EXPECT_TRUE(sdk::parse_json_bounded(again, sdk::to_json(doc)).empty());
  }
}

// A number RapidJSON 1.1 reads as infinity without an error (fuzz_request_head, this session) is
// refused by the reader, so no hop holds a value it cannot write back; the request head says so too.
TEST(JsonBounded, ANumberBeyondADoublesRangeIsRefusedNotReadAsInfinity) {
  rapidjson::Document doc;
  for (const char* text : {R"({"stm":422222222222222242e304})", R"([1, [2, -422222222222222242e304]])"}) {
    SCOPED_TRACE(text);
    const std::string problem = sdk::parse_json_bounded(doc, text);
    EXPECT_NE(problem.find("beyond the range of a double"), std::string::npos) << problem;
    EXPECT_TRUE(doc.IsNull());
  }
  EXPECT_FALSE(sdk::parse_json_bounded(doc, "[1e309]").empty());  // RapidJSON's own refusal
  EXPECT_TRUE(sdk::parse_json_bounded(doc, R"({"t":1.7e308,"u":-1e-320,"v":42})").empty());
  const RequestHeadRead read = read_request_head(R"({"model":"chat","temperature":422222222222222242e304})");
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code, "invalid_json");
}

}  // namespace
}  // namespace nineteen::net
