// encode -> decode is the identity on any bytes, with a tokenizer trained here.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/bpe_trainer.hpp"
#include "sample_corpus.hpp"

namespace nineteen::text {
namespace {

const BpeTokenizer& trained() {
  static const BpeTokenizer tokenizer = BpeTokenizer::from_json(
      train_bpe_tokenizer_json(testing::sample_corpus(40), 700, {"<|begin_of_text|>", "<|eot_id|>"}),
      "trained.json");
  return tokenizer;
}

void expect_round_trip(const std::string& text) {
  for (bool parse_special : {true, false}) {
    std::vector<int32_t> ids = trained().encode(text, parse_special);
    EXPECT_EQ(trained().decode(ids), text) << "parse_special=" << parse_special;
    std::string joined;
    for (int32_t id : ids) joined += trained().decode_token(id);
    EXPECT_EQ(joined, text);
  }
}

TEST(BpeTokenizerRoundTrip, Scripts) {
  expect_round_trip("Hello, world! The quick brown fox.");
  expect_round_trip(
      "Caf\xC3\xA9 cr\xC3\xA8me, na\xC3\xAFve fa\xC3\xA7"
      "ade, \xC3\x85ngstr\xC3\xB6m");
  expect_round_trip(
      "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAF\xE6\x97\xA5\xE6\x9C\xAC \xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4");
  expect_round_trip(
      "\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7");
  expect_round_trip(
      "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7");
}

TEST(BpeTokenizerRoundTrip, WhitespaceAndNewlines) {
  expect_round_trip("");
  expect_round_trip(" ");
  expect_round_trip("a     b\t\t\tc \n \n\n\r\n   ");
  expect_round_trip("\n\n\n\n");
  expect_round_trip("   leading and trailing   ");
  expect_round_trip(std::string(5000, ' ') + "x" + std::string(5000, '\n'));
}

TEST(BpeTokenizerRoundTrip, MixedWithSpecialTokens) {
  std::string text = "<|begin_of_text|>user: 12345678 don't \xF0\x9F\x98\x80<|eot_id|>\n<|eot_id|x";
  expect_round_trip(text);
  std::vector<int32_t> parsed = trained().encode(text, true);
  std::vector<int32_t> literal = trained().encode(text, false);
  int32_t eot = *trained().token_id("<|eot_id|>");
  EXPECT_EQ(std::count(parsed.begin(), parsed.end(), eot), 1);
  EXPECT_EQ(std::count(literal.begin(), literal.end(), eot), 0);
  EXPECT_EQ(parsed.front(), *trained().token_id("<|begin_of_text|>"));
  EXPECT_GT(literal.size(), parsed.size());
  EXPECT_EQ(trained().decode(parsed, /*skip_special=*/true),
            "user: 12345678 don't \xF0\x9F\x98\x80\n<|eot_id|x");
}

TEST(BpeTokenizerRoundTrip, InvalidUtf8AndEveryByte) {
  expect_round_trip("\xFF\xFE broken \xC3 half \xE6\x9D tail \x80\x80");
  expect_round_trip(std::string("nul\0inside", 10));
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  expect_round_trip(all);
  expect_round_trip(all + all + "text" + all);
}

TEST(BpeTokenizerRoundTrip, LongRunsOfOneClass) {
  expect_round_trip(std::string(100000, 'a'));
  expect_round_trip(std::string(100000, '7'));
  expect_round_trip(std::string(100000, '!'));
  std::string cjk;
  for (int i = 0; i < 20000; ++i) cjk += "\xE6\x9D\xB1";
  expect_round_trip(cjk);
}

TEST(BpeTokenizerRoundTrip, ConcurrentEncodesAgree) {
  std::string text = testing::sample_corpus(3);
  std::vector<int32_t> expected = trained().encode(text);
  std::vector<std::vector<int32_t>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) result = trained().encode(text);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

}  // namespace
}  // namespace nineteen::text
