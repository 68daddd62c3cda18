// Streamed text: valid UTF-8 from split characters, stop strings never shown, held text released.
#include "streamed_text.hpp"

#include <gtest/gtest.h>

#include "utf8_repair.hpp"

namespace nineteen::llm {
namespace {

TEST(Utf8Repair, ReplacesInvalidAndKeepsValid) {
  EXPECT_EQ(to_valid_utf8("plain"), "plain");
  EXPECT_EQ(to_valid_utf8("caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80");
  EXPECT_EQ(to_valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(to_valid_utf8("\xC3"), "\xEF\xBF\xBD");                   // truncated
  EXPECT_EQ(to_valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");   // overlong
  EXPECT_EQ(to_valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(to_valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Utf8Repair, FindsAnIncompleteTail) {
  EXPECT_EQ(incomplete_utf8_tail("abc"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("ab\xE6"), 1u);
  EXPECT_EQ(incomplete_utf8_tail("ab\xE6\x97"), 2u);
  EXPECT_EQ(incomplete_utf8_tail("ab\xE6\x97\xA5"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("\xF0\x9F\x98"), 3u);
}

TEST(StreamedText, HoldsASplitCharacterUntilItCompletes) {
  StreamedText text({});
  EXPECT_EQ(text.push("x\xE6").delta, "x");
  EXPECT_EQ(text.push("\x97").delta, "");
  EXPECT_EQ(text.push("\xA5y").delta, "\xE6\x97\xA5y");
  EXPECT_EQ(text.push("\xE6").delta, "");
  EXPECT_EQ(text.finish(), "\xEF\xBF\xBD");  // never completed
}

TEST(StreamedText, StopStringAcrossTokensIsNeverShown) {
  StreamedText text({"END", "\n\n"});
  EXPECT_EQ(text.push("one E").delta, "one ");
  EXPECT_EQ(text.push("N").delta, "");
  StreamedText::Step step = text.push("Dtwo");
  ASSERT_TRUE(step.stop_hit);
  EXPECT_EQ(*step.stop_hit, "END");
  EXPECT_EQ(step.delta, "");
  EXPECT_EQ(text.finish(), "");
}

TEST(StreamedText, HeldPrefixIsReleasedWhenItStopsMatching) {
  StreamedText text({"END"});
  EXPECT_EQ(text.push("a E").delta, "a ");
  EXPECT_EQ(text.push("N").delta, "");
  EXPECT_EQ(text.push("X").delta, "ENX");
}

TEST(StreamedText, EarliestStopWinsAndTextBeforeItIsShown) {
  StreamedText text({"cd", "b"});
  StreamedText::Step step = text.push("abcd");
  ASSERT_TRUE(step.stop_hit);
  EXPECT_EQ(*step.stop_hit, "b");
  EXPECT_EQ(step.delta, "a");
}

}  // namespace
}  // namespace nineteen::llm
