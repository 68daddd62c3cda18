// The BERT encoder and the tiny-bert maker: deterministic files, padding that changes nothing,
// pooling modes, the sentence-transformers layout, weight-name prefixes and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nineteen/models/bert_encoder.hpp"
#include "nineteen/models/bert_random_weights.hpp"
#include "nineteen/models/bert_tiny_maker.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"
#include "scratch_dir.hpp"
#include "sdk_error_text.hpp"  // tests/text

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;
namespace fs = std::filesystem;

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

double cosine(const float* a, const float* b, int64_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < n; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

const std::vector<std::string> kTexts = {
    "The river ran quietly past the old mill.", "Eight bits make a byte.", "Paris",
    "How does a computer remember things? It stores numbers in memory, and every number is made of bits.",
    "Café crème, naïve résumé!"};

std::vector<std::vector<int32_t>> encode_all(const text::WordPieceTokenizer& t, const std::vector<std::string>& texts) {
  std::vector<std::vector<int32_t>> out;
  for (const std::string& s : texts) out.push_back(t.encode(s, 256));
  return out;
}

TEST(TinyBertMaker, WritesTheSameFilesEveryTime) {
  ScratchDir a, b, variant;
  make_tiny_bert(a.path(), {});
  make_tiny_bert(b.path(), {});
  TinyBertOptions other;
  other.variant = 1;
  make_tiny_bert(variant.path(), other);
  for (const char* name : {"config.json", "model.safetensors", "tokenizer.json", "vocab.txt", "tokenizer_config.json",
                           "modules.json", "1_Pooling/config.json", "sentence_bert_config.json"}) {
    EXPECT_EQ(file_bytes(fs::path(a.path()) / name), file_bytes(fs::path(b.path()) / name)) << name;
    EXPECT_FALSE(file_bytes(fs::path(a.path()) / name).empty()) << name;
  }
  EXPECT_NE(file_bytes(fs::path(a.path()) / "model.safetensors"), file_bytes(fs::path(variant.path()) / "model.safetensors"));
  EXPECT_EQ(file_bytes(fs::path(a.path()) / "tokenizer.json"), file_bytes(fs::path(variant.path()) / "tokenizer.json"));
}

TEST(TinyBertMaker, ItsTokenizerSpellsTheBuiltInText) {
  ScratchDir dir;
  make_tiny_bert(dir.path(), {});
  text::WordPieceTokenizer t = text::WordPieceTokenizer::from_file(dir.file("tokenizer.json"));
  std::vector<int32_t> ids = t.encode("The morning was cold and clear.");
  EXPECT_EQ(ids.front(), *t.cls_id());
  EXPECT_EQ(ids.back(), *t.sep_id());
  for (int32_t id : ids) EXPECT_NE(id, t.unk_id());
  EXPECT_EQ(t.token_string(t.encode("the")[1]), "the");  // a frequent word is one token
}

TEST(BertEncoder, LoadsTheSentenceTransformersLayout) {
  ScratchDir dir;
  BertConfig config = make_tiny_bert(dir.path(), {});
  BertEncoder encoder = BertEncoder::load(dir.path());
  EXPECT_EQ(encoder.dimension(), 64);
  EXPECT_EQ(encoder.max_tokens(), 256);
  EXPECT_EQ(encoder.layout().pooling, BertPooling::Mean);
  EXPECT_TRUE(encoder.layout().normalize);
  EXPECT_EQ(encoder.config().vocab_size, config.vocab_size);
}

TEST(BertEncoder, PaddedBatchEqualsOneByOne) {
  ScratchDir dir;
  make_tiny_bert(dir.path(), {});
  BertEncoder encoder = BertEncoder::load(dir.path());
  auto tokenizer = text::WordPieceTokenizer::from_file(dir.file("tokenizer.json"));
  auto sequences = encode_all(tokenizer, kTexts);
  SentenceEmbeddings together = encoder.embed(sequences);
  SentenceEmbeddings in_pairs = encoder.embed(sequences, 2);
  ASSERT_EQ(together.count(), kTexts.size());
  for (size_t i = 0; i < sequences.size(); ++i) {
    SentenceEmbeddings alone = encoder.embed({sequences[i]});
    double norm = 0;
    for (int64_t k = 0; k < encoder.dimension(); ++k) {
      EXPECT_NEAR(together.row(i)[k], alone.row(0)[k], 1e-5) << "text " << i << " element " << k;
      EXPECT_NEAR(in_pairs.row(i)[k], alone.row(0)[k], 1e-5) << "text " << i << " element " << k;
      norm += double(alone.row(0)[k]) * alone.row(0)[k];
    }
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
}

TEST(BertEncoder, DifferentTextsAndModelsGiveDifferentVectors) {
  ScratchDir dir, variant_dir;
  make_tiny_bert(dir.path(), {});
  TinyBertOptions variant;
  variant.variant = 1;
  make_tiny_bert(variant_dir.path(), variant);
  auto tokenizer = text::WordPieceTokenizer::from_file(dir.file("tokenizer.json"));
  auto sequences = encode_all(tokenizer, kTexts);
  SentenceEmbeddings ours = BertEncoder::load(dir.path()).embed(sequences);
  SentenceEmbeddings theirs = BertEncoder::load(variant_dir.path()).embed(sequences);
  for (size_t i = 0; i < sequences.size(); ++i) {
    EXPECT_LT(cosine(ours.row(i), theirs.row(i), ours.dimension), 0.9) << "text " << i;
    for (size_t j = 0; j < i; ++j) EXPECT_LT(cosine(ours.row(i), ours.row(j), ours.dimension), 0.99) << i << " vs " << j;
  }
}

// A random encoder in `dir` with the given pooling (no normalisation), through the ST files.
BertConfig write_pooled_model(const std::string& dir, BertPooling pooling, const std::string& prefix = "") {
  BertConfig c;
  c.vocab_size = 40;
  c.hidden_size = 24;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 3;
  c.intermediate_size = 40;
  c.max_position_embeddings = 32;
  RandomBertOptions options;
  options.seed = 11;
  options.name_prefix = prefix;
  write_random_bert(dir, c, options);
  SentenceEmbeddingLayout layout;
  layout.pooling = pooling;
  layout.normalize = false;
  layout.write(dir, c.hidden_size);
  return c;
}

TEST(BertEncoder, PoolsAsConfigured) {
  const std::vector<int32_t> tokens = {2, 7, 9, 11, 30, 3};
  const int64_t n = static_cast<int64_t>(tokens.size());
  for (BertPooling pooling : {BertPooling::Cls, BertPooling::Mean, BertPooling::Max, BertPooling::MeanSqrtLength}) {
    ScratchDir dir;
    write_pooled_model(dir.path(), pooling);
    BertEncoder encoder = BertEncoder::load(dir.path());
    const int64_t h = encoder.dimension();
    std::vector<float> states = encoder.token_states(tokens);
    ASSERT_EQ(static_cast<int64_t>(states.size()), n * h);
    // Padded beside a longer sequence, so padding must stay out of the pooling.
    SentenceEmbeddings e = encoder.embed({tokens, {2, 5, 6, 7, 8, 9, 10, 11, 12, 3}});
    for (int64_t k = 0; k < h; ++k) {
      double sum = 0, max = -1e30;
      for (int64_t i = 0; i < n; ++i) {
        sum += states[i * h + k];
        max = std::max<double>(max, states[i * h + k]);
      }
      double expected = pooling == BertPooling::Cls    ? states[k]
                        : pooling == BertPooling::Mean ? sum / n
                        : pooling == BertPooling::Max  ? max
                                                       : sum / std::sqrt(double(n));
      EXPECT_NEAR(e.row(0)[k], expected, 1e-5) << pooling_name(pooling) << " element " << k;
    }
  }
}

TEST(BertEncoder, ReadsWeightsUnderABertPrefix) {
  ScratchDir plain, prefixed;
  write_pooled_model(plain.path(), BertPooling::Mean);
  write_pooled_model(prefixed.path(), BertPooling::Mean, "bert.");
  SentenceEmbeddings a = BertEncoder::load(plain.path()).embed({{2, 5, 9, 3}});
  SentenceEmbeddings b = BertEncoder::load(prefixed.path()).embed({{2, 5, 9, 3}});
  EXPECT_EQ(a.values, b.values);
}

TEST(BertEncoder, PlainHuggingFaceModelMeanPools) {
  ScratchDir dir;
  BertConfig c = write_pooled_model(dir.path(), BertPooling::Cls);
  fs::remove(dir.file("modules.json"));
  BertEncoder encoder = BertEncoder::load(dir.path());
  EXPECT_FALSE(encoder.layout().from_modules_json);
  EXPECT_EQ(encoder.layout().pooling, BertPooling::Mean);
  EXPECT_FALSE(encoder.layout().normalize);
  EXPECT_EQ(encoder.max_tokens(), c.max_position_embeddings);
}

// Runs a call that must throw sdk::Error(NT_INVALID_ARGUMENT); returns the message.
template <class Call>
std::string error_text(Call call) {
  return text::testing::sdk_error_text(call, NT_INVALID_ARGUMENT);
}

TEST(BertEncoder, ErrorsNameTheTensorKeyOrSequence) {
  ScratchDir dir;
  BertConfig c = write_pooled_model(dir.path(), BertPooling::Mean);
  BertEncoder encoder = BertEncoder::load(dir.path());
  EXPECT_NE(error_text([&] { encoder.embed({{2, 3}, {}}); }).find("sequence 1 has no tokens"), std::string::npos);
  EXPECT_NE(error_text([&] { encoder.embed({{2, 40, 3}}); }).find("token id 40 at position 1"), std::string::npos);
  EXPECT_NE(error_text([&] { encoder.embed({std::vector<int32_t>(33, 5)}); }).find("more than max_position_embeddings 32"),
            std::string::npos);

  c.num_hidden_layers = 3;
  std::ofstream(dir.file("config.json"), std::ios::trunc) << c.to_json();
  EXPECT_NE(error_text([&] { BertEncoder::load(dir.path()); }).find("\"encoder.layer.2.attention.self.query.weight\" is missing"),
            std::string::npos);

  std::ofstream(dir.file("modules.json"), std::ios::trunc)
      << R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
            {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
            {"idx":2,"name":"2","path":"2_Dense","type":"sentence_transformers.models.Dense"}])";
  EXPECT_NE(error_text([&] { BertEncoder::load(dir.path()); }).find("type \"sentence_transformers.models.Dense\" is not supported"),
            std::string::npos);

  std::ofstream(dir.file("config.json"), std::ios::trunc)
      << R"({"vocab_size": 40, "hidden_size": 24, "num_hidden_layers": 1, "num_attention_heads": 3,
            "intermediate_size": 40, "hidden_act": "relu"})";
  EXPECT_NE(error_text([&] { BertConfig::from_model_dir(dir.path()); }).find("key \"hidden_act\""), std::string::npos);
}

}  // namespace
}  // namespace nineteen::models
