// The Llama decoder: shapes, KV cache against full recompute, padded batches, scoring, dtypes
// and the errors for broken weights.
#include "nineteen/models/llama_model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nineteen/models/random_llama.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/sdk/error.hpp"
#include "scratch_dir.hpp"
#include "small_llama_config.hpp"

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;
using ::testing::HasSubstr;

LlamaConfig small_config() {
  LlamaConfig c = testing_support::small_llama_config(97, 32, 4, 2, 8, 48);
  c.max_position_embeddings = 64;
  return c;
}

LlamaModel make_model(const ScratchDir& dir, const LlamaConfig& c, uint64_t seed = 7, DType dtype = DType::F32,
                      WeightStorage storage = WeightStorage::F32) {
  RandomLlamaOptions options;
  options.seed = seed;
  options.dtype = dtype;
  // Logits of magnitude up to ~8, so that the 1e-5 tolerance between differently ordered f32
  // sums (matrix-vector for a decode step, matrix-matrix for a whole sequence) is ~1e-6 relative.
  options.logit_scale = 2.0;
  write_random_llama(dir.path(), c, options);
  LoadOptions load;
  load.storage = storage;
  return LlamaModel::load(dir.path(), load);
}

float max_abs_diff(const float* a, const float* b, int64_t n) {
  float m = 0.0f;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

int64_t argmax_of(const float* row, int64_t n) { return std::max_element(row, row + n) - row; }

std::vector<int32_t> some_tokens(int n, int32_t vocab, int salt = 0) {
  std::vector<int32_t> t;
  for (int i = 0; i < n; ++i) t.push_back(static_cast<int32_t>((i * 37 + salt * 11 + 5) % vocab));
  return t;
}

TEST(LlamaModel, ForwardShapes) {
  ScratchDir dir;
  LlamaModel model = make_model(dir, small_config());
  KvCache cache = model.new_cache(2, 16);
  Logits last = model.forward({some_tokens(3, 97), some_tokens(5, 97, 1)}, cache);
  EXPECT_EQ(last.vocab, 97);
  EXPECT_EQ(last.rows(), 2);
  EXPECT_EQ(last.row_begin, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(cache.length(0), 3);
  EXPECT_EQ(cache.length(1), 5);
  Logits all = model.forward({{4, 5}, {6}}, cache, LogitRows::All);
  EXPECT_EQ(all.rows(), 3);
  EXPECT_EQ(all.row_begin, (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(cache.length(0), 5);
  EXPECT_EQ(cache.length(1), 6);
  for (float v : all.values) ASSERT_TRUE(std::isfinite(v));
  Logits full = model.full_logits(some_tokens(9, 97));
  EXPECT_EQ(full.rows(), 9);
}

TEST(LlamaModel, KvCacheDecodeEqualsFullRecompute) {
  ScratchDir dir;
  LlamaModel model = make_model(dir, small_config());
  std::vector<int32_t> tokens = some_tokens(20, 97);
  Logits full = model.full_logits(tokens);

  KvCache cache = model.new_cache(1, 32);
  std::vector<int32_t> prompt(tokens.begin(), tokens.begin() + 6);
  Logits prefill = model.forward({prompt}, cache, LogitRows::All);
  for (int64_t r = 0; r < 6; ++r) {
    EXPECT_LT(max_abs_diff(prefill.row(r), full.row(r), 97), 1e-5f) << "prefill row " << r;
  }
  for (size_t i = 6; i < tokens.size(); ++i) {
    Logits step = model.forward({{tokens[i]}}, cache);
    EXPECT_LT(max_abs_diff(step.row(0), full.row(static_cast<int64_t>(i)), 97), 1e-5f) << "decode position " << i;
  }
  EXPECT_EQ(cache.length(0), 20);
}

TEST(LlamaModel, PaddedBatchEqualsOneByOne) {
  ScratchDir dir;
  LlamaModel model = make_model(dir, small_config());
  std::vector<std::vector<int32_t>> prompts = {some_tokens(3, 97, 1), some_tokens(9, 97, 2), some_tokens(6, 97, 3)};
  std::vector<std::vector<int32_t>> next = {{7, 8, 9, 10}, {11}, {12, 13}};

  KvCache batch = model.new_cache(3, 24);
  Logits first = model.forward(prompts, batch, LogitRows::All);
  // Ragged starts: each sequence continues from a different length.
  Logits second = model.forward(next, batch, LogitRows::All);
  for (size_t b = 0; b < prompts.size(); ++b) {
    KvCache alone = model.new_cache(1, 24);
    Logits a1 = model.forward({prompts[b]}, alone, LogitRows::All);
    Logits a2 = model.forward({next[b]}, alone, LogitRows::All);
    ASSERT_EQ(a1.rows(), first.row_begin[b + 1] - first.row_begin[b]);
    for (int64_t r = 0; r < a1.rows(); ++r) {
      EXPECT_LT(max_abs_diff(a1.row(r), first.row(first.row_begin[b] + r), 97), 1e-5f) << "seq " << b << " row " << r;
    }
    ASSERT_EQ(a2.rows(), second.row_begin[b + 1] - second.row_begin[b]);
    for (int64_t r = 0; r < a2.rows(); ++r) {
      EXPECT_LT(max_abs_diff(a2.row(r), second.row(second.row_begin[b] + r), 97), 1e-5f)
          << "seq " << b << " continued row " << r;
    }
  }
}

// Continuous batching's primitives: a pass over some adjacent slots leaves the others untouched,
// single-slot steps (the hand-written decode path) and multi-slot steps agree with a cache of one,
// and a sequence copied to another slot continues there as it would have in place.
TEST(LlamaModel, ForwardOverChosenSlotsAndCopiedSequencesContinueAsAlone) {
  ScratchDir dir;
  LlamaModel model = make_model(dir, small_config());
  const std::vector<std::vector<int32_t>> prompts = {some_tokens(5, 97, 1), some_tokens(8, 97, 2),
                                                     some_tokens(3, 97, 3)};
  KvCache slots = model.new_cache(4, 24);
  for (int64_t s = 0; s < 3; ++s) model.forward_slots(s + 1, {prompts[s]}, slots);  // slot 0 sits out
  EXPECT_EQ(slots.length(0), 0);
  EXPECT_EQ(slots.length(2), 8);
  std::vector<KvCache> alone;
  for (int64_t s = 0; s < 3; ++s) {
    alone.push_back(model.new_cache(1, 24));
    model.forward({prompts[s]}, alone.back());
  }
  // Slot 3 moves to slot 0; slots 0..2 then step together, twice.
  slots.copy_sequence(3, 0);
  EXPECT_EQ(slots.length(0), 3);
  const int64_t order[3] = {2, 0, 1};  // slot i holds prompts[order[i]]
  for (int32_t step = 0; step < 2; ++step) {
    std::vector<std::vector<int32_t>> tokens = {{40 + step}, {41 + step}, {42 + step}};
    Logits together = model.forward_slots(0, tokens, slots);
    for (int64_t i = 0; i < 3; ++i) {
      Logits one = model.forward({tokens[i]}, alone[order[i]]);
      EXPECT_LT(max_abs_diff(one.row(0), together.last_row(i), 97), 1e-5f) << "slot " << i << " step " << step;
    }
  }
  EXPECT_EQ(slots.length(3), 3);  // slot 3 sat out of those passes
  // One slot alone in the middle of the cache takes the single-token path.
  Logits middle = model.forward_slots(1, {{50}}, slots);
  Logits one = model.forward({{50}}, alone[0]);
  EXPECT_LT(max_abs_diff(one.row(0), middle.row(0), 97), 1e-5f);
  EXPECT_THROW(model.forward_slots(3, {{1}, {2}}, slots), sdk::Error);
  EXPECT_THROW(slots.copy_sequence(0, 4), sdk::Error);
}

TEST(LlamaModel, CacheTruncateAndResetReplay) {
  ScratchDir dir;
  LlamaModel model = make_model(dir, small_config());
  KvCache cache = model.new_cache(1, 32);
  std::vector<int32_t> prompt = some_tokens(8, 97);
  Logits a = model.forward({prompt}, cache);
  model.forward({{3, 4, 5}}, cache);
  cache.truncate(0, 7);
  Logits b = model.forward({{prompt.back()}}, cache);
  EXPECT_LT(max_abs_diff(a.row(0), b.row(0), 97), 1e-5f);
  cache.reset();
  EXPECT_EQ(cache.length(0), 0);
  Logits c = model.forward({prompt}, cache);
  EXPECT_LT(max_abs_diff(a.row(0), c.row(0), 97), 1e-5f);
  EXPECT_THROW(cache.truncate(0, 9), sdk::Error);
}

TEST(LlamaModel, ScoreMatchesLogSoftmaxOfFullLogits) {
  ScratchDir dir;
  LlamaModel model = make_model(dir, small_config());
  std::vector<int32_t> a = some_tokens(12, 97, 4), b = some_tokens(7, 97, 5);
  ScoreOptions options;
  options.top_n = 5;
  std::vector<SequenceScore> scores = model.score({{a, 4}, {b, 1}}, options);
  ASSERT_EQ(scores.size(), 2u);
  ASSERT_EQ(scores[0].positions.size(), 8u);
  ASSERT_EQ(scores[1].positions.size(), 6u);
  for (int which = 0; which < 2; ++which) {
    const std::vector<int32_t>& seq = which == 0 ? a : b;
    int64_t first = which == 0 ? 4 : 1;
    Logits full = model.full_logits(seq);
    for (size_t i = 0; i < scores[which].positions.size(); ++i) {
      const ScoredToken& s = scores[which].positions[i];
      int64_t p = first + static_cast<int64_t>(i);
      const float* row = full.row(p - 1);
      double m = *std::max_element(row, row + 97), z = 0;
      for (int v = 0; v < 97; ++v) z += std::exp(row[v] - m);
      double log_z = m + std::log(z);
      EXPECT_EQ(s.token, seq[p]);
      EXPECT_NEAR(s.logprob, row[seq[p]] - log_z, 1e-4);
      int64_t rank = 0;
      for (int v = 0; v < 97; ++v) rank += row[v] > row[seq[p]];
      EXPECT_EQ(s.rank, rank);
      ASSERT_EQ(s.top.size(), 5u);
      EXPECT_EQ(s.top[0].token, std::max_element(row, row + 97) - row);
      for (size_t k = 1; k < s.top.size(); ++k) EXPECT_GE(s.top[k - 1].logprob, s.top[k].logprob);
    }
  }
  // Nothing to score when the answer is empty.
  EXPECT_TRUE(model.score({{a, static_cast<int64_t>(a.size())}})[0].positions.empty());
  EXPECT_THROW(model.score({{a, 0}}), sdk::Error);
}

TEST(LlamaModel, UntiedMultiHeadAndRopeScalingRun) {
  ScratchDir dir;
  LlamaConfig c = small_config();
  c.tie_word_embeddings = false;
  c.num_key_value_heads = 4;
  c.rope_scaling = RopeScaling{"llama3", 8.0, 1.0, 4.0, 16};
  LlamaModel model = make_model(dir, c);
  EXPECT_TRUE(model.config().rope_scaling.has_value());
  std::vector<int32_t> tokens = some_tokens(10, 97);
  Logits full = model.full_logits(tokens);
  KvCache cache = model.new_cache(1, 10);
  model.forward({std::vector<int32_t>(tokens.begin(), tokens.end() - 1)}, cache);
  Logits last = model.forward({{tokens.back()}}, cache);
  EXPECT_LT(max_abs_diff(last.row(0), full.row(9), 97), 1e-5f);
}

TEST(LlamaModel, Bf16WeightsLoad) {
  ScratchDir dir_f32, dir_bf16;
  LlamaModel f32 = make_model(dir_f32, small_config(), 3, DType::F32);
  LlamaModel widened = make_model(dir_bf16, small_config(), 3, DType::BF16, WeightStorage::F32);
  LlamaModel kept = LlamaModel::load(dir_bf16.path(), [] {
    LoadOptions o;
    o.storage = WeightStorage::BF16;
    return o;
  }());
  EXPECT_EQ(kept.storage(), WeightStorage::BF16);
  std::vector<int32_t> tokens = some_tokens(12, 97);
  Logits a = f32.full_logits(tokens), b = widened.full_logits(tokens), k = kept.full_logits(tokens);
  // bf16 rounding of the same random weights moves the logits a little, not a lot.
  int agree = 0;
  for (int64_t r = 0; r < a.rows(); ++r) {
    EXPECT_LT(max_abs_diff(a.row(r), b.row(r), 97), 0.5f);
    EXPECT_LT(max_abs_diff(b.row(r), k.row(r), 97), 0.5f);
    agree += argmax_of(a.row(r), 97) == argmax_of(b.row(r), 97);
  }
  EXPECT_GE(agree, 10);
}

TEST(LlamaModel, Bf16KeptWeightsDecodeLikeWidenedWeights) {
  // Decode steps with kept bf16 weights run a hand-written kernel in f32 arithmetic, so they must
  // match the same weights widened to f32. Odd widths exercise the kernel's vector tails.
  ScratchDir dir;
  LlamaConfig c = testing_support::small_llama_config(97, 36, 2, 1, 18, 50);
  RandomLlamaOptions options;
  options.dtype = DType::BF16;
  options.logit_scale = 2.0;
  write_random_llama(dir.path(), c, options);
  LoadOptions kept_options;
  kept_options.storage = WeightStorage::BF16;
  LlamaModel widened = LlamaModel::load(dir.path()), kept = LlamaModel::load(dir.path(), kept_options);
  KvCache a = widened.new_cache(1, 16), b = kept.new_cache(1, 16);
  for (int32_t token : some_tokens(12, 97)) {
    Logits la = widened.forward({{token}}, a), lb = kept.forward({{token}}, b);
    EXPECT_LT(max_abs_diff(la.row(0), lb.row(0), 97), 1e-4f) << "token " << token;
  }
}

// Rewrites <dir>/model.safetensors through `edit`, which may drop or replace tensors.
void rewrite_weights(const ScratchDir& dir, const std::function<void(std::vector<TensorToWrite>&)>& edit) {
  std::string path = dir.file("model.safetensors");
  std::vector<std::string> keep;
  std::vector<TensorToWrite> tensors;
  {
    SafetensorsFile f = SafetensorsFile::open(path);
    keep.reserve(f.tensors().size());
    for (const TensorView& t : f.tensors()) {
      keep.emplace_back(reinterpret_cast<const char*>(t.data), t.byte_size);
      tensors.push_back({t.name, t.dtype, t.shape, keep.back()});
    }
    edit(tensors);
  }
  std::vector<std::string> owned;
  for (auto& t : tensors) owned.emplace_back(t.bytes);
  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].bytes = owned[i];
  write_safetensors(path, tensors);
}

std::string load_error(const ScratchDir& dir) {
  try {
    LlamaModel::load(dir.path());
  } catch (const sdk::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(LlamaModel, MissingTensorIsNamedWithExpectedShape) {
  ScratchDir dir;
  write_random_llama(dir.path(), small_config(), {});
  rewrite_weights(dir, [](std::vector<TensorToWrite>& t) {
    t.erase(std::remove_if(t.begin(), t.end(),
                           [](const TensorToWrite& x) { return x.name == "model.layers.1.mlp.up_proj.weight"; }),
            t.end());
  });
  std::string err = load_error(dir);
  EXPECT_THAT(err, HasSubstr("\"model.layers.1.mlp.up_proj.weight\" is missing"));
  EXPECT_THAT(err, HasSubstr("[48, 32]"));
}

TEST(LlamaModel, WrongShapeNamesBothShapes) {
  ScratchDir dir;
  write_random_llama(dir.path(), small_config(), {});
  static const std::string zeros(8 * 32 * 4, '\0');
  rewrite_weights(dir, [](std::vector<TensorToWrite>& t) {
    for (auto& x : t) {
      if (x.name == "model.layers.0.self_attn.k_proj.weight") {
        x.shape = {8, 32};
        x.bytes = zeros;
      }
    }
  });
  std::string err = load_error(dir);
  EXPECT_THAT(err, HasSubstr("\"model.layers.0.self_attn.k_proj.weight\""));
  EXPECT_THAT(err, HasSubstr("has shape [8, 32], expected [16, 32]"));
}

TEST(LlamaModel, BadInputsAreErrorsNotCrashes) {
  ScratchDir dir;
  LlamaModel model = make_model(dir, small_config());
  KvCache cache = model.new_cache(1, 4);
  EXPECT_THROW(model.forward({{97}}, cache), sdk::Error);
  EXPECT_THROW(model.forward({{-1}}, cache), sdk::Error);
  EXPECT_THROW(model.forward({{}}, cache), sdk::Error);
  EXPECT_THROW(model.forward({{1}, {2}}, cache), sdk::Error);
  EXPECT_THROW(model.forward({{1, 2, 3, 4, 5}}, cache), sdk::Error);
  EXPECT_EQ(cache.length(0), 0);
  EXPECT_THROW(model.new_cache(1, 65), sdk::Error);
  ScratchDir other_dir;
  LlamaModel other = make_model(other_dir, small_config(), 8);
  EXPECT_THROW(other.forward({{1}}, cache), sdk::Error);
  ScratchDir empty;
  EXPECT_THAT(load_error(empty), HasSubstr("config.json"));
}

}  // namespace
}  // namespace nineteen::models
