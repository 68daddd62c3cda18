// Sentence-embedding models in the sentence-transformers layout (all-MiniLM-L6-v2 style: mean +
// Normalize; bge style: cls + Normalize; lasttoken; max; mean_sqrt_len with gelu_new; f32 and bf16
// files) against the float64 reference in bert_family_reference.hpp, in padded batches; and the
// published configs of those models parse to the right layout.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "bert_family_reference.hpp"
#include "nineteen/models/bert_encoder.hpp"
#include "nineteen/models/bert_tiny_maker.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"
#include "scratch_dir.hpp"

namespace nineteen::models {
namespace {

using testing_support::BertFamilyReference;
using testing_support::ScratchDir;

// f32 arithmetic over 2 layers of width 64 stays within ~1e-6 of the f64 reference; a wrong
// pooling, a missing normalisation or the other GELU moves values by > 1e-2.
constexpr double kTolerance = 1e-4;

struct EmbeddingCase {
  const char* name;
  BertPooling pooling;
  bool normalize;
  DType dtype;
  const char* hidden_act;  // written into config.json
};

void PrintTo(const EmbeddingCase& c, std::ostream* os) { *os << c.name; }

class EmbeddingFamily : public testing::TestWithParam<EmbeddingCase> {};

TEST_P(EmbeddingFamily, MatchesFloat64Reference) {
  const EmbeddingCase& k = GetParam();
  ScratchDir dir;
  TinyBertOptions options;
  options.pooling = k.pooling;
  options.normalize = k.normalize;
  options.dtype = k.dtype;
  make_tiny_bert(dir.path(), options);
  {
    std::ifstream in(dir.file("config.json"));
    std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir.file("config.json"), std::ios::trunc)
        << std::regex_replace(config, std::regex("\"hidden_act\": \"[a-z_]+\""),
                              std::string("\"hidden_act\": \"") + k.hidden_act + "\"");
  }
  BertEncoder encoder = BertEncoder::load(dir.path());
  EXPECT_EQ(encoder.layout().pooling, k.pooling);
  EXPECT_EQ(encoder.layout().normalize, k.normalize);
  BertFamilyReference reference(dir.path());
  EXPECT_EQ(reference.pooling(), pooling_name(k.pooling));

  text::WordPieceTokenizer tokenizer = text::WordPieceTokenizer::from_file(dir.file("tokenizer.json"));
  const std::vector<std::string> sentences = {
      "The quick brown fox jumps over the lazy dog.", "Hello!",
      "A longer sentence, with punctuation; numbers 12345 and accents: café naïve.", "short one"};
  std::vector<std::vector<int32_t>> ids;
  for (const std::string& s : sentences) ids.push_back(tokenizer.encode(s, encoder.max_tokens()));
  SentenceEmbeddings ours = encoder.embed(ids);  // one padded batch of different lengths
  ASSERT_EQ(ours.count(), sentences.size());
  double worst = 0, spread = 0;
  for (size_t s = 0; s < sentences.size(); ++s) {
    std::vector<double> expected = reference.embed(ids[s]);
    ASSERT_EQ(static_cast<int64_t>(expected.size()), ours.dimension);
    double norm = 0;
    for (int64_t i = 0; i < ours.dimension; ++i) {
      worst = std::max(worst, std::fabs(expected[i] - ours.row(s)[i]));
      spread = std::max(spread, std::fabs(expected[i]));
      norm += double(ours.row(s)[i]) * ours.row(s)[i];
    }
    if (k.normalize) EXPECT_NEAR(norm, 1.0, 1e-5);
  }
  EXPECT_LT(worst, kTolerance) << k.name;
  std::printf("%s: max |embedding - float64 reference| %.2e\n", k.name, worst);
  EXPECT_GT(spread, 0.05) << "a degenerate model would agree trivially";
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, EmbeddingFamily,
    testing::Values(EmbeddingCase{"MiniLmMeanNormalized", BertPooling::Mean, true, DType::F32, "gelu"},
                    EmbeddingCase{"BgeClsNormalized", BertPooling::Cls, true, DType::F32, "gelu"},
                    EmbeddingCase{"LastTokenRaw", BertPooling::LastToken, false, DType::F32, "gelu"},
                    EmbeddingCase{"MaxBf16", BertPooling::Max, true, DType::BF16, "gelu"},
                    EmbeddingCase{"MeanSqrtLenGeluNew", BertPooling::MeanSqrtLength, false, DType::F32, "gelu_new"}),
    [](const testing::TestParamInfo<EmbeddingCase>& info) { return std::string(info.param.name); });

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << text;
}

