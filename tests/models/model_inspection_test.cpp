// `nineteen-models inspect`: a good folder of each kind is servable, and each kind of broken folder
// is reported with the file, key or tensor at fault.
#include "nineteen/models/model_inspection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "nineteen/devnet/child_process.hpp"
#include "nineteen/models/bert_tiny_maker.hpp"
#include "nineteen/models/diffusion_tiny_maker.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/error.hpp"
#include "scratch_dir.hpp"

namespace nineteen::models {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;
using testing_support::ScratchDir;

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += i + "\n";
  return s;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Replaces `"key": old` by `"key": value` in a config.json written by the makers.
void set_key(const std::string& path, const std::string& key, const std::string& value) {
  std::string text = read_all(path);
  std::regex pattern("\"" + key + "\": [^,\\n]*");
  ASSERT_TRUE(std::regex_search(text, pattern)) << key << " not in " << path;
  write_all(path, std::regex_replace(text, pattern, "\"" + key + "\": " + value));
}

std::string make_llm(const ScratchDir& dir, const std::string& name, const std::string& family, int shards = 1,
                     int64_t vocab = 300) {
  TinyLlamaOptions options;
  options.family = family;
  options.shards = shards;
  options.dtype = DType::BF16;
  options.vocab = vocab;
  const std::string out = dir.file(name);
  make_tiny_llama(out, options);
  return out;
}

std::string error_of(const std::string& dir) {
  try {
    inspect_model_dir(dir);
  } catch (const sdk::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ModelInspection, EveryFamilyIsServable) {
  ScratchDir dir;
  for (const char* family : {"llama", "llama3", "qwen2", "mistral", "phi3"}) {
    ModelInspection r = inspect_model_dir(make_llm(dir, family, family, family == std::string("mistral") ? 3 : 1));
    EXPECT_TRUE(r.servable()) << r.text();
    EXPECT_EQ(r.task, "llm");
    EXPECT_TRUE(r.missing.empty() && r.unexpected.empty()) << r.text();
    EXPECT_EQ(r.dtypes.size(), 1u);
    EXPECT_GT(r.dtypes["BF16"], 10u);
  }
  EXPECT_THAT(inspect_model_dir(dir.file("qwen2")).text(), HasSubstr("qwen2 (Qwen2ForCausalLM)"));
  EXPECT_THAT(inspect_model_dir(dir.file("qwen2")).text(), HasSubstr("q/k/v biases"));
  EXPECT_THAT(inspect_model_dir(dir.file("phi3")).text(), HasSubstr("fused qkv_proj/gate_up_proj"));
  EXPECT_THAT(inspect_model_dir(dir.file("mistral")).text(), HasSubstr("sliding window 256 on 2 of 2 layers"));
  EXPECT_EQ(inspect_model_dir(dir.file("mistral")).files, 3u);

  TinyBertOptions bert;
  make_tiny_bert(dir.file("bert"), bert);
  ModelInspection b = inspect_model_dir(dir.file("bert"));
  EXPECT_TRUE(b.servable()) << b.text();
  EXPECT_EQ(b.task, "embeddings");
  EXPECT_THAT(b.family, HasSubstr("sentence-transformers, mean_tokens pooling, normalised"));

  TinyDiffusionOptions diffusion;
  make_tiny_diffusion(dir.file("diffusion"), diffusion);
  ModelInspection d = inspect_model_dir(dir.file("diffusion"));
  EXPECT_TRUE(d.servable()) << d.text();
  EXPECT_EQ(d.task, "image");
}

TEST(ModelInspection, UnidentifiableFoldersAreErrors) {
  ScratchDir dir;
  EXPECT_THAT(error_of(dir.file("nowhere")), HasSubstr("is not a directory"));
  fs::create_directories(dir.file("empty"));
  EXPECT_THAT(error_of(dir.file("empty")), HasSubstr("has no config.json"));

  const std::string llm = make_llm(dir, "llm", "llama");
  std::string config = read_all(llm + "/config.json");
  write_all(llm + "/config.json", std::regex_replace(config, std::regex("\"hidden_size\": [0-9]+,"), ""));
  EXPECT_THAT(error_of(llm), HasSubstr("missing key \"hidden_size\""));
  write_all(llm + "/config.json", std::regex_replace(config, std::regex("\"llama\""), "\"gemma2\""));
  EXPECT_THAT(error_of(llm), HasSubstr("\"model_type\": \"gemma2\" is not supported"));
  write_all(llm + "/config.json", "{ not json");
  EXPECT_THAT(error_of(llm), HasSubstr("config.json"));
}

TEST(ModelInspection, MissingWrongAndUnexpectedTensorsAreListed) {
  ScratchDir dir;
  const std::string llm = make_llm(dir, "llm", "qwen2");
  const std::string config = llm + "/config.json";
  // One more layer than the weights hold: its tensors are missing.
  set_key(config, "num_hidden_layers", "3");
  ModelInspection r = inspect_model_dir(llm);
  EXPECT_FALSE(r.servable());
  EXPECT_THAT(joined(r.missing), HasSubstr("model.layers.2.self_attn.q_proj.bias (expected [64])"));
  EXPECT_EQ(r.missing.size(), 12u) << joined(r.missing);
  // One fewer: the second layer's tensors are unexpected (and ignored: still servable).
  set_key(config, "num_hidden_layers", "1");
  set_key(config, "max_window_layers", "1");
  r = inspect_model_dir(llm);
  EXPECT_TRUE(r.servable()) << r.text();
  EXPECT_THAT(joined(r.unexpected), HasSubstr("model.layers.1.mlp.down_proj.weight"));
  // A different intermediate_size: the MLP tensors have the wrong shape.
  set_key(config, "num_hidden_layers", "2");
  set_key(config, "intermediate_size", "100");
  r = inspect_model_dir(llm);
  EXPECT_FALSE(r.servable());
  EXPECT_THAT(joined(r.wrong_shape), HasSubstr("model.layers.0.mlp.gate_proj.weight: [176, 64] in model.safetensors, "
                                               "expected [100, 64]"));
  // Untied in config.json but no lm_head.weight in the files.
  set_key(config, "intermediate_size", "176");
  set_key(config, "tie_word_embeddings", "false");
  r = inspect_model_dir(llm);
  EXPECT_THAT(joined(r.missing), HasSubstr("lm_head.weight (expected [300, 64])"));
}

TEST(ModelInspection, MissingFilesAreNamed) {
  ScratchDir dir;
  const std::string llm = make_llm(dir, "llm", "mistral", 2);
  fs::remove(llm + "/model-00001-of-00002.safetensors");
  ModelInspection r = inspect_model_dir(llm);
  EXPECT_FALSE(r.servable());
  EXPECT_THAT(joined(r.problems), HasSubstr("model-00001-of-00002.safetensors"));

  const std::string plain = make_llm(dir, "plain", "llama");
  fs::remove(plain + "/tokenizer.json");
  r = inspect_model_dir(plain);
  EXPECT_FALSE(r.servable());
  EXPECT_THAT(joined(r.problems), HasSubstr("tokenizer.json is missing"));

  // A tokenizer with more ids than the model's vocabulary belongs to another model.
  const std::string other = make_llm(dir, "other", "llama");
  const std::string bigger = make_llm(dir, "bigger", "llama", 1, 400);
  fs::copy_file(bigger + "/tokenizer.json", other + "/tokenizer.json", fs::copy_options::overwrite_existing);
  r = inspect_model_dir(other);
  EXPECT_THAT(joined(r.problems), HasSubstr("the tokenizer does not belong to this model"));

  // No chat template: still servable (completions only), said in a note.
  const std::string bare = make_llm(dir, "bare", "llama");
  fs::remove(bare + "/tokenizer_config.json");
  r = inspect_model_dir(bare);
  EXPECT_TRUE(r.servable()) << r.text();
  EXPECT_THAT(joined(r.notes), HasSubstr("no chat completions"));

  TinyBertOptions bert;
  make_tiny_bert(dir.file("bert"), bert);
  fs::remove(dir.file("bert/tokenizer.json"));
  r = inspect_model_dir(dir.file("bert"));
  EXPECT_THAT(joined(r.problems), HasSubstr("tokenizer.json is missing"));
  write_all(dir.file("bert/modules.json"),
            R"([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Dense"}])");
  EXPECT_THAT(error_of(dir.file("bert")), HasSubstr("models.Dense"));

