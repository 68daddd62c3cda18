// Unit tests of the template's task, without a host.
#include <gtest/gtest.h>

#include "../src/word_count_task.hpp"

TEST(WordCountTask, ServesAndChecksItsOwnAnswer) {
  word_count::WordCountTask task("word-count", 100);
  std::string request = task.synthesize(3);
  EXPECT_EQ(request, task.synthesize(3));
  nineteen::sdk::CollectingCall call;
  task.serve(request, call);
  ASSERT_EQ(call.chunks.size(), 1u);
  EXPECT_DOUBLE_EQ(task.check({request}, {call.response_json()})[0].quality, 1.0);
}

TEST(WordCountTask, AWrongCountScoresLess) {
  word_count::WordCountTask task("word-count", 100);
  auto results = task.check({R"({"text":"a b c d"})", R"({"text":"a b"})"}, {R"([{"words":3}])", R"(["x"])"});
  EXPECT_DOUBLE_EQ(results[0].quality, 0.5);
  EXPECT_DOUBLE_EQ(results[1].quality, 0.0);
}

TEST(WordCountTask, BadRequestsAreClearErrors) {
  word_count::WordCountTask task("word-count", 2);
  nineteen::sdk::CollectingCall call;
  try {
    task.serve(R"({"text":"a b c"})", call);
    FAIL();
  } catch (const nineteen::sdk::Error& e) {
    EXPECT_EQ(e.code(), NT_INVALID_ARGUMENT);
    EXPECT_STREQ(e.what(), "request key \"text\": 3 words, over the limit of 2");
  }
}
