// The sampler: greedy, top-k/top-p limits, raw logprobs, and seeds that decide the tokens alone.
#include "nineteen/models/sampler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nineteen/models/random_llama.hpp"
#include "nineteen/sdk/error.hpp"
#include "scratch_dir.hpp"
#include "small_llama_config.hpp"

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;

std::vector<float> spread_logits() {
  // A smooth distribution over 50 tokens with the maximum at id 17.
  std::vector<float> l(50);
  for (int i = 0; i < 50; ++i) l[i] = -0.05f * float((i - 17) * (i - 17)) + 0.01f * float(i % 3);
  return l;
}

double log_softmax_of(const std::vector<float>& l, int id) {
  double m = *std::max_element(l.begin(), l.end()), z = 0;
  for (float v : l) z += std::exp(v - m);
  return l[id] - m - std::log(z);
}

SamplingParams params(double temperature, uint64_t seed, double top_p = 1.0, int64_t top_k = 0) {
  SamplingParams p;
  p.temperature = temperature;
  p.seed = seed;
  p.top_p = top_p;
  p.top_k = top_k;
  return p;
}

std::vector<int32_t> draw(const SamplingParams& p, const std::vector<float>& logits, int n) {
  Sampler s(p);
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) out.push_back(s.next(logits.data(), static_cast<int64_t>(logits.size())).token);
  return out;
}

TEST(Sampler, GreedyTakesArgmaxAndLowestIdOnTies) {
  std::vector<float> l = spread_logits();
  EXPECT_EQ(draw(params(0.0, 1), l, 5), std::vector<int32_t>(5, 17));
  std::vector<float> tie = {1.0f, 3.0f, 3.0f, 2.0f};
  EXPECT_EQ(draw(params(0.0, 1), tie, 1)[0], 1);
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDifferent) {
  std::vector<float> l = spread_logits();
  std::vector<int32_t> a = draw(params(1.0, 42), l, 64);
  std::vector<int32_t> b = draw(params(1.0, 42), l, 64);
  std::vector<int32_t> c = draw(params(1.0, 43), l, 64);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_GT(std::set<int32_t>(a.begin(), a.end()).size(), 3u);
}

TEST(Sampler, TopKAndTopPLimitTheCandidates) {
  std::vector<float> l = spread_logits();
  for (int32_t t : draw(params(1.0, 5, 1.0, 1), l, 50)) EXPECT_EQ(t, 17);
  for (int32_t t : draw(params(1.0, 5, 1e-6), l, 50)) EXPECT_EQ(t, 17);
  std::set<int32_t> seen;
  for (int32_t t : draw(params(2.0, 6, 1.0, 3), l, 300)) seen.insert(t);
  EXPECT_EQ(seen, (std::set<int32_t>{16, 17, 18}));
  // top_p = 0.5 keeps the smallest set of best tokens holding half the mass: all near 17.
  for (int32_t t : draw(params(1.0, 7, 0.5), l, 200)) EXPECT_LE(std::abs(t - 17), 3);
}

TEST(Sampler, ReportsRawLogprobsWhateverTheTemperature) {
  std::vector<float> l = spread_logits();
  SamplingParams p = params(0.3, 9, 0.9, 10);
  p.top_logprobs = 4;
  Sampler s(p);
  TokenChoice c = s.next(l.data(), 50);
  EXPECT_NEAR(c.logprob, log_softmax_of(l, c.token), 1e-6);
  ASSERT_EQ(c.top.size(), 4u);
  EXPECT_EQ(c.top[0].token, 17);
  EXPECT_NEAR(c.top[0].logprob, log_softmax_of(l, 17), 1e-6);
  for (size_t i = 1; i < c.top.size(); ++i) EXPECT_GE(c.top[i - 1].logprob, c.top[i].logprob);
}

TEST(Sampler, NeverPicksNonFiniteLogits) {
  std::vector<float> l = {NAN, 1.0f, -INFINITY, 1.0f, INFINITY};
  for (int32_t t : draw(params(1.0, 3), l, 50)) EXPECT_TRUE(t == 1 || t == 3);
  std::vector<float> none = {NAN, NAN};
  Sampler s(params(1.0, 3));
  EXPECT_THROW(s.next(none.data(), 2), sdk::Error);
}

TEST(Sampler, InvalidParamsAreNamed) {
  EXPECT_THROW(Sampler(params(-1.0, 0)), sdk::Error);
  EXPECT_THROW(Sampler(params(NAN, 0)), sdk::Error);
  EXPECT_THROW(Sampler(params(1.0, 0, 0.0)), sdk::Error);
  EXPECT_THROW(Sampler(params(1.0, 0, 1.5)), sdk::Error);
  EXPECT_THROW(Sampler(params(1.0, 0, 1.0, -1)), sdk::Error);
  try {
    Sampler(params(1.0, 0, 2.0));
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("top_p"), std::string::npos);
  }
}

// Generation from a real model: the seed alone decides the tokens, even when other requests'
// samplers run in between.
std::vector<int32_t> generate(const LlamaModel& model, const SamplingParams& p, int n,
                              const std::function<void()>& between = {}) {
  KvCache cache = model.new_cache(1, 64);
  Sampler sampler(p);
  std::vector<int32_t> out;
  Logits l = model.forward({{1, 5, 9, 14}}, cache);
  for (int i = 0; i < n; ++i) {
    if (between) between();
    TokenChoice t = sampler.next(l.row(0), l.vocab);
    out.push_back(t.token);
    l = model.forward({{t.token}}, cache);
  }
  return out;
}

TEST(Sampler, ModelGenerationIsDecidedBySeed) {
  ScratchDir dir;
  LlamaConfig c = testing_support::small_llama_config(200, 32, 4, 2, 8, 64);
  write_random_llama(dir.path(), c, {});
  LlamaModel model = LlamaModel::load(dir.path());

  std::vector<int32_t> a = generate(model, params(1.0, 11), 24);
  Sampler noise(params(1.0, 99));
  std::vector<float> junk = spread_logits();
  std::vector<int32_t> b = generate(model, params(1.0, 11), 24, [&] { noise.next(junk.data(), 50); });
  std::vector<int32_t> other = generate(model, params(1.0, 12), 24);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
  EXPECT_EQ(generate(model, params(0.0, 1), 24), generate(model, params(0.0, 2), 24));
}

}  // namespace
}  // namespace nineteen::models
