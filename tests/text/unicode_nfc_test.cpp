// NFC, the normalizer of Qwen2's tokenizer.json (detail::to_nfc, through ICU).
#include "unicode_nfc.hpp"

#include <gtest/gtest.h>

namespace nineteen::text::detail {
namespace {

TEST(UnicodeNfc, ComposesAndLeavesNormalTextAlone) {
  std::string out = "untouched";
  EXPECT_FALSE(to_nfc("plain ascii", out));
  EXPECT_FALSE(to_nfc("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC", out));  // already NFC
  EXPECT_EQ(out, "untouched");
  ASSERT_TRUE(to_nfc("Cafe\xCC\x81!", out));  // e + combining acute
  EXPECT_EQ(out, "Caf\xC3\xA9!");
  ASSERT_TRUE(to_nfc("\xE1\x84\x80\xE1\x85\xA1", out));  // Hangul jamo compose to one syllable
  EXPECT_EQ(out, "\xEA\xB0\x80");
  ASSERT_TRUE(to_nfc("\xE2\x84\xAB", out));  // ANGSTROM SIGN is canonically Å
  EXPECT_EQ(out, "\xC3\x85");
}

TEST(UnicodeNfc, InvalidBytesPassThrough) {
  std::string out;
  ASSERT_TRUE(to_nfc("\xFF" "e\xCC\x81" "\xC3" "x\xED\xA0\x80", out));
  EXPECT_EQ(out, "\xFF\xC3\xA9\xC3" "x\xED\xA0\x80");
  EXPECT_FALSE(to_nfc("\xFF\xFE ok", out));
}

}  // namespace
}  // namespace nineteen::text::detail
