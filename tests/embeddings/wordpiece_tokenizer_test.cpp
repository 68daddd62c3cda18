// WordPiece tokenizer: known answers on a hand-made vocabulary (uncased and cased), the BERT
// normaliser's Unicode handling, truncation, tokenizer.json reading and writing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nineteen/sdk/error.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"

namespace nineteen::text {
namespace {

const std::vector<std::string> kVocab = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",", "!", "un", "##aff", "##able",
    "cafe",  "naive", "play",  "##ing", "a",      "##b",   "##c",   "中", "文", "don",   "'",      "t",
    "Hello", "Café",  "the",   "##s",   "."};

WordPieceTokenizer uncased() { return WordPieceTokenizer::from_vocab(kVocab, WordPieceSettings{}); }

WordPieceTokenizer cased() {
  WordPieceSettings s;
  s.normalization.lowercase = false;
  return WordPieceTokenizer::from_vocab(kVocab, s);
}

// The tokens of an encoding, spelt, e.g. "[CLS] hello , world [SEP]".
std::string spelt(const WordPieceTokenizer& t, const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : " ") + t.token_string(id);
  return out;
}

std::string tokens(const WordPieceTokenizer& t, const std::string& text, size_t max_length = 0) {
  return spelt(t, t.encode(text, max_length));
}

TEST(WordPieceTokenizer, LowercasesAndSplitsPunctuation) {
  EXPECT_EQ(tokens(uncased(), "Hello, World!"), "[CLS] hello , world ! [SEP]");
  EXPECT_EQ(tokens(uncased(), "  hello\t\nworld  "), "[CLS] hello world [SEP]");
  EXPECT_EQ(tokens(uncased(), "don't"), "[CLS] don ' t [SEP]");
  EXPECT_EQ(tokens(uncased(), "hello...world"), "[CLS] hello . . . world [SEP]");
  EXPECT_EQ(tokens(uncased(), ""), "[CLS] [SEP]");
}

TEST(WordPieceTokenizer, StripsAccentsWhenUncased) {
  EXPECT_EQ(tokens(uncased(), "Café NAÏVE"), "[CLS] cafe naive [SEP]");
  EXPECT_EQ(tokens(uncased(), "CAFÉ"), "[CLS] cafe [SEP]");
}

TEST(WordPieceTokenizer, CasedKeepsCaseAndAccents) {
  EXPECT_EQ(tokens(cased(), "Hello hello"), "[CLS] Hello hello [SEP]");
  EXPECT_EQ(tokens(cased(), "Café cafe"), "[CLS] Café cafe [SEP]");
  EXPECT_EQ(tokens(cased(), "HELLO"), "[CLS] [UNK] [SEP]");
}

TEST(WordPieceTokenizer, UnknownWordsSplitIntoPieces) {
  EXPECT_EQ(tokens(uncased(), "unaffable playing"), "[CLS] un ##aff ##able play ##ing [SEP]");
  EXPECT_EQ(tokens(uncased(), "abc"), "[CLS] a ##b ##c [SEP]");
  EXPECT_EQ(tokens(uncased(), "the cafes"), "[CLS] the cafe ##s [SEP]");
  // One piece missing makes the whole word one [UNK], not a partial spelling.
  EXPECT_EQ(tokens(uncased(), "abx hello"), "[CLS] [UNK] hello [SEP]");
  EXPECT_EQ(tokens(uncased(), "xyz"), "[CLS] [UNK] [SEP]");
}

TEST(WordPieceTokenizer, WordsOverTheCharacterLimitAreUnknown) {
  WordPieceSettings s;
  s.max_input_chars_per_word = 5;
  WordPieceTokenizer t = WordPieceTokenizer::from_vocab(kVocab, s);
  EXPECT_EQ(tokens(t, "hello playing"), "[CLS] hello [UNK] [SEP]");
  // Characters, not bytes: five two-byte letters are still within the limit.
  EXPECT_EQ(t.encode_word("ééééé"), std::vector<int32_t>{t.unk_id()});
  EXPECT_EQ(t.encode_word("abcbc"), (std::vector<int32_t>{16, 17, 18, 17, 18}));
}

TEST(WordPieceTokenizer, ChineseCharactersAreWordsOfTheirOwn) {
  EXPECT_EQ(tokens(uncased(), "hello中文world"), "[CLS] hello 中 文 world [SEP]");
  WordPieceSettings s;
  s.normalization.handle_chinese_chars = false;
  EXPECT_EQ(tokens(WordPieceTokenizer::from_vocab(kVocab, s), "中文"), "[CLS] [UNK] [SEP]");
}

TEST(WordPieceTokenizer, CleansControlCharactersAndBadBytes) {
  EXPECT_EQ(tokens(uncased(), std::string("hel\x01lo\x7f wor\xE2\x80\x8B" "ld")), "[CLS] hello world [SEP]");
  EXPECT_EQ(tokens(uncased(), std::string("hel\xFFlo")), "[CLS] hello [SEP]");  // malformed UTF-8 dropped
  EXPECT_EQ(tokens(uncased(), std::string("hello\xC2\xA0world")), "[CLS] hello world [SEP]");  // no-break space
}

