// Weight storages and product paths against the f32 reference: Q8 weights (decode, short batches
// on the int8 kernel, long batches on dequantised weights) and the checking-product choice for
// bf16 weights (bf16 gemm or f32 on widened weights), each forced so both run on any machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/random_llama.hpp"
#include "scratch_dir.hpp"
#include "small_llama_config.hpp"

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;

std::vector<float> log_softmax(const float* row, int64_t n) {
  const float top = *std::max_element(row, row + n);
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total += std::exp(double(row[i] - top));
  std::vector<float> out(row, row + n);
  for (float& v : out) v = v - top - static_cast<float>(std::log(total));
  return out;
}

int64_t argmax_of(const std::vector<float>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); }

// The gap between the most likely token and the next.
float top_margin(const std::vector<float>& v) {
  std::vector<float> s = v;
  std::partial_sort(s.begin(), s.begin() + 2, s.end(), std::greater<float>());
  return s[0] - s[1];
}

// Q8 against f32, stated (this random 2-layer model of width 72 measured at most 0.13 mean, 0.25
// on likely tokens, 0.41 anywhere): the mean |Δ logprob| over the vocabulary within
// kQ8MeanTolerance, every token f32 gives a logprob above -5 (p > 0.7 %) within
// kQ8LikelyTolerance, and the same greedy token wherever f32's top two are more than
// kQ8LikelyTolerance apart (closer calls may flip).
constexpr float kQ8MeanTolerance = 0.2f;
constexpr float kQ8LikelyTolerance = 0.4f;

void expect_close_to_reference(const std::vector<float>& reference, const std::vector<float>& q8,
                               const std::string& where) {
  float likely = 0, mean = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    if (reference[i] > -5) likely = std::max(likely, std::fabs(reference[i] - q8[i]));
    mean += std::fabs(reference[i] - q8[i]) / static_cast<float>(reference.size());
  }
  EXPECT_LT(mean, kQ8MeanTolerance) << where;
  EXPECT_LT(likely, kQ8LikelyTolerance) << where;
  if (top_margin(reference) > kQ8LikelyTolerance) EXPECT_EQ(argmax_of(reference), argmax_of(q8)) << where;
}

TEST(WeightStorage, Q8FollowsTheF32ReferenceInDecodeShortAndLongBatches) {
  ScratchDir dir;
  // Widths that are not multiples of the 32-weight block exercise the zero-padded last block.
  LlamaConfig c = testing_support::small_llama_config(97, 72, 4, 2, 18, 80);
  RandomLlamaOptions random;
  random.logit_scale = 4.0;  // the tolerances above were measured at this logit spread
  write_random_llama(dir.path(), c, random);
  LoadOptions q8_options;
  q8_options.storage = WeightStorage::Q8;
  LlamaModel f32 = LlamaModel::load(dir.path()), q8 = LlamaModel::load(dir.path(), q8_options);
  EXPECT_EQ(q8.storage(), WeightStorage::Q8);
  EXPECT_NE(q8.compute_path().find("q8 kernels"), std::string::npos) << q8.compute_path();

  // Greedy decoding by the f32 model, the same tokens fed to the Q8 model step by step.
  std::vector<int32_t> tokens = {1, 17, 42, 5, 88, 23, 60, 9};
  KvCache cf = f32.new_cache(1, 120), cq = q8.new_cache(1, 120);
  Logits lf = f32.forward({tokens}, cf), lq = q8.forward({tokens}, cq);  // 8 rows: the int8 kernel
  int agree = 0, steps = 24;
  for (int i = 0; i < steps; ++i) {
    std::vector<float> rf = log_softmax(lf.row(0), c.vocab_size), rq = log_softmax(lq.row(0), c.vocab_size);
    expect_close_to_reference(rf, rq, "decode step " + std::to_string(i));
    agree += argmax_of(rf) == argmax_of(rq);
    const int32_t next = static_cast<int32_t>(argmax_of(rf));
    tokens.push_back(next);
    lf = f32.forward({{next}}, cf);
    lq = q8.forward({{next}}, cq);
  }
  EXPECT_GE(agree, steps - 2);

  // 100 positions at once: over 64 rows, so the products run on dequantised f32 weights.
  while (tokens.size() < 100) tokens.push_back(static_cast<int32_t>((tokens.size() * 31) % 97));
  Logits ff = f32.full_logits(tokens), fq = q8.full_logits(tokens);
  ASSERT_EQ(fq.rows(), 100);
  for (int64_t r = 0; r < ff.rows(); r += 7) {
    expect_close_to_reference(log_softmax(ff.row(r), c.vocab_size), log_softmax(fq.row(r), c.vocab_size),
                              "long batch row " + std::to_string(r));
  }
  // score() on Q8 (what a validator running Q8 would compute) agrees with its own decode steps.
  std::vector<SequenceScore> scored = q8.score({{std::vector<int32_t>(tokens.begin(), tokens.begin() + 30), 8, {}}});
  ASSERT_EQ(scored[0].positions.size(), 22u);
  KvCache replay = q8.new_cache(1, 40);
  Logits l = q8.forward({std::vector<int32_t>(tokens.begin(), tokens.begin() + 8)}, replay);
  for (int p = 8; p < 30; ++p) {
    const float decoded = log_softmax(l.row(0), c.vocab_size)[tokens[p]];
    // Decode quantises activations to 8 bits, checking does not: the same tolerance applies.
    EXPECT_NEAR(scored[0].positions[p - 8].logprob, decoded, kQ8LikelyTolerance) << "position " << p;
    l = q8.forward({{tokens[p]}}, replay);
  }
}

