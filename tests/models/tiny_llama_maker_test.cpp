// The tiny-model maker: byte-identical output, variants, and a model that loads, tokenizes,
// renders chats and behaves (stable greedy continuations, seed-dependent sampling).
#include "nineteen/models/tiny_llama_maker.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/sampler.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/chat_template.hpp"
#include "scratch_dir.hpp"

namespace nineteen::models {
namespace {

using testing_support::ScratchDir;
namespace fs = std::filesystem;

const std::vector<std::string> kFiles = {"config.json", "generation_config.json", "model.safetensors",
                                         "tokenizer.json", "tokenizer_config.json"};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<int32_t> continue_text(const LlamaModel& model, const std::vector<int32_t>& prompt,
                                   const SamplingParams& params, int n) {
  KvCache cache = model.new_cache(1, static_cast<int64_t>(prompt.size()) + n);
  Sampler sampler(params);
  Logits l = model.forward({prompt}, cache);
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    int32_t t = sampler.next(l.row(0), l.vocab).token;
    out.push_back(t);
    if (i + 1 < n) l = model.forward({{t}}, cache);
  }
  return out;
}

TEST(TinyLlamaMaker, SameOptionsWriteByteIdenticalFiles) {
  ScratchDir a, b;
  make_tiny_llama(a.path(), {});
  make_tiny_llama(b.path(), {});
  for (const std::string& name : kFiles) {
    std::string x = read_all(a.file(name));
    EXPECT_FALSE(x.empty()) << name;
    EXPECT_EQ(x, read_all(b.file(name))) << name;
  }
}

TEST(TinyLlamaMaker, VariantChangesWeightsNotVocabulary) {
  ScratchDir a, b;
  make_tiny_llama(a.path(), {});
  TinyLlamaOptions other;
  other.variant = 1;
  make_tiny_llama(b.path(), other);
  EXPECT_NE(read_all(a.file("model.safetensors")), read_all(b.file("model.safetensors")));
  EXPECT_EQ(read_all(a.file("tokenizer.json")), read_all(b.file("tokenizer.json")));
  EXPECT_EQ(read_all(a.file("config.json")), read_all(b.file("config.json")));
}

TEST(TinyLlamaMaker, ModelTokenizerAndTemplateWorkTogether) {
  ScratchDir dir;
  std::vector<std::string> progress;
  TinyLlamaOptions options;
  options.progress = [&](const std::string& line) { progress.push_back(line); };
  LlamaConfig made = make_tiny_llama(dir.path(), options);
  EXPECT_FALSE(progress.empty());

  LlamaModel model = LlamaModel::load(dir.path());
  EXPECT_EQ(model.config().vocab_size, 512);
  EXPECT_EQ(model.config().hidden_size, 64);
  text::BpeTokenizer tokenizer = text::BpeTokenizer::from_file(dir.file("tokenizer.json"));
  EXPECT_LE(tokenizer.vocab_size(), 512u);
  ASSERT_TRUE(made.bos_token_id.has_value());
  EXPECT_EQ(tokenizer.token_id("<|begin_of_text|>"), made.bos_token_id);
  std::optional<int32_t> eot = tokenizer.token_id("<|eot_id|>");
  ASSERT_TRUE(eot.has_value());
  EXPECT_TRUE(model.config().is_eos(*eot));

  text::ChatTemplate chat = text::ChatTemplate::from_model_dir(dir.path());
  std::string prompt_text = chat.render({{"system", "Be brief."}, {"user", "Why is the sky blue?"}});
  std::vector<int32_t> prompt = tokenizer.encode(prompt_text);
  EXPECT_EQ(prompt.front(), *made.bos_token_id);
  // The learnt vocabulary compresses its own kind of text well below one token per byte.
  std::string english = "The weather today will be sunny, and the children walk home across the field.";
  EXPECT_LT(tokenizer.encode(english).size(), english.size() / 2);

  SamplingParams greedy;
  greedy.temperature = 0.0;
  std::vector<int32_t> g1 = continue_text(model, prompt, greedy, 24);
  EXPECT_EQ(g1, continue_text(model, prompt, greedy, 24));
  // Greedy text from a peaked model does not collapse into one repeated token.
  EXPECT_GT(std::set<int32_t>(g1.begin(), g1.end()).size(), 4u);
  SamplingParams warm;
  warm.temperature = 1.0;
  warm.seed = 1;
  std::vector<int32_t> s1 = continue_text(model, prompt, warm, 24);
  warm.seed = 2;
  std::vector<int32_t> s2 = continue_text(model, prompt, warm, 24);
  EXPECT_NE(s1, s2);
  EXPECT_FALSE(tokenizer.decode(s1).empty());
}

TEST(TinyLlamaMaker, OtherSizesAndBf16) {
  ScratchDir dir;
  TinyLlamaOptions options;
  options.hidden = 48;
  options.heads = 3;
  options.kv_heads = 1;
  options.layers = 1;
  options.intermediate = 64;
  options.vocab = 300;
  options.dtype = DType::BF16;
  make_tiny_llama(dir.path(), options);
  SafetensorsSet weights = SafetensorsSet::open_dir(dir.path());
  EXPECT_EQ(weights.find("model.embed_tokens.weight")->dtype, DType::BF16);
  LlamaModel model = LlamaModel::load(dir.path());
  EXPECT_EQ(model.config().num_key_value_heads, 1);
  EXPECT_EQ(model.full_logits({1, 2, 3}).vocab, 300);
}

TEST(TinyLlamaMaker, BadOptionsAreNamed) {
  ScratchDir dir;
  auto error_of = [&](TinyLlamaOptions o) -> std::string {
    try {
      make_tiny_llama(dir.path(), o);
    } catch (const sdk::Error& e) {
      return e.what();
    }
    return "no error";
  };
  TinyLlamaOptions o;
  o.heads = 3;
  EXPECT_THAT(error_of(o), ::testing::HasSubstr("--hidden"));
  o = {};
  o.kv_heads = 3;
  EXPECT_THAT(error_of(o), ::testing::HasSubstr("--kv-heads"));
  o = {};
  o.vocab = 100;
  EXPECT_THAT(error_of(o), ::testing::HasSubstr("--vocab"));
  o = {};
  o.layers = 0;
  EXPECT_THAT(error_of(o), ::testing::HasSubstr("--layers"));
}

TEST(NineteenModelsProgram, MakeTwiceIsByteIdentical) {
  ScratchDir dir;
  std::string program = NINETEEN_MODELS_PROGRAM;
  for (const char* out : {"one", "two"}) {
    std::string cmd = "'" + program + "' make tiny-llama --out '" + dir.file(out) +
                      "' --variant 3 --hidden 32 --layers 1 --heads 2 --kv-heads 1 --intermediate 40 --vocab 300"
                      " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  for (const std::string& name : kFiles) {
    EXPECT_EQ(read_all(dir.file("one/" + name)), read_all(dir.file("two/" + name))) << name;
  }
  EXPECT_EQ(LlamaConfig::from_model_dir(dir.file("one")).hidden_size, 32);
  std::string bad = "'" + program + "' make tiny-llama --out '" + dir.file("x") + "' --hidden ten >/dev/null 2>&1";
  EXPECT_NE(std::system(bad.c_str()), 0);
  EXPECT_FALSE(fs::exists(dir.file("x")));
}

}  // namespace
}  // namespace nineteen::models
