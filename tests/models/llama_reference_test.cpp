// An independent check of the decoder's numbers: a NumPy implementation (llama_reference.py)
// reads the same files by hand and must agree on the logits within 1e-4.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/random_llama.hpp"
#include "numpy_reference.hpp"
#include "scratch_dir.hpp"
#include "small_llama_config.hpp"

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;
using testing_support::python_with_numpy;
using testing_support::read_floats;

void expect_reference_agrees(const LlamaConfig& config, DType dtype, int n_tokens) {
  std::string python = python_with_numpy();
  if (python.empty()) GTEST_SKIP() << "python3 with numpy not found (set NINETEEN_PYTHON)";
  ScratchDir dir;
  RandomLlamaOptions options;
  options.seed = 2024;
  options.dtype = dtype;
  write_random_llama(dir.path(), config, options);
  LlamaModel model = LlamaModel::load(dir.path());

  std::vector<int32_t> tokens;
  std::string token_text;
  for (int i = 0; i < n_tokens; ++i) {
    tokens.push_back(static_cast<int32_t>((i * 53 + 7) % config.vocab_size));
    token_text += (i ? "," : "") + std::to_string(tokens.back());
  }
  Logits ours = model.full_logits(tokens);

  std::string out = dir.file("reference.f32");
  std::string command = "'" + python + "' '" NINETEEN_LLAMA_REFERENCE_SCRIPT "' '" + dir.path() + "' " +
                        token_text + " '" + out + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::vector<float> reference = read_floats(out);
  ASSERT_EQ(static_cast<int64_t>(reference.size()), ours.rows() * ours.vocab);
  float worst = 0.0f, spread = 0.0f;
  for (size_t i = 0; i < reference.size(); ++i) {
    worst = std::max(worst, std::fabs(reference[i] - ours.values[i]));
    spread = std::max(spread, std::fabs(reference[i]));
  }
  EXPECT_LT(worst, 1e-4f);
  // Guard against a degenerate model where everything is trivially equal.
  EXPECT_GT(spread, 1.0f);
}

LlamaConfig base_config() {
  LlamaConfig c = testing_support::small_llama_config(150, 48, 6, 2, 8, 96);
  c.tie_word_embeddings = true;
  return c;
}

TEST(LlamaReference, TiedGroupedQueryF32) { expect_reference_agrees(base_config(), DType::F32, 16); }

TEST(LlamaReference, UntiedLlama3RopeScalingBf16) {
  LlamaConfig c = base_config();
  c.tie_word_embeddings = false;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 4;
  c.head_dim = 16;  // head_dim × heads ≠ hidden: the projections must not assume it
  c.rope_theta = 500000.0;
  c.rms_norm_eps = 1e-6;
  // A short original context so the scaled, smoothed and untouched frequency bands all occur.
  c.rope_scaling = RopeScaling{"llama3", 8.0, 1.0, 4.0, 32};
  expect_reference_agrees(c, DType::BF16, 40);
}

TEST(LlamaReference, MultiQueryLinearRopeScalingF16) {
  LlamaConfig c = base_config();
  c.num_key_value_heads = 1;
  c.rope_scaling = RopeScaling{"linear", 2.0, 1.0, 4.0, 0};
  expect_reference_agrees(c, DType::F16, 24);
}

}  // namespace
}  // namespace nineteen::models