const char* const kModules =
    R"([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])";

// The config files of all-MiniLM-L6-v2 and bge-small-en-v1.5 as published (weights not needed).
TEST(EmbeddingConfig, PublishedLayoutsParse) {
  ScratchDir minilm;
  write(minilm.file("config.json"), R"({"_name_or_path": "nreimers/MiniLM-L6-H384-uncased",
    "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false,
    "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 384, "initializer_range": 0.02,
    "intermediate_size": 1536, "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert",
    "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0, "position_embedding_type": "absolute",
    "transformers_version": "4.8.2", "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522})");
  write(minilm.file("modules.json"), kModules);
  write(minilm.file("1_Pooling/config.json"), R"({"word_embedding_dimension": 384, "pooling_mode_cls_token": false,
    "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false})");
  write(minilm.file("sentence_bert_config.json"), R"({"max_seq_length": 256, "do_lower_case": false})");
  SentenceEmbeddingLayout a = SentenceEmbeddingLayout::from_model_dir(minilm.path());
  EXPECT_EQ(a.pooling, BertPooling::Mean);
  EXPECT_TRUE(a.normalize);
  EXPECT_EQ(a.max_seq_length, 256);
  EXPECT_EQ(a.word_embedding_dimension, 384);
  BertConfig ac = BertConfig::from_model_dir(minilm.path());
  EXPECT_EQ(ac.hidden_size, 384);
  EXPECT_EQ(ac.num_hidden_layers, 6);

  ScratchDir bge;
  write(bge.file("config.json"), R"({"_name_or_path": "/root/.cache/torch/sentence_transformers/BAAI_bge-small-en/",
    "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1, "classifier_dropout": null,
    "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 384, "id2label": {"0": "LABEL_0"},
    "initializer_range": 0.02, "intermediate_size": 1536, "label2id": {"LABEL_0": 0}, "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12, "num_hidden_layers": 12,
    "pad_token_id": 0, "position_embedding_type": "absolute", "torch_dtype": "float32",
    "transformers_version": "4.30.0", "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522})");
  write(bge.file("modules.json"), kModules);
  write(bge.file("1_Pooling/config.json"), R"({"word_embedding_dimension": 384, "pooling_mode_cls_token": true,
    "pooling_mode_mean_tokens": false, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false})");
  write(bge.file("sentence_bert_config.json"), R"({"max_seq_length": 512, "do_lower_case": true})");
  SentenceEmbeddingLayout b = SentenceEmbeddingLayout::from_model_dir(bge.path());
  EXPECT_EQ(b.pooling, BertPooling::Cls);
  EXPECT_TRUE(b.normalize);
  EXPECT_TRUE(b.do_lower_case);
  EXPECT_EQ(BertConfig::from_model_dir(bge.path()).num_hidden_layers, 12);

  // sentence-transformers 3.x writes every mode and include_prompt; lasttoken is one of them.
  write(bge.file("1_Pooling/config.json"), R"({"word_embedding_dimension": 384, "pooling_mode_cls_token": false,
    "pooling_mode_mean_tokens": false, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false,
    "pooling_mode_weightedmean_tokens": false, "pooling_mode_lasttoken": true, "include_prompt": true})");
  EXPECT_EQ(SentenceEmbeddingLayout::from_model_dir(bge.path()).pooling, BertPooling::LastToken);
}

}  // namespace
}  // namespace nineteen::models
