// Exact ids from hand-made tokenizer.json files: merge ranks, the Llama 3 split, added tokens.
#include <gtest/gtest.h>

#include <algorithm>

#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/bpe_trainer.hpp"
#include "sdk_error_text.hpp"
#include "tiny_tokenizer_json.hpp"

namespace nineteen::text {
namespace {

using Ids = std::vector<int32_t>;
using testing::sdk_error_text;
using testing::tiny_tokenizer_json;

BpeTokenizer tiny(const std::string& merges = "", bool ignore_merges = false) {
  return BpeTokenizer::from_json(tiny_tokenizer_json(merges, ignore_merges), "tiny.json");
}

TEST(BpeTokenizerKnownAnswer, MergesBuildWordsInRankOrder) {
  BpeTokenizer t = tiny();
  EXPECT_EQ(t.encode("hello world"), (Ids{12, 17}));
  EXPECT_EQ(t.encode("world"), (Ids{4, 14, 2, 6}));  // no leading space: "Ġw" never forms
  EXPECT_EQ(t.encode("lll"), (Ids{10, 2}));          // the leftmost pair merges first
  EXPECT_EQ(t.encode(""), Ids{});
}

TEST(BpeTokenizerKnownAnswer, HugeWhitespaceRunIsOnePiece) {
  // Beyond PCRE2's default match limit (hit near 10 MB of spaces): still one piece, no error.
  Ids ids = tiny().encode(std::string(12'000'000, ' '));
  ASSERT_EQ(ids.size(), 12'000'000u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 7), 12'000'000);
}

TEST(BpeTokenizerKnownAnswer, LowerRankWinsOverPosition) {
  EXPECT_EQ(tiny(R"(["l o", "l l"])").encode("llo"), (Ids{2, 18}));
  EXPECT_EQ(tiny(R"(["l l", "l o"])").encode("llo"), (Ids{10, 3}));
}

TEST(BpeTokenizerKnownAnswer, MergesAsPairsEqualMergesAsStrings) {
  std::string pairs = R"([["h","e"],["l","l"],["he","ll"],["hell","o"],["Ġ","w"],["o","r"],["Ġw","or"],
                          ["Ġwor","l"],["Ġworl","d"]])";
  BpeTokenizer from_pairs = tiny(pairs);
  for (const char* text : {"hello world", "world", "lll", "hello  world!"}) {
    EXPECT_EQ(from_pairs.encode(text), tiny().encode(text)) << text;
  }
}

TEST(BpeTokenizerKnownAnswer, Llama3SplitKeepsOneSpaceWithTheNextWord) {
  // "  world": \s+(?!\S) takes the first space alone, then " world" is one piece.
  EXPECT_EQ(tiny().encode("hello  world"), (Ids{12, 7, 17}));
  EXPECT_EQ(tiny().encode("hello!! world"), (Ids{12, 8, 8, 17}));
}

TEST(BpeTokenizerKnownAnswer, IgnoreMergesTakesWholeVocabularyWords) {
  EXPECT_EQ(tiny("", /*ignore_merges=*/false).encode("lo"), (Ids{2, 3}));
  EXPECT_EQ(tiny("", /*ignore_merges=*/true).encode("lo"), (Ids{18}));
  EXPECT_EQ(tiny("", /*ignore_merges=*/true).encode("hello world"), (Ids{12, 17}));
}

TEST(BpeTokenizerKnownAnswer, AddedTokensAreSingleIdsLongestFirst) {
  BpeTokenizer t = tiny();
  EXPECT_EQ(t.encode("hello world<|eot_id|>"), (Ids{12, 17, 20}));
  EXPECT_EQ(t.encode("<|end|>!!"), (Ids{22}));
  EXPECT_EQ(t.encode("<|end|>!"), (Ids{21, 8}));
  EXPECT_EQ(t.encode("hello hi!"), (Ids{12, 7, 23}));
}

