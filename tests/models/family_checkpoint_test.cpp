// The decoder families miners serve (Llama 3.x, Qwen2/2.5, Mistral, Phi-3), each from a tiny
// checkpoint in its real layout (tensor names, config keys, f32/bf16/f16 files, sharded with an
// index), checked against the float64 reference in family_reference.hpp: greedy ids equal and
// log-probabilities within kLogprobTolerance. Also the real config.json files of each family's
// published models parse to the right settings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "family_reference.hpp"
#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/random_llama.hpp"
#include "nineteen/sdk/error.hpp"
#include "scratch_dir.hpp"

namespace nineteen::models {
namespace {

using testing_support::FamilyReference;
using testing_support::ScratchDir;

// The decoder computes in f32 (weights widened from the file's dtype at load); the reference in
// f64 from the same stored weights. Over 2 layers and 40 positions the f32 rounding stays far
// below this; a missing bias, a wrong window or a wrong rope band moves logprobs by > 0.05.
constexpr double kLogprobTolerance = 2e-4;

LlamaConfig tiny(const std::string& model_type) {
  LlamaConfig c;
  c.model_type = model_type;
  c.vocab_size = 160;
  c.hidden_size = 48;
  c.intermediate_size = 96;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 6;
  c.num_key_value_heads = 2;
  c.head_dim = 8;
  c.max_position_embeddings = 128;
  c.rms_norm_eps = 1e-6;
  c.bos_token_id = 1;
  c.eos_token_ids = {2};
  return c;
}

// Llama 3.2-style: llama3 rope scaling (a short original context so every frequency band occurs),
// tied embeddings, grouped-query attention.
LlamaConfig llama32() {
  LlamaConfig c = tiny("llama");
  c.rope_theta = 500000.0;
  c.rope_scaling = RopeScaling{"llama3", 32.0, 1.0, 4.0, 16};
  c.tie_word_embeddings = true;
  return c;
}

// Qwen2.5-style: q/k/v biases, tied embeddings, and the window on the second layer only
// (use_sliding_window with max_window_layers 1).
LlamaConfig qwen25() {
  LlamaConfig c = tiny("qwen2");
  c.rope_theta = 1000000.0;
  c.qkv_bias = true;
  c.tie_word_embeddings = true;
  c.sliding_window = 5;
  c.sliding_layers = {false, true};
  return c;
}

// Mistral 7B v0.1-style: sliding_window on every layer, untied.
LlamaConfig mistral() {
  LlamaConfig c = tiny("mistral");
  c.sliding_window = 6;
  c.head_dim = 16;  // head_dim × heads ≠ hidden, as Mistral NeMo has
  return c;
}

// Phi-3-mini-style: fused qkv_proj and gate_up_proj, full multi-head attention, sliding_window.
LlamaConfig phi3() {
  LlamaConfig c = tiny("phi3");
  c.num_key_value_heads = c.num_attention_heads;
  c.sliding_window = 7;
  return c;
}

// Phi-3.5-mini-style: longrope with per-pair short/long factors and a 4× longer declared context
// than the original (served within the original, with the attention factor the ratio implies).
LlamaConfig phi35() {
  LlamaConfig c = phi3();
  RopeScaling s;
  s.rope_type = "longrope";
  for (int64_t i = 0; i < c.head_dim / 2; ++i) {
    s.short_factor.push_back(1.0 + 0.7 * double(i));
    s.long_factor.push_back(2.0 + 3.0 * double(i));
  }
  s.original_max_position_embeddings = 64;
  s.declared_max_positions = 256;
  c.rope_scaling = s;
  c.max_position_embeddings = 64;
  return c;
}

// Qwen2.5 with yarn (factor 4 over a short original context, so pairs fall on both sides of the ramp).
LlamaConfig qwen25_yarn() {
  LlamaConfig c = qwen25();
  RopeScaling s;
  s.rope_type = "yarn";
  s.factor = 4.0;
  s.original_max_position_embeddings = 32;
  s.declared_max_positions = 32;
  c.rope_scaling = s;
  c.max_position_embeddings = 128;
  return c;
}

struct Case {
  const char* name;
  LlamaConfig (*config)();
  DType dtype;
  int shards;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<int32_t> prompt_of(int n, int64_t vocab) {
  std::vector<int32_t> tokens;
  for (int i = 0; i < n; ++i) tokens.push_back(static_cast<int32_t>((i * 37 + 11) % vocab));
  return tokens;
}

std::vector<double> log_softmax(const float* row, int64_t vocab) {
  double best = -INFINITY, total = 0;
  for (int64_t v = 0; v < vocab; ++v) best = std::max(best, double(row[v]));
  for (int64_t v = 0; v < vocab; ++v) total += std::exp(double(row[v]) - best);
  std::vector<double> out(vocab);
  for (int64_t v = 0; v < vocab; ++v) out[v] = double(row[v]) - best - std::log(total);
  return out;
}

class FamilyCheckpoint : public testing::TestWithParam<Case> {};

TEST_P(FamilyCheckpoint, MatchesFloat64Reference) {
  const Case& k = GetParam();
  ScratchDir dir;
  RandomLlamaOptions options;
  options.seed = 7;
  options.dtype = k.dtype;
  options.shards = k.shards;
  const LlamaConfig written = k.config();
  write_random_llama(dir.path(), written, options);
  if (k.shards > 1) {
    ASSERT_TRUE(std::filesystem::exists(dir.file("model.safetensors.index.json")));
    ASSERT_FALSE(std::filesystem::exists(dir.file("model.safetensors")));
  }

  // config.json round trip: the family's own keys say the same as what was written.
  LlamaConfig read = LlamaConfig::from_model_dir(dir.path());
  EXPECT_EQ(read.model_type, written.model_type);
  EXPECT_EQ(read.qkv_bias, written.qkv_bias);
  EXPECT_EQ(read.fused_projections, written.model_type == "phi3");
  for (int64_t l = 0; l < written.num_hidden_layers; ++l) EXPECT_EQ(read.layer_window(l), written.layer_window(l));
  EXPECT_EQ(read.tie_word_embeddings, written.tie_word_embeddings);

  LlamaModel model = LlamaModel::load(dir.path());
  FamilyReference reference(dir.path());
  ASSERT_EQ(reference.model_type(), written.model_type);

  // Logprobs at every position of a 40-token sequence (longer than every window).
  const std::vector<int32_t> tokens = prompt_of(40, written.vocab_size);
  const std::vector<std::vector<double>> expected = reference.logprobs(tokens);
  Logits ours = model.full_logits(tokens);
  ASSERT_EQ(ours.rows(), 40);
  double worst = 0, spread = 0;
  for (int64_t t = 0; t < ours.rows(); ++t) {
    std::vector<double> lp = log_softmax(ours.row(t), ours.vocab);
    for (int64_t v = 0; v < ours.vocab; ++v) {
      worst = std::max(worst, std::fabs(lp[v] - expected[t][v]));
      spread = std::max(spread, std::fabs(expected[t][v] - expected[t][0]));
    }
  }
  EXPECT_LT(worst, kLogprobTolerance) << k.name;
  EXPECT_GT(spread, 1.0) << "a degenerate model would agree trivially";

  // score() (the validator's path) gives the same logprobs for the tokens present.
  std::vector<SequenceScore> scores = model.score({{tokens, 1}}, {5});
  ASSERT_EQ(scores[0].positions.size(), tokens.size() - 1);
  for (size_t p = 1; p < tokens.size(); ++p) {
    EXPECT_NEAR(scores[0].positions[p - 1].logprob, expected[p - 1][tokens[p]], kLogprobTolerance) << "position " << p;
  }

  // Where the family has a window, ignoring it must change the answer beyond the window.
  if (written.sliding_window > 0) {
    std::vector<std::vector<double>> full = reference.logprobs(tokens, 0);
    double moved = 0;
    for (size_t t = 0; t < tokens.size(); ++t)
      for (int64_t v = 0; v < written.vocab_size; ++v) moved = std::max(moved, std::fabs(full[t][v] - expected[t][v]));
    EXPECT_GT(moved, 100 * kLogprobTolerance) << "the window should matter in this test";
  }

  // Greedy decoding through the KV cache (prefill, then one-token steps) picks the reference's ids.
  const std::vector<int32_t> prompt = prompt_of(9, written.vocab_size);
  const int steps = 14;  // the cache runs past every window
  std::vector<int32_t> want = reference.greedy(prompt, steps);
  KvCache cache = model.new_cache(1, static_cast<int64_t>(prompt.size()) + steps);
  Logits l = model.forward({prompt}, cache);
  std::vector<int32_t> got;
  std::vector<std::vector<double>> step_logprobs;
  for (int i = 0; i < steps; ++i) {
    const float* row = l.last_row(0);
    step_logprobs.push_back(log_softmax(row, l.vocab));
    int32_t best = static_cast<int32_t>(std::max_element(row, row + l.vocab) - row);
    got.push_back(best);
    if (i + 1 < steps) l = model.forward({{best}}, cache);
  }
  EXPECT_EQ(got, want) << k.name;
  // Each decode step's distribution (the one-token path, not the batched one) matches too.
  std::vector<int32_t> sequence = prompt;
  sequence.insert(sequence.end(), want.begin(), want.end() - 1);
  const std::vector<std::vector<double>> along = reference.logprobs(sequence);
  double step_worst = 0;
  for (int i = 0; i < steps; ++i) {
    const std::vector<double>& r = along[prompt.size() - 1 + i];
    for (int64_t v = 0; v < written.vocab_size; ++v) step_worst = std::max(step_worst, std::fabs(step_logprobs[i][v] - r[v]));
  }
  EXPECT_LT(step_worst, kLogprobTolerance) << k.name;
  std::printf("%s: max |logprob - float64 reference| %.2e (full sequence), %.2e (decode steps)\n", k.name, worst,
              step_worst);
}

INSTANTIATE_TEST_SUITE_P(
    Families, FamilyCheckpoint,
    testing::Values(Case{"Llama32F32", llama32, DType::F32, 1}, Case{"Llama32Bf16Sharded", llama32, DType::BF16, 3},
                    Case{"Qwen25F32", qwen25, DType::F32, 1}, Case{"Qwen25Bf16", qwen25, DType::BF16, 1},
                    Case{"MistralF16Sharded", mistral, DType::F16, 2}, Case{"MistralBf16", mistral, DType::BF16, 1},
                    Case{"Phi3F32", phi3, DType::F32, 1}, Case{"Phi3F16Sharded", phi3, DType::F16, 2},
                    Case{"Phi35LongropeF32", phi35, DType::F32, 1}, Case{"Qwen25YarnBf16", qwen25_yarn, DType::BF16, 1}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// The config.json files of published checkpoints, verbatim apart from auto_map: what each family's
// keys mean to the loader.
TEST(FamilyConfig, PublishedConfigsParse) {
  LlamaConfig llama = LlamaConfig::from_json(R"({"architectures":["LlamaForCausalLM"],"attention_bias":false,
    "attention_dropout":0.0,"bos_token_id":128000,"eos_token_id":128001,"head_dim":64,"hidden_act":"silu",
    "hidden_size":2048,"initializer_range":0.02,"intermediate_size":8192,"max_position_embeddings":131072,
    "mlp_bias":false,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":16,"num_key_value_heads":8,
    "pretraining_tp":1,"rms_norm_eps":1e-05,"rope_scaling":{"factor":32.0,"high_freq_factor":4.0,
    "low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"},"rope_theta":500000.0,
    "tie_word_embeddings":true,"torch_dtype":"bfloat16","transformers_version":"4.45.0.dev0","use_cache":true,
    "vocab_size":128256})", "Llama-3.2-1B/config.json");
  EXPECT_EQ(llama.model_type, "llama");
  ASSERT_TRUE(llama.rope_scaling);
  EXPECT_EQ(llama.rope_scaling->rope_type, "llama3");
  EXPECT_EQ(llama.rope_scaling->original_max_position_embeddings, 8192);
  EXPECT_TRUE(llama.tie_word_embeddings);
  EXPECT_FALSE(llama.qkv_bias);
  EXPECT_EQ(llama.layer_window(0), 0);
  EXPECT_EQ(llama.torch_dtype, "bfloat16");

  LlamaConfig qwen = LlamaConfig::from_json(R"({"architectures":["Qwen2ForCausalLM"],"attention_dropout":0.0,
    "bos_token_id":151643,"eos_token_id":151645,"hidden_act":"silu","hidden_size":896,"initializer_range":0.02,
    "intermediate_size":4864,"max_position_embeddings":32768,"max_window_layers":21,"model_type":"qwen2",
    "num_attention_heads":14,"num_hidden_layers":24,"num_key_value_heads":2,"rms_norm_eps":1e-06,
    "rope_theta":1000000.0,"sliding_window":32768,"tie_word_embeddings":true,"torch_dtype":"bfloat16",
    "transformers_version":"4.43.1","use_cache":true,"use_sliding_window":false,"vocab_size":151936})",
                                            "Qwen2.5-0.5B-Instruct/config.json");
  EXPECT_EQ(qwen.model_type, "qwen2");
  EXPECT_TRUE(qwen.qkv_bias);
  EXPECT_FALSE(qwen.o_bias);
  EXPECT_EQ(qwen.head_dim, 64);
  EXPECT_EQ(qwen.layer_window(23), 0) << "use_sliding_window false: full attention";
  EXPECT_TRUE(qwen.tie_word_embeddings);