TEST(WordPieceTokenizer, SpecialTokensInTheTextAreKept) {
  EXPECT_EQ(tokens(uncased(), "hello [SEP] world[MASK]"), "[CLS] hello [SEP] world [MASK] [SEP]");
}

TEST(WordPieceTokenizer, TruncationKeepsTheSpecialTokens) {
  WordPieceTokenizer t = uncased();
  EXPECT_EQ(tokens(t, "hello, world!", 4), "[CLS] hello , [SEP]");
  EXPECT_EQ(tokens(t, "unaffable", 3), "[CLS] un [SEP]");  // cuts inside a word, as Hugging Face does
  EXPECT_EQ(t.encode("hello world", 4).size(), 4u);
  EXPECT_EQ(t.encode("hello world", 100).size(), 4u);
  std::string huge;
  for (int i = 0; i < 100000; ++i) huge += "hello ";
  EXPECT_EQ(t.encode(huge, 16).size(), 16u);
  try {
    t.encode("hello", 2);
    FAIL() << "max_length 2 leaves no room for text";
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("max_length 2"), std::string::npos) << e.what();
  }
}

TEST(BertNormalizer, StripsAccentsAcrossScripts) {
  BertNormalization uncased;
  EXPECT_EQ(bert_normalize("ÀÉÎÕÜ ñ Ș ǅ", uncased), "aeiou n s ǆ");
  EXPECT_EQ(bert_normalize("Ἀθῆναι", uncased), "αθηναι");
  EXPECT_EQ(bert_normalize("Łódź Straße", uncased), "łodz straße");  // ł and ß have no decomposition
  EXPECT_EQ(bert_normalize("がぎ", uncased), "かき");
  EXPECT_EQ(bert_normalize("한", uncased), "\u1112\u1161\u11AB");  // Hangul into jamo
  EXPECT_EQ(bert_normalize("İstanbul", uncased), "istanbul");
  EXPECT_EQ(bert_normalize("ЙОЖ", uncased), "иож");
  EXPECT_EQ(bert_normalize("e\u0301", uncased), "e");  // a combining accent on its own is dropped
}

TEST(BertNormalizer, LowercaseWithoutStrippingKeepsAccents) {
  BertNormalization n;
  n.strip_accents = false;
  EXPECT_EQ(bert_normalize("ÀÉ ΣΟΦΟΣ", n), "àé σοφοσ");  // per character: no final sigma
  EXPECT_EQ(bert_normalize("İ", n), "i\u0307");
}

TEST(BertPreTokenizer, SplitsOnWhitespaceAndIsolatesPunctuation) {
  EXPECT_EQ(bert_pre_tokenize("a,b  c$d¿e—f"),
            (std::vector<std::string>{"a", ",", "b", "c", "$", "d", "¿", "e", "—", "f"}));
  EXPECT_EQ(bert_pre_tokenize("\u3000x\u2003y"), (std::vector<std::string>{"x", "y"}));
}

TEST(WordPieceTokenizerJson, RoundTripsThroughTokenizerJson) {
  WordPieceTokenizer original = cased();
  WordPieceTokenizer loaded = WordPieceTokenizer::from_json(original.to_json(), "written.json");
  EXPECT_EQ(loaded.to_json(), original.to_json());
  for (const char* text : {"Hello, World!", "Café naïve unaffable", "中文 [SEP] x"}) {
    EXPECT_EQ(loaded.encode(text), original.encode(text)) << text;
  }
  EXPECT_EQ(loaded.pad_id(), 0);
  EXPECT_EQ(*loaded.cls_id(), 2);
  EXPECT_EQ(*loaded.sep_id(), 3);
}

std::string error_of(const std::string& json) {
  try {
    WordPieceTokenizer::from_json(json, "tok.json");
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), NT_INVALID_ARGUMENT);
    return e.what();
  }
  ADD_FAILURE() << "accepted " << json;
  return "";
}

TEST(WordPieceTokenizerJson, ErrorsNameTheKey) {
  std::string good = uncased().to_json();
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  EXPECT_NE(error_of(replaced("\"BertNormalizer\"", "\"Lowercase\"")).find("tok.json: normalizer.type is \"Lowercase\""),
            std::string::npos);
  EXPECT_NE(error_of(replaced("\"BertPreTokenizer\"", "\"Whitespace\"")).find("pre_tokenizer.type"), std::string::npos);
  EXPECT_NE(error_of(replaced("\"unk_token\": \"[UNK]\"", "\"unk_token\": \"<unk>\"")).find("unk_token \"<unk>\" is not in"),
            std::string::npos);
  EXPECT_NE(error_of(replaced("\"hello\": 5", "\"hello\": 6")).find("gives id 6 to both"), std::string::npos);
  EXPECT_NE(error_of(replaced("\"lowercase\": true", "\"lowercase\": 1")).find("normalizer.lowercase must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}").find("model.type is \"BPE\""), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("tok.json"), std::string::npos);
}

}  // namespace
}  // namespace nineteen::text