TEST(WeightStorage, CheckingOnBf16WeightsRunsInBf16OrInF32AsChosen) {
  ScratchDir dir;
  LlamaConfig c = testing_support::small_llama_config(97, 32, 4, 2, 8, 48);
  RandomLlamaOptions options;
  options.dtype = DType::BF16;
  options.logit_scale = 2.0;
  write_random_llama(dir.path(), c, options);
  LoadOptions f32_products, bf16_products, automatic;
  f32_products.storage = bf16_products.storage = automatic.storage = WeightStorage::BF16;
  f32_products.checking = CheckingProducts::F32;
  bf16_products.checking = CheckingProducts::Bf16;
  LlamaModel widened = LlamaModel::load(dir.path());  // the f32 reference on the same weights
  LlamaModel in_f32 = LlamaModel::load(dir.path(), f32_products);
  LlamaModel in_bf16 = LlamaModel::load(dir.path(), bf16_products);
  LlamaModel chosen = LlamaModel::load(dir.path(), automatic);
  EXPECT_NE(in_f32.compute_path().find("f32 gemm on widened bf16 (forced)"), std::string::npos)
      << in_f32.compute_path();
  EXPECT_NE(in_bf16.compute_path().find("batches bf16 gemm (forced)"), std::string::npos) << in_bf16.compute_path();
  const std::string expected_auto = cpu_has_fast_bf16() ? "bf16 gemm (CPU has" : "widened bf16 (CPU lacks";
  EXPECT_NE(chosen.compute_path().find(expected_auto), std::string::npos) << chosen.compute_path();

  std::vector<ScoreRequest> requests;
  for (int b = 0; b < 3; ++b) {
    std::vector<int32_t> t;
    for (int i = 0; i < 20 + 5 * b; ++i) t.push_back(static_cast<int32_t>((i * 37 + b * 11 + 5) % 97));
    requests.push_back({t, 4, {}});
  }
  auto reference = widened.score(requests), a = in_f32.score(requests), b = in_bf16.score(requests);
  for (size_t r = 0; r < requests.size(); ++r) {
    ASSERT_EQ(a[r].positions.size(), reference[r].positions.size());
    for (size_t p = 0; p < reference[r].positions.size(); ++p) {
      // f32 products on the widened weights: the reference's arithmetic, to f32 rounding.
      EXPECT_NEAR(a[r].positions[p].logprob, reference[r].positions[p].logprob, 1e-4) << r << " " << p;
      EXPECT_EQ(a[r].positions[p].rank, reference[r].positions[p].rank) << r << " " << p;
      // bf16 products also round the activations to bf16 (8 bits of mantissa).
      EXPECT_NEAR(b[r].positions[p].logprob, reference[r].positions[p].logprob, 0.5) << r << " " << p;
    }
  }
}

}  // namespace
}  // namespace nineteen::models