  LlamaConfig mistral = LlamaConfig::from_json(R"({"architectures":["MistralForCausalLM"],"bos_token_id":1,
    "eos_token_id":2,"hidden_act":"silu","hidden_size":4096,"initializer_range":0.02,"intermediate_size":14336,
    "max_position_embeddings":32768,"model_type":"mistral","num_attention_heads":32,"num_hidden_layers":32,
    "num_key_value_heads":8,"rms_norm_eps":1e-05,"rope_theta":10000.0,"sliding_window":4096,
    "tie_word_embeddings":false,"torch_dtype":"bfloat16","transformers_version":"4.34.0.dev0","use_cache":true,
    "vocab_size":32000})", "Mistral-7B-v0.1/config.json");
  EXPECT_EQ(mistral.layer_window(0), 4096);
  EXPECT_EQ(mistral.layer_window(31), 4096);
  EXPECT_FALSE(mistral.qkv_bias);

  LlamaConfig mistral3 = LlamaConfig::from_json(R"({"architectures":["MistralForCausalLM"],"bos_token_id":1,
    "eos_token_id":2,"hidden_act":"silu","hidden_size":4096,"intermediate_size":14336,
    "max_position_embeddings":32768,"model_type":"mistral","num_attention_heads":32,"num_hidden_layers":32,
    "num_key_value_heads":8,"rms_norm_eps":1e-05,"rope_theta":1000000.0,"sliding_window":null,
    "tie_word_embeddings":false,"torch_dtype":"bfloat16","vocab_size":32768})", "Mistral-7B-Instruct-v0.3/config.json");
  EXPECT_EQ(mistral3.layer_window(0), 0);