  TinyDiffusionOptions diffusion;
  make_tiny_diffusion(dir.file("diffusion"), diffusion);
  fs::remove(dir.file("diffusion/unet/diffusion_pytorch_model.safetensors"));
  r = inspect_model_dir(dir.file("diffusion"));
  EXPECT_FALSE(r.servable());
  EXPECT_THAT(joined(r.problems), HasSubstr("unet/diffusion_pytorch_model.safetensors is missing"));
}

// The program: exit 0 and the report for a good folder, 1 and the reasons for a broken one.
TEST(ModelInspection, ProgramExitCodes) {
  ScratchDir dir;
  const std::string llm = make_llm(dir, "llm", "phi3");
  auto run = [](const std::string& command, std::string& output) {
    int code;
    std::tie(code, output) = devnet::ChildProcess::run_shell(command + " 2>&1");
    return code;
  };
  const std::string program = std::string("'") + NINETEEN_MODELS_PROGRAM + "' inspect ";
  std::string out;
  EXPECT_EQ(run(program + "'" + llm + "'", out), 0) << out;
  EXPECT_THAT(out, HasSubstr("servable: yes, by the llm task"));
  fs::remove(llm + "/model.safetensors");
  EXPECT_EQ(run(program + "'" + llm + "'", out), 1) << out;
  EXPECT_THAT(out, HasSubstr("servable: no"));
  EXPECT_THAT(out, HasSubstr("holds no weights: expected model.safetensors"));
  EXPECT_EQ(run(program + "'" + dir.file("none") + "'", out), 1) << out;
  EXPECT_THAT(out, HasSubstr("is not a directory"));
}

}  // namespace
}  // namespace nineteen::models
