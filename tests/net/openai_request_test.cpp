// The request head every hop reads (net::read_request_head) and the model rewrite (with_model):
// a body accepted by the first stays valid JSON after the second.
#include <gtest/gtest.h>

#include "nineteen/net/openai_request.hpp"

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

}  // namespace
}  // namespace nineteen::net