  LlamaConfig phi = LlamaConfig::from_json(R"({"_name_or_path":"Phi-3-mini-4k-instruct",
    "architectures":["Phi3ForCausalLM"],"attention_bias":false,"attention_dropout":0.0,"bos_token_id":1,
    "embd_pdrop":0.0,"eos_token_id":32000,"hidden_act":"silu","hidden_size":3072,"initializer_range":0.02,
    "intermediate_size":8192,"max_position_embeddings":4096,"model_type":"phi3","num_attention_heads":32,
    "num_hidden_layers":32,"num_key_value_heads":32,"original_max_position_embeddings":4096,"pad_token_id":32000,
    "resid_pdrop":0.0,"rms_norm_eps":1e-05,"rope_scaling":null,"rope_theta":10000.0,"sliding_window":2047,
    "tie_word_embeddings":false,"torch_dtype":"bfloat16","transformers_version":"4.40.2","use_cache":true,
    "vocab_size":32064})", "Phi-3-mini-4k-instruct/config.json");
  EXPECT_TRUE(phi.fused_projections);
  EXPECT_EQ(phi.layer_window(5), 2047);
  EXPECT_EQ(phi.head_dim, 96);

  // Phi-3.5-mini-instruct's keys (its 48 short and long factors replaced by stand-ins): served
  // within the original 4096 positions, with sqrt(1 + ln 32 / ln 4096) on cos and sin.
  std::string factors;
  for (int i = 0; i < 48; ++i) factors += (i ? "," : "") + std::to_string(1.0 + 0.01 * i);
  LlamaConfig phi35 = LlamaConfig::from_json(R"({"architectures":["Phi3ForCausalLM"],"bos_token_id":1,
    "eos_token_id":32000,"hidden_act":"silu","hidden_size":3072,"intermediate_size":8192,
    "max_position_embeddings":131072,"model_type":"phi3","num_attention_heads":32,"num_hidden_layers":32,
    "num_key_value_heads":32,"original_max_position_embeddings":4096,"rms_norm_eps":1e-05,
    "rope_scaling":{"long_factor":[)" + factors + R"(],"short_factor":[)" + factors + R"(],"type":"longrope"},
    "rope_theta":10000.0,"sliding_window":262144,"vocab_size":32064})", "Phi-3.5-mini-instruct/config.json");
  ASSERT_TRUE(phi35.rope_scaling);
  EXPECT_EQ(phi35.rope_scaling->rope_type, "longrope");
  EXPECT_EQ(phi35.max_position_embeddings, 4096);
  EXPECT_NEAR(phi35.rope_scaling->attention_factor, std::sqrt(1.0 + std::log(32.0) / std::log(4096.0)), 1e-12);
  EXPECT_NEAR(phi35.rope_scaling->attention_factor, 1.1902380714238083, 1e-12);  // as transformers computes it

  // Qwen2.5's long-context setting as its model card gives it: 4 × 32768 positions, 0.1 ln 4 + 1.
  LlamaConfig qwen_yarn = LlamaConfig::from_json(R"({"architectures":["Qwen2ForCausalLM"],"hidden_size":896,
    "intermediate_size":4864,"max_position_embeddings":32768,"model_type":"qwen2","num_attention_heads":14,
    "num_hidden_layers":24,"num_key_value_heads":2,"rope_theta":1000000.0,"vocab_size":151936,
    "rope_scaling":{"factor":4.0,"original_max_position_embeddings":32768,"type":"yarn"}})", "Qwen2.5/config.json");
  EXPECT_EQ(qwen_yarn.max_position_embeddings, 131072);
  EXPECT_NEAR(qwen_yarn.rope_scaling->attention_factor, 1.1386294361119891, 1e-12);
}

