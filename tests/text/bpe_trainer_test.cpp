// The trainer is deterministic, keeps every byte, breaks ties by byte order and compresses.
#include "nineteen/text/bpe_trainer.hpp"

#include <gtest/gtest.h>

#include "nineteen/text/bpe_tokenizer.hpp"
#include "sample_corpus.hpp"
#include "sdk_error_text.hpp"

namespace nineteen::text {
namespace {

TEST(BpeTrainer, SameCorpusSameJson) {
  std::string corpus = testing::sample_corpus(30);
  std::string first = train_bpe_tokenizer_json(corpus, 600, {"<|eot_id|>"});
  EXPECT_EQ(first, train_bpe_tokenizer_json(corpus, 600, {"<|eot_id|>"}));
  EXPECT_NE(first, train_bpe_tokenizer_json(corpus + "more text, more text", 600, {"<|eot_id|>"}));
}

TEST(BpeTrainer, VocabularyLayout) {
  std::string corpus = testing::sample_corpus(30);
  BpeTokenizer t =
      BpeTokenizer::from_json(train_bpe_tokenizer_json(corpus, 480, {"<|a|>", "<|b|>"}), "t.json");
  ASSERT_EQ(t.vocab_size(), 480u);
  for (int32_t b = 0; b < 256; ++b) EXPECT_EQ(t.decode_token(b), std::string(1, static_cast<char>(b)));
  for (int32_t id = 256; id < 478; ++id) {
    EXPECT_GE(t.decode_token(id).size(), 2u) << id;
    EXPECT_FALSE(t.is_special(id));
  }
  EXPECT_EQ(t.token_string(478), "<|a|>");
  EXPECT_EQ(t.token_string(479), "<|b|>");
  EXPECT_TRUE(t.is_special(478));
  EXPECT_TRUE(t.is_special(479));
}

TEST(BpeTrainer, CompressesItsCorpus) {
  std::string corpus = testing::sample_corpus(30);
  BpeTokenizer t = BpeTokenizer::from_json(train_bpe_tokenizer_json(corpus, 800, {}), "t.json");
  std::vector<int32_t> ids = t.encode(corpus);
  EXPECT_LT(ids.size() * 3, corpus.size());  // over 3 bytes per token on text it has seen
  EXPECT_EQ(t.decode(ids), corpus);
}

TEST(BpeTrainer, MostFrequentPairFirstTiesByByteOrder) {
  // Pieces "ab", " ab", " cd", " cd": the pairs (a,b), (" ",c) and (c,d) each occur twice.
  // Byte order puts (" ", "c") first, then (" c", "d") before (a, b); (" ", "ab") occurs once only.
  BpeTokenizer t = BpeTokenizer::from_json(train_bpe_tokenizer_json("ab ab cd cd", 300, {}), "t.json");
  ASSERT_EQ(t.vocab_size(), 259u);
  EXPECT_EQ(t.token_string(256),
            "\xC4\xA0"
            "c");  // "Ġc"
  EXPECT_EQ(t.token_string(257),
            "\xC4\xA0"
            "cd");
  EXPECT_EQ(t.token_string(258), "ab");
  EXPECT_EQ(t.encode("ab cd"), (std::vector<int32_t>{258, 257}));
}

TEST(BpeTrainer, EveryPairSeenTwiceIsMerged) {
  // Pieces "hello", " world", " hello", " world": the pairs inside "hello" occur twice (once in
  // each spelling), " world" twice, but " " + "hello" only once, so it stays two tokens.
  std::string corpus = "hello world hello world";
  BpeTokenizer t = BpeTokenizer::from_json(train_bpe_tokenizer_json(corpus, 1000, {}), "t.json");
  std::vector<int32_t> ids = t.encode(corpus);
  std::vector<std::string> pieces;
  for (int32_t id : ids) pieces.push_back(t.decode_token(id));
  EXPECT_EQ(pieces, (std::vector<std::string>{"hello", " world", " ", "hello", " world"}));
}

TEST(BpeTrainer, SpecialTokensInTheCorpusAreNotLearnt) {
  std::string corpus;
  for (int i = 0; i < 50; ++i) corpus += "<|eot_id|>";
  BpeTokenizer t = BpeTokenizer::from_json(train_bpe_tokenizer_json(corpus, 300, {"<|eot_id|>"}), "t.json");
  EXPECT_EQ(t.vocab_size(), 257u);
  EXPECT_EQ(t.encode(corpus).size(), 50u);
}

TEST(BpeTrainer, RejectsImpossibleArguments) {
  std::string message =
      testing::sdk_error_text([] { train_bpe_tokenizer_json("abc", 256, {"<s>"}); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("vocab_size 256 is too small; it must be at least 256 (one token per byte) + 1"),
            std::string::npos)
      << message;
  testing::sdk_error_text([] { train_bpe_tokenizer_json("abc", 300, {"<s>", "<s>"}); }, NT_INVALID_ARGUMENT);
  testing::sdk_error_text([] { train_bpe_tokenizer_json("abc", 300, {""}); }, NT_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace nineteen::text