TEST(BpeTokenizerKnownAnswer, ParseSpecialFalseLeavesOnlyNonSpecialAddedTokens) {
  BpeTokenizer t = tiny();
  EXPECT_EQ(t.encode("hi!", /*parse_special=*/false), (Ids{23}));
  // "<" has no token in this tiny vocabulary, so reading the special token as text must fail.
  std::string message = sdk_error_text([&] { t.encode("<|eot_id|>", false); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("tiny.json"), std::string::npos) << message;
  EXPECT_NE(message.find("byte 0x3C"), std::string::npos) << message;
}

TEST(BpeTokenizerKnownAnswer, ByteFallbackSpellsMissingBytes) {
  std::string json = tiny_tokenizer_json();
  json.replace(json.find("\"byte_fallback\": false"), 22, "\"byte_fallback\": true");
  json.replace(json.find("\"lo\": 18"), 8, "\"lo\": 18, \"<0xC3>\": 19, \"<0xA9>\": 24");
  BpeTokenizer t = BpeTokenizer::from_json(json, "fallback.json");
  EXPECT_EQ(t.encode("h\xC3\xA9"), (Ids{0, 19, 24}));  // "hé"
  EXPECT_EQ(t.decode({0, 19, 24}), "h\xC3\xA9");
  EXPECT_EQ(t.decode_token(19), "\xC3");
}

TEST(BpeTokenizerKnownAnswer, DecodeAndLookups) {
  BpeTokenizer t = tiny();
  EXPECT_EQ(t.decode({12, 17, 20}), "hello world<|eot_id|>");
  EXPECT_EQ(t.decode({12, 17, 20}, /*skip_special=*/true), "hello world");
  EXPECT_EQ(t.decode({23}, /*skip_special=*/true), "hi!");
  EXPECT_EQ(t.decode_token(7), " ");
  EXPECT_EQ(t.token_string(17), "Ġworld");
  EXPECT_EQ(t.token_string(19), "");  // an id the file never assigns
  EXPECT_EQ(t.token_id("Ġworld"), 17);
  EXPECT_EQ(t.token_id("<|eot_id|>"), 20);
  EXPECT_EQ(t.token_id("nope"), std::nullopt);
  EXPECT_EQ(t.vocab_size(), 24u);
  EXPECT_TRUE(t.is_special(20));
  EXPECT_FALSE(t.is_special(23));
  EXPECT_FALSE(t.is_special(12));
  EXPECT_FALSE(t.is_special(-1));
  EXPECT_FALSE(t.is_special(1000));
}

TEST(BpeTokenizerKnownAnswer, OutOfRangeIdsAreErrors) {
  BpeTokenizer t = tiny();
  std::string message = sdk_error_text([&] { t.decode({12, 99}); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(message.find("token id 99 is outside the vocabulary [0, 24)"), std::string::npos) << message;
  sdk_error_text([&] { t.token_string(-1); }, NT_INVALID_ARGUMENT);
  sdk_error_text([&] { t.decode_token(24); }, NT_INVALID_ARGUMENT);
}

// A vocabulary of the 256 bytes plus whole pieces, with ignore_merges and no merges: a piece comes
// out as one id exactly when the pre-tokenizer cut it out, so the ids show the split.
class PieceVocabulary {
 public:
  PieceVocabulary(const std::vector<std::string>& pieces, const std::string& pre_tokenizer_json) {
    BpeTokenizer bytes = BpeTokenizer::from_json(train_bpe_tokenizer_json("", 256, {}), "bytes.json");
    std::string vocab;
    for (int32_t id = 0; id < 256; ++id)
      vocab += quoted(bytes.token_string(id)) + ": " + std::to_string(id) + ", ";
    for (size_t i = 0; i < pieces.size(); ++i) {
      std::string spelled;
      for (int32_t id : bytes.encode(pieces[i])) spelled += bytes.token_string(id);
      vocab += quoted(spelled) + ": " + std::to_string(256 + i) + (i + 1 < pieces.size() ? ", " : "");
    }
    std::string json = R"({"pre_tokenizer": )" + pre_tokenizer_json +
                       R"(, "model": {"type": "BPE", "ignore_merges": true, "merges": [], "vocab": {)" +
                       vocab + "}}}";
    tokenizer_ = std::make_unique<BpeTokenizer>(BpeTokenizer::from_json(json, "pieces.json"));
  }

  // The text of each id: a piece the vocabulary lacks shows up as single bytes.
  std::vector<std::string> pieces_of(const std::string& text) const {
    std::vector<std::string> out;
    for (int32_t id : tokenizer_->encode(text)) out.push_back(tokenizer_->decode_token(id));
    return out;
  }

 private:
  static std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return out + "\"";
  }
  std::unique_ptr<BpeTokenizer> tokenizer_;
};

using Pieces = std::vector<std::string>;

TEST(BpeTokenizerKnownAnswer, Llama3RegexPieces) {
  const char* llama3 = R"({"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated"},
    {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]})";
  PieceVocabulary v({"'M", "123", "45", " ok", "!!!\n\n\n", "\n\n", "Hi", "  ", "\xC3\xA9t\xC3\xA9",
                     " \xE4\xBD\xA0\xE5\xA5\xBD"},
                    llama3);
  EXPECT_EQ(v.pieces_of("I'M 12345 ok"), (Pieces{"I", "'M", " ", "123", "45", " ok"}));
  EXPECT_EQ(v.pieces_of("Hi!!!\n\n\nHi"), (Pieces{"Hi", "!!!\n\n\n", "Hi"}));
  EXPECT_EQ(v.pieces_of("Hi\n\n ok"), (Pieces{"Hi", "\n\n", " ok"}));
  EXPECT_EQ(v.pieces_of("Hi   ok"), (Pieces{"Hi", "  ", " ok"}));
  EXPECT_EQ(v.pieces_of("\xC3\xA9t\xC3\xA9 \xE4\xBD\xA0\xE5\xA5\xBD"),
            (Pieces{"\xC3\xA9t\xC3\xA9", " \xE4\xBD\xA0\xE5\xA5\xBD"}));  // "été 你好"
}