TEST(FamilyConfig, UnsupportedSettingsAreNamed) {
  auto error_of = [](const std::string& json) {
    try {
      LlamaConfig::from_json(json, "config.json");
    } catch (const sdk::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string sizes = R"("vocab_size":100,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":1,
    "num_attention_heads":4)";
  EXPECT_NE(error_of("{" + sizes + R"(,"model_type":"gemma2"})").find("\"model_type\": \"gemma2\" is not supported"),
            std::string::npos);
  EXPECT_NE(error_of("{" + sizes + R"(,"rope_scaling":{"type":"dynamic","factor":2.0}})")
                .find("rope_type \"dynamic\" is not supported"),
            std::string::npos);
  // longrope needs head_dim / 2 factors of each kind and the original context.
  EXPECT_NE(error_of("{" + sizes + R"(,"model_type":"phi3","rope_scaling":{"type":"longrope","short_factor":[1,1],)"
                                   R"("long_factor":[1,1,1,1]},"original_max_position_embeddings":16})")
                .find("\"short_factor\", a list of head_dim / 2 = 4 numbers"),
            std::string::npos);
  EXPECT_NE(error_of("{" + sizes + R"(,"model_type":"phi3","rope_scaling":{"type":"longrope","short_factor":[1,1,1,1],)"
                                   R"("long_factor":[1,1,1,1]}})")
                .find("original_max_position_embeddings"),
            std::string::npos);
  EXPECT_NE(error_of("{" + sizes + R"(,"rope_scaling":{"type":"yarn","factor":4,"mscale":0.7}})").find("\"mscale\""),
            std::string::npos);
  EXPECT_NE(error_of("{" + sizes + R"(,"model_type":"phi3","partial_rotary_factor":0.75})").find("partial_rotary_factor"),
            std::string::npos);
  EXPECT_NE(error_of("{" + sizes + R"(,"mlp_bias":true})").find("\"mlp_bias\""), std::string::npos);
  EXPECT_NE(error_of("{" + sizes + R"(,"model_type":"qwen2","use_sliding_window":true,"sliding_window":0})")
                .find("sliding_window"),
            std::string::npos);
}

// Llama's attention_bias puts biases on q, k, v and o; a decoder ignoring any of them disagrees.
TEST(FamilyCheckpointExtra, LlamaAttentionBias) {
  ScratchDir dir;
  LlamaConfig c = tiny("llama");
  c.qkv_bias = c.o_bias = true;
  RandomLlamaOptions options;
  options.seed = 3;
  write_random_llama(dir.path(), c, options);
  LlamaModel model = LlamaModel::load(dir.path());
  FamilyReference reference(dir.path());
  const std::vector<int32_t> tokens = prompt_of(12, c.vocab_size);
  std::vector<std::vector<double>> expected = reference.logprobs(tokens);
  Logits ours = model.full_logits(tokens);
  double worst = 0;
  for (int64_t t = 0; t < ours.rows(); ++t) {
    std::vector<double> lp = log_softmax(ours.row(t), ours.vocab);
    for (int64_t v = 0; v < ours.vocab; ++v) worst = std::max(worst, std::fabs(lp[v] - expected[t][v]));
  }
  EXPECT_LT(worst, kLogprobTolerance);
}

// A shard named by the index but absent from the folder is named in the error.
TEST(FamilyCheckpointExtra, MissingShardIsNamed) {
  ScratchDir dir;
  RandomLlamaOptions options;
  options.shards = 2;
  write_random_llama(dir.path(), qwen25(), options);
  std::filesystem::remove(dir.file("model-00002-of-00002.safetensors"));
  try {
    LlamaModel::load(dir.path());
    FAIL() << "loaded a checkpoint with a shard missing";
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("model-00002-of-00002.safetensors"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nineteen::models
