// An independent check of the encoder's numbers: a NumPy implementation (bert_reference.py) reads
// the same files by hand, runs each sequence alone in float64, and must agree within 1e-4 with
// our padded batch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "nineteen/models/bert_encoder.hpp"
#include "nineteen/models/bert_random_weights.hpp"
#include "nineteen/models/bert_tiny_maker.hpp"
#include "numpy_reference.hpp"
#include "scratch_dir.hpp"

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;
using testing_support::python_with_numpy;
using testing_support::read_floats;

// Sequences of different lengths (so the batch is padded) with ids spread over the vocabulary.
std::vector<std::vector<int32_t>> sample_sequences(int64_t vocab) {
  std::vector<std::vector<int32_t>> out;
  for (int length : {7, 3, 19, 12}) {
    std::vector<int32_t> ids = {2};
    for (int i = 1; i + 1 < length; ++i) ids.push_back(static_cast<int32_t>(5 + (i * 37 + length * 11) % (vocab - 5)));
    ids.push_back(3);
    out.push_back(ids);
  }
  return out;
}

void expect_reference_agrees(const std::string& dir, const LoadOptions& options = {}) {
  std::string python = python_with_numpy();
  if (python.empty()) GTEST_SKIP() << "python3 with numpy not found (set NINETEEN_PYTHON)";
  BertEncoder encoder = BertEncoder::load(dir, options);
  auto sequences = sample_sequences(encoder.config().vocab_size);
  SentenceEmbeddings ours = encoder.embed(sequences);
  std::string text;
  for (const auto& s : sequences) {
    if (!text.empty()) text += ";";
    for (size_t i = 0; i < s.size(); ++i) text += (i ? "," : "") + std::to_string(s[i]);
  }
  const std::string out = dir + "/reference.f32";
  const std::string command = "'" + python + "' '" NINETEEN_BERT_REFERENCE_SCRIPT "' '" + dir + "' '" + text + "' '" + out + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::vector<float> reference = read_floats(out);
  ASSERT_EQ(reference.size(), ours.values.size());
  float worst = 0, spread = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    worst = std::max(worst, std::fabs(reference[i] - ours.values[i]));
    spread = std::max(spread, std::fabs(reference[i]));
  }
  EXPECT_LT(worst, 1e-4f);
  EXPECT_GT(spread, 0.05f);  // not a degenerate all-equal model
}

TEST(BertReference, TinyBertMeanPooledNormalised) {
  ScratchDir dir;
  make_tiny_bert(dir.path(), {});
  expect_reference_agrees(dir.path());
}

TEST(BertReference, Bf16WeightsClsPoolingTanhGeluBertPrefix) {
  ScratchDir dir;
  BertConfig c;
  c.vocab_size = 90;
  c.hidden_size = 48;
  c.num_hidden_layers = 3;
  c.num_attention_heads = 6;
  c.intermediate_size = 80;
  c.max_position_embeddings = 40;
  c.hidden_act = BertActivation::GeluTanh;
  c.layer_norm_eps = 1e-7;
  RandomBertOptions options;
  options.seed = 5;
  options.dtype = DType::BF16;
  options.name_prefix = "bert.";
  write_random_bert(dir.path(), c, options);
  SentenceEmbeddingLayout layout;
  layout.pooling = BertPooling::Cls;
  layout.normalize = false;
  layout.write(dir.path(), c.hidden_size);
  expect_reference_agrees(dir.path());
}

TEST(BertReference, MaxPoolingWithKeptBf16Matrices) {
  ScratchDir dir;
  TinyBertOptions options;
  options.pooling = BertPooling::Max;
  make_tiny_bert(dir.path(), options);
  // BF16 storage rounds activations to bf16 before each product, so only f32 storage is held to
  // 1e-4; this checks that the bf16 path runs and stays close.
  std::string python = python_with_numpy();
  if (python.empty()) GTEST_SKIP() << "python3 with numpy not found";
  LoadOptions load;
  load.storage = WeightStorage::BF16;
  BertEncoder f32 = BertEncoder::load(dir.path()), bf16 = BertEncoder::load(dir.path(), load);
  auto sequences = sample_sequences(f32.config().vocab_size);
  SentenceEmbeddings a = f32.embed(sequences), b = bf16.embed(sequences);
  for (size_t r = 0; r < a.count(); ++r) {
    double dot = 0, na = 0, nb = 0;
    for (int64_t k = 0; k < a.dimension; ++k) {
      dot += double(a.row(r)[k]) * b.row(r)[k];
      na += double(a.row(r)[k]) * a.row(r)[k];
      nb += double(b.row(r)[k]) * b.row(r)[k];
    }
    EXPECT_GT(dot / std::sqrt(na * nb), 0.995) << "sequence " << r;
  }
  expect_reference_agrees(dir.path());
}

}  // namespace
}  // namespace nineteen::models