TEST(BpeTokenizerKnownAnswer, Gpt2ByteLevelRegexAndPrefixSpace) {
  PieceVocabulary plain({"Hello", " world", "'s", " 12345", " Hello"},
                        R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})");
  EXPECT_EQ(plain.pieces_of("Hello world's 12345"), (Pieces{"Hello", " world", "'s", " 12345"}));
  // Hugging Face's own byte_level.rs cases: a newline alone, a space run minus its last space.
  PieceVocabulary hf({"Hello", " there", "      ", " dear"},
                     R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})");
  EXPECT_EQ(hf.pieces_of("Hello there\nHello there"), (Pieces{"Hello", " there", "\n", "Hello", " there"}));
  EXPECT_EQ(hf.pieces_of("Hello there       dear"), (Pieces{"Hello", " there", "      ", " dear"}));
  PieceVocabulary prefixed({"Hello", " world", "'s", " 12345", " Hello"},
                           R"({"type": "ByteLevel", "add_prefix_space": true, "use_regex": true})");
  EXPECT_EQ(prefixed.pieces_of("Hello world"), (Pieces{" Hello", " world"}));
}

TEST(BpeTokenizerKnownAnswer, SplitBehaviors) {
  auto split = [](const char* behavior) {
    return R"({"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"String": "-"}, "behavior": ")" +
           std::string(behavior) +
           R"("}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]})";
  };
  Pieces pieces{"a", "b", "-", "--", "a-", "-b"};
  EXPECT_EQ(PieceVocabulary(pieces, split("Removed")).pieces_of("a--b"), (Pieces{"a", "b"}));
  EXPECT_EQ(PieceVocabulary(pieces, split("Isolated")).pieces_of("a-b"), (Pieces{"a", "-", "b"}));
  EXPECT_EQ(PieceVocabulary(pieces, split("Contiguous")).pieces_of("a--b"), (Pieces{"a", "--", "b"}));
  EXPECT_EQ(PieceVocabulary(pieces, split("MergedWithPrevious")).pieces_of("a-b"), (Pieces{"a-", "b"}));
  EXPECT_EQ(PieceVocabulary(pieces, split("MergedWithNext")).pieces_of("a-b"), (Pieces{"a", "-b"}));
}

TEST(BpeTokenizerKnownAnswer, ByteSpellingIsGpt2s) {
  BpeTokenizer bytes = BpeTokenizer::from_json(train_bpe_tokenizer_json("", 256, {}), "bytes.json");
  EXPECT_EQ(bytes.token_string('a'), "a");
  EXPECT_EQ(bytes.token_string(' '), "\xC4\xA0");   // U+0120 Ġ
  EXPECT_EQ(bytes.token_string('\n'), "\xC4\x8A");  // U+010A Ċ
  EXPECT_EQ(bytes.token_string(0), "\xC4\x80");     // U+0100 Ā
  EXPECT_EQ(bytes.token_string(0xAD), "\xC5\x83");  // U+0143 Ń, the last remapped byte
  EXPECT_EQ(bytes.token_string(0xE9), "\xC3\xA9");  // é stands for itself
}

}  // namespace
}  // namespace nineteen::text
