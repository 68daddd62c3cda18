// Which special tokens a completions prompt gets around its text (special_token_frame.hpp), for
// every rule: the Llama-class tokenizer_config.json flags (which win over tokenizer.json, as in
// Python transformers), and tokenizer.json's post-processor forms. transformers.js agrees on the
// tokenizer.json forms (HuggingFaceJs.CompletionPromptsGetTheSpecialTokensTransformersAdds).
#include "nineteen/text/special_token_frame.hpp"

#include <gtest/gtest.h>

#include "nineteen/text/bpe_trainer.hpp"
#include "sample_corpus.hpp"
#include "sdk_error_text.hpp"

namespace nineteen::text {
namespace {

struct Files {
  std::string tokenizer_json;
  BpeTokenizer tokenizer;
  int32_t bos, eos;
};

const Files& files() {
  static const Files f = [] {
    std::string json = train_bpe_tokenizer_json(testing::sample_corpus(5), 400, {"<s>", "</s>", "<|x|>"}, "<s>");
    BpeTokenizer t = BpeTokenizer::from_json(json, "t.json");
    return Files{json, t, *t.token_id("<s>"), *t.token_id("</s>")};
  }();
  return f;
}

// tokenizer.json with its post_processor replaced.
std::string with_post_processor(const std::string& post_processor) {
  std::string json = files().tokenizer_json;
  const size_t key = json.find("\"post_processor\":");
  const size_t end = json.find("\"decoder\":", key);
  return json.substr(0, key) + "\"post_processor\": " + post_processor + ",\n  " + json.substr(end);
}

SpecialTokenFrame read(const std::string& tokenizer_json, const std::string& config = "") {
  return SpecialTokenFrame::from_json(tokenizer_json, config, files().tokenizer, "model");
}

TEST(SpecialTokenFrame, TheTrainersBosTemplateIsReadAndFramesTheText) {
  const SpecialTokenFrame f = read(files().tokenizer_json, R"({"tokenizer_class":"PreTrainedTokenizerFast"})");
  EXPECT_EQ(f.prefix, std::vector<int32_t>{files().bos});
  EXPECT_TRUE(f.suffix.empty());
  EXPECT_EQ(f.frame({7, 8}), (std::vector<int32_t>{files().bos, 7, 8}));
  EXPECT_NE(f.rule.find("TemplateProcessing"), std::string::npos) << f.rule;
  EXPECT_NE(f.rule.find("Sequence"), std::string::npos) << f.rule;
}

TEST(SpecialTokenFrame, TokenizerJsonFormsWithoutALlamaClass) {
  EXPECT_TRUE(read(with_post_processor("null")).prefix.empty());
  EXPECT_TRUE(read(with_post_processor(R"({"type":"ByteLevel","trim_offsets":false})")).prefix.empty());
  const std::string bos = std::to_string(files().bos), eos = std::to_string(files().eos);
  SpecialTokenFrame roberta = read(with_post_processor(R"({"type":"RobertaProcessing","cls":["<s>",)" + bos +
                                                       R"(],"sep":["</s>",)" + eos + "]}"));
  EXPECT_EQ(roberta.frame({5}), (std::vector<int32_t>{files().bos, 5, files().eos}));
  // A template with tokens on both sides; special_tokens may list several ids for one name.
  SpecialTokenFrame both = read(with_post_processor(
      R"({"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},)"
      R"({"SpecialToken":{"id":"</s>","type_id":0}}],"special_tokens":{"</s>":{"id":"</s>","ids":[)" + eos + "," + eos +
      R"(],"tokens":["</s>","</s>"]}}})"));
  EXPECT_EQ(both.frame({5}), (std::vector<int32_t>{files().bos, 5, files().eos, files().eos}));
}

TEST(SpecialTokenFrame, LlamaClassFlagsWinOverTokenizerJson) {
  // The file's template adds <s>; Phi-3-style add_bos_token false removes it, as Python's
  // LlamaTokenizerFast (and so vLLM) does.
  EXPECT_TRUE(read(files().tokenizer_json, R"({"tokenizer_class":"LlamaTokenizer","add_bos_token":false})").prefix.empty());
  // The flags' defaults: BOS yes, EOS no; bos_token default "<s>".
  SpecialTokenFrame defaults = read(with_post_processor("null"), R"({"tokenizer_class":"LlamaTokenizerFast"})");
  EXPECT_EQ(defaults.prefix, std::vector<int32_t>{files().bos});
  EXPECT_TRUE(defaults.suffix.empty());
  SpecialTokenFrame eos = read(with_post_processor("null"),
                               R"({"tokenizer_class":"GemmaTokenizerFast","add_eos_token":true,"bos_token":{"content":"<|x|>"}})");
  EXPECT_EQ(eos.frame({5}), (std::vector<int32_t>{*files().tokenizer.token_id("<|x|>"), 5, files().eos}));
  EXPECT_NE(eos.rule.find("add_eos_token true"), std::string::npos) << eos.rule;
}

TEST(SpecialTokenFrame, ErrorsNameTheFileAndTheKey) {
  std::string e = testing::sdk_error_text([] { read(with_post_processor(R"({"type":"Fancy"})")); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("model/tokenizer.json"), std::string::npos) << e;
  EXPECT_NE(e.find("post_processor.type"), std::string::npos) << e;
  EXPECT_NE(e.find("Fancy"), std::string::npos) << e;
  e = testing::sdk_error_text(
      [] {
        read(with_post_processor(
            R"({"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<nope>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}]})"));
      },
      NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("<nope>"), std::string::npos) << e;
  EXPECT_NE(e.find("post_processor.single[0]"), std::string::npos) << e;
  e = testing::sdk_error_text(
      [] { read(with_post_processor(R"({"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>"}}]})")); },
      NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("Sequence"), std::string::npos) << e;
  e = testing::sdk_error_text(
      [] { read(files().tokenizer_json, R"({"tokenizer_class":"LlamaTokenizer","add_bos_token":"yes"})"); },
      NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("model/tokenizer_config.json"), std::string::npos) << e;
  EXPECT_NE(e.find("add_bos_token"), std::string::npos) << e;
  e = testing::sdk_error_text(
      [] { read(files().tokenizer_json, R"({"tokenizer_class":"LlamaTokenizer","bos_token":"<missing>"})"); },
      NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("<missing>"), std::string::npos) << e;
  EXPECT_NE(e.find("bos_token"), std::string::npos) << e;
}

TEST(SpecialTokenFrame, TheTrainerRefusesABosThatIsNotOneOfItsSpecialTokens) {
  std::string e = testing::sdk_error_text(
      [] { train_bpe_tokenizer_json(testing::sample_corpus(1), 300, {"<s>"}, "<bos>"); }, NT_INVALID_ARGUMENT);
  EXPECT_NE(e.find("<bos>"), std::string::npos) << e;
}

}  // namespace
}  // namespace nineteen::text
