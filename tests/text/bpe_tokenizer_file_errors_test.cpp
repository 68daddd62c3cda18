// Bad tokenizer.json files give errors that name the file and the key at fault.
#include <gtest/gtest.h>

#include "nineteen/text/bpe_tokenizer.hpp"
#include "sdk_error_text.hpp"
#include "temp_dir.hpp"
#include "tiny_tokenizer_json.hpp"

namespace nineteen::text {
namespace {

using testing::sdk_error_text;

// The message from loading `json`, which must be rejected as invalid.
std::string rejection(const std::string& json) {
  return sdk_error_text([&] { BpeTokenizer::from_json(json, "bad.json"); }, NT_INVALID_ARGUMENT);
}

std::string tiny_with(const std::string& from, const std::string& to) {
  std::string json = testing::tiny_tokenizer_json();
  size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return json.replace(at, from.size(), to);
}

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(BpeTokenizerFileErrors, MissingFileIsNotFoundAndNamesThePath) {
  testing::TempDir dir;
  std::string path = dir.path() + "/absent/tokenizer.json";
  std::string message = sdk_error_text([&] { BpeTokenizer::from_file(path); }, NT_NOT_FOUND);
  EXPECT_CONTAINS(message, path + ": cannot open");
}

TEST(BpeTokenizerFileErrors, FileLoadsAndMessagesNameIt) {
  testing::TempDir dir;
  std::string good = dir.write("tokenizer.json", testing::tiny_tokenizer_json());
  EXPECT_EQ(BpeTokenizer::from_file(good).encode("hello world"), (std::vector<int32_t>{12, 17}));
  std::string bad = dir.write("broken.json", "{\"model\": ");
  std::string message = sdk_error_text([&] { BpeTokenizer::from_file(bad); }, NT_INVALID_ARGUMENT);
  EXPECT_CONTAINS(message, bad + ": invalid JSON at byte 10");
}

TEST(BpeTokenizerFileErrors, BadJson) {
  EXPECT_CONTAINS(rejection("not json"), "bad.json: invalid JSON at byte ");
  EXPECT_CONTAINS(rejection("[1, 2]"), "bad.json: expected a JSON object at the top level, got an array");
}

TEST(BpeTokenizerFileErrors, MissingModelOrVocabOrMerges) {
  EXPECT_CONTAINS(rejection("{}"), "bad.json: key \"model\" is missing");
  EXPECT_CONTAINS(rejection(R"({"model": {"type": "BPE", "merges": []}})"),
                  "bad.json: key \"model.vocab\" is missing");
  EXPECT_CONTAINS(rejection(R"({"model": {"type": "BPE", "vocab": {"a": 0}}})"),
                  "bad.json: key \"model.merges\" is missing");
  EXPECT_CONTAINS(rejection(R"({"model": {"type": "BPE", "vocab": [], "merges": []}})"),
                  "bad.json: model.vocab must be an object");
}

TEST(BpeTokenizerFileErrors, UnknownModelType) {
  std::string message = rejection(tiny_with("\"type\": \"BPE\"", "\"type\": \"WordPiece\""));
  EXPECT_CONTAINS(message, "bad.json: model.type is \"WordPiece\"; only \"BPE\"");
}

TEST(BpeTokenizerFileErrors, BadEntries) {
  EXPECT_CONTAINS(rejection(tiny_with("\"h\": 0", "\"h\": -4")),
                  "bad.json: model.vocab[\"h\"] must be a token id");
  EXPECT_CONTAINS(rejection(tiny_with("\"h e\",", "\"h q\",")),
                  "bad.json: model.merges[0] needs token \"q\"");
  EXPECT_CONTAINS(rejection(tiny_with("\"h e\",", "\"he\",")),
                  "bad.json: model.merges[0] \"he\" must be two tokens");
  EXPECT_CONTAINS(rejection(tiny_with("\"h e\",", "7,")), "bad.json: model.merges[0] must be");
  EXPECT_CONTAINS(rejection(tiny_with("\"content\": \"<|eot_id|>\"", "\"content\": \"\"")),
                  "bad.json: added_tokens[0].content must be a non-empty string");
  EXPECT_CONTAINS(rejection(tiny_with("\"unk_token\": null", "\"unk_token\": \"<unk>\"")),
                  "bad.json: model.unk_token \"<unk>\" is not in model.vocab");
}

TEST(BpeTokenizerFileErrors, UnsupportedPipelineParts) {
  EXPECT_CONTAINS(rejection(tiny_with("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFKC\"}")),
                  "bad.json: normalizer is \"NFKC\"; only NFC or no normalizer");
  EXPECT_CONTAINS(rejection(tiny_with("\"decoder\": {\"type\": \"ByteLevel\"}",
                                      "\"decoder\": {\"type\": \"WordPiece\"}")),
                  "bad.json: decoder.type is \"WordPiece\"");
  EXPECT_CONTAINS(rejection(tiny_with("{\"type\": \"ByteLevel\", \"add_prefix_space\"",
                                      "{\"type\": \"Metaspace\", \"add_prefix_space\"")),
                  "bad.json: pre_tokenizer.pretokenizers[1].type is \"Metaspace\"");
  EXPECT_CONTAINS(rejection(tiny_with("\"(?i:'s", "\"(?i:'s(")),
                  "bad.json: pre_tokenizer.pretokenizers[0].pattern.Regex: the regex");
  EXPECT_CONTAINS(rejection(tiny_with("\"behavior\": \"Isolated\"", "\"behavior\": \"Sideways\"")),
                  "bad.json: pre_tokenizer.pretokenizers[0].behavior is \"Sideways\"");
  std::string no_byte_level = R"({"pre_tokenizer": {"type": "Split", "pattern": {"String": " "}},
                                  "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})";
  EXPECT_CONTAINS(rejection(no_byte_level), "bad.json: pre_tokenizer has no ByteLevel step");
}

// SentencePiece-style files (Llama 2 / Mistral / Phi-3): what they may hold, and what is refused.
TEST(BpeTokenizerFileErrors, SentencePieceStyleParts) {
  const std::string vocab = R"("model": {"type": "BPE", "byte_fallback": true, "fuse_unk": true, "unk_token": "<unk>",
      "vocab": {"<unk>": 0, "<0x21>": 1, "\u2581": 2, "a": 3, "b": 4, "\u2581a": 5, "ab": 6},
      "merges": ["\u2581 a", "a b"]})";
  const std::string legacy_normalizer =
      R"("normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
         {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}, "pre_tokenizer": null)";
  const std::string decoder =
      R"("decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"},
         "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1,
         "stop": 0}]})";
  BpeTokenizer legacy = BpeTokenizer::from_json("{" + legacy_normalizer + ", " + decoder + ", " + vocab + "}", "sp.json");
  EXPECT_TRUE(legacy.sentencepiece_style());
  // "▁a" then "b" ("▁ a" ranks before "a b"), "▁" for the space, "!" as its byte token.
  EXPECT_EQ(legacy.encode("ab a!"), (std::vector<int32_t>{5, 4, 5, 1}));
  EXPECT_EQ(legacy.decode({5, 4, 5, 1}), "ab a!");
  // The Metaspace form: no prefix after a leading added token ("first"), split before each "▁".
  BpeTokenizer metaspace = BpeTokenizer::from_json(
      R"({"pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true}, )" +
          decoder + ", " + vocab + "}",
      "sp.json");
  EXPECT_EQ(metaspace.encode("ab"), (std::vector<int32_t>{5, 4}));
  // A character with no token and no byte tokens becomes <unk>, consecutive ones fused.
  EXPECT_EQ(legacy.encode("cc"), (std::vector<int32_t>{2, 0}));

  EXPECT_CONTAINS(rejection("{" + std::string(R"("normalizer": {"type": "Replace", "pattern": {"Regex": " +"}, "content": "x"},)") +
                            R"( "pre_tokenizer": null, )" + vocab + "}"),
                  "bad.json: normalizer.pattern must be {\"String\": \"...\"} (a Regex pattern is not supported)");
  EXPECT_CONTAINS(rejection("{" + legacy_normalizer + R"(, "decoder": {"type": "Strip", "content": " ", "start": 1, "stop": 1}, )" +
                            vocab + "}"),
                  "bad.json: decoder is a Strip other than of leading spaces");
  EXPECT_CONTAINS(rejection(R"({"pre_tokenizer": {"type": "Metaspace", "prepend_scheme": "sometimes"}, )" + vocab + "}"),
                  "bad.json: pre_tokenizer.prepend_scheme must be \"always\", \"first\" or \"never\"");
  // A byte-level file may not take SentencePiece normalizers.
  EXPECT_CONTAINS(rejection(tiny_with("\"normalizer\": null", "\"normalizer\": {\"type\": \"Prepend\", \"prepend\": \"x\"}")),
                  "bad.json: normalizer has Prepend/Replace steps");
  // Neither a pre-tokenizer nor a normalizer that spells spaces: the file says nothing of its spaces.
  EXPECT_CONTAINS(rejection("{" + std::string(R"("pre_tokenizer": null, )") + vocab + "}"),
                  "bad.json: pre_tokenizer is missing");
}

}  // namespace
}  // namespace nineteen::text
