// The GGUF export (gguf_writer.hpp), read back by a small reader written here from the format's
// description (not the writer's code): header, metadata, tensor infos, offsets aligned, data as
// the checkpoint holds it (Q/K rows in llama.cpp's interleaved rope order), F16 within half
// rounding, Q8_0 within half a step of its block's scale. Where node and bench/llama-cpp-js's
// node-llama-cpp are installed, llama.cpp itself runs the tiny model's F32 export and must produce
// the same greedy tokens as our f32 decoder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <variant>

#include "nineteen/devnet/child_process.hpp"
#include "nineteen/models/gguf_writer.hpp"
#include "nineteen/models/llama_model.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/models/tiny_llama_maker.hpp"
#include "nineteen/sdk/error.hpp"
#include "scratch_dir.hpp"

namespace nineteen::models {
namespace {

namespace fs = std::filesystem;
using testing_support::ScratchDir;

// ---- An independent GGUF reader --------------------------------------------------------------

using GgufValue = std::variant<uint64_t, int64_t, double, bool, std::string, std::vector<std::string>,
                               std::vector<int64_t>>;

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // innermost first
  uint32_t type = 0;
  uint64_t offset = 0;
};

struct GgufFile {
  uint32_t version = 0;
  std::map<std::string, GgufValue> metadata;
  std::vector<std::string> key_order;
  std::vector<GgufTensorInfo> tensors;
  uint64_t data_start = 0;
  std::string bytes;

  const GgufTensorInfo& tensor(const std::string& name) const {
    for (const auto& t : tensors) {
      if (t.name == name) return t;
    }
    throw std::runtime_error("no tensor " + name);
  }
  const std::byte* data(const GgufTensorInfo& t) const {
    return reinterpret_cast<const std::byte*>(bytes.data() + data_start + t.offset);
  }
  uint64_t u(const std::string& key) const { return std::get<uint64_t>(metadata.at(key)); }
  double f(const std::string& key) const { return std::get<double>(metadata.at(key)); }
  std::string s(const std::string& key) const { return std::get<std::string>(metadata.at(key)); }
};

class Cursor {
 public:
  explicit Cursor(const std::string& b) : b_(b) {}
  template <typename T>
  T get() {
    if (pos_ + sizeof(T) > b_.size()) throw std::runtime_error("GGUF truncated at byte " + std::to_string(pos_));
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string str() {
    uint64_t n = get<uint64_t>();
    if (pos_ + n > b_.size()) throw std::runtime_error("GGUF string runs past the end");
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }

 private:
  const std::string& b_;
  size_t pos_ = 0;
};

GgufValue read_scalar(Cursor& c, uint32_t type) {
  switch (type) {
    case 0: return uint64_t(c.get<uint8_t>());
    case 1: return int64_t(c.get<int8_t>());
    case 2: return uint64_t(c.get<uint16_t>());
    case 3: return int64_t(c.get<int16_t>());
    case 4: return uint64_t(c.get<uint32_t>());
    case 5: return int64_t(c.get<int32_t>());
    case 6: return double(c.get<float>());
    case 7: return c.get<uint8_t>() != 0;
    case 8: return c.str();
    case 10: return c.get<uint64_t>();
    case 11: return c.get<int64_t>();
    case 12: return c.get<double>();
  }
  throw std::runtime_error("GGUF value type " + std::to_string(type));
}

GgufFile read_gguf(const std::string& path) {
  GgufFile g;
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  g.bytes = ss.str();
  Cursor c(g.bytes);
  if (g.bytes.compare(0, 4, "GGUF") != 0) throw std::runtime_error("no GGUF magic");
  c.get<uint32_t>();
  g.version = c.get<uint32_t>();
  const uint64_t tensor_count = c.get<uint64_t>(), kv_count = c.get<uint64_t>();
  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string key = c.str();
    uint32_t type = c.get<uint32_t>();
    if (type == 9) {
      uint32_t element = c.get<uint32_t>();
      uint64_t n = c.get<uint64_t>();
      if (element == 8) {
        std::vector<std::string> v;
        for (uint64_t j = 0; j < n; ++j) v.push_back(c.str());
        g.metadata[key] = v;
      } else {
        std::vector<int64_t> v;
        for (uint64_t j = 0; j < n; ++j) {
          GgufValue x = read_scalar(c, element);
          v.push_back(std::holds_alternative<uint64_t>(x) ? int64_t(std::get<uint64_t>(x)) : std::get<int64_t>(x));
        }
        g.metadata[key] = v;
      }
    } else {
      g.metadata[key] = read_scalar(c, type);
    }
    g.key_order.push_back(key);
  }
  for (uint64_t i = 0; i < tensor_count; ++i) {
    GgufTensorInfo t;
    t.name = c.str();
    uint32_t n_dims = c.get<uint32_t>();
    for (uint32_t d = 0; d < n_dims; ++d) t.dims.push_back(c.get<uint64_t>());
    t.type = c.get<uint32_t>();
    t.offset = c.get<uint64_t>();
    g.tensors.push_back(t);
  }
  uint64_t alignment = g.metadata.count("general.alignment") ? g.u("general.alignment") : 32;
  g.data_start = (c.pos() + alignment - 1) / alignment * alignment;
  return g;
}

uint64_t element_count(const GgufTensorInfo& t) {
  uint64_t n = 1;
  for (uint64_t d : t.dims) n *= d;
  return n;
}

uint64_t byte_size(const GgufTensorInfo& t) {
  uint64_t n = element_count(t);
  return t.type == 0 ? n * 4 : t.type == 1 ? n * 2 : n / 32 * 34;
}

// IEEE half to float, written independently of the writer's: sign, exponent and mantissa by formula.
double half_value(uint16_t h) {
  int sign = (h >> 15) ? -1 : 1, exponent = (h >> 10) & 31, mantissa = h & 1023;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? std::nan("") : sign * std::numeric_limits<double>::infinity();
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

std::vector<float> checkpoint_f32(const TensorView& t) {
  EXPECT_EQ(t.dtype, DType::F32);
  std::vector<float> v(size_t(t.element_count()));
  std::memcpy(v.data(), t.data, v.size() * 4);
  return v;
}

// The row of a Hugging Face q/k weight that llama.cpp's layout puts at `row`: within each head,
// GGUF row 2i + j holds Hugging Face row j * head_dim / 2 + i.
int64_t hf_row_of(int64_t row, int64_t head_dim) {
  int64_t head = row / head_dim, r = row % head_dim;
  return head * head_dim + (r % 2) * (head_dim / 2) + r / 2;
}

class GgufExport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    TinyLlamaOptions o;  // the tiny model: hidden 64, intermediate 176 (not a multiple of 32)
    make_tiny_llama(dir_->file("tiny"), o);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string model() { return dir_->file("tiny"); }
  static std::string out(const std::string& name) { return dir_->file(name); }
  static ScratchDir* dir_;
};
ScratchDir* GgufExport::dir_ = nullptr;

TEST_F(GgufExport, HeaderMetadataAndTensorLayoutReadBack) {
  GgufExportOptions options;
  options.type = GgufType::F32;
  GgufExportSummary summary = export_gguf(model(), out("f32.gguf"), options);
  GgufFile g = read_gguf(out("f32.gguf"));
  LlamaConfig c = LlamaConfig::from_model_dir(model());

  EXPECT_EQ(g.version, 3u);
  EXPECT_EQ(g.s("general.architecture"), "llama");
  EXPECT_EQ(g.u("general.alignment"), 32u);
  EXPECT_EQ(g.u("general.file_type"), 0u);
  EXPECT_EQ(g.u("llama.context_length"), uint64_t(c.max_position_embeddings));
  EXPECT_EQ(g.u("llama.embedding_length"), 64u);
  EXPECT_EQ(g.u("llama.block_count"), 2u);
  EXPECT_EQ(g.u("llama.feed_forward_length"), 176u);
  EXPECT_EQ(g.u("llama.attention.head_count"), 4u);
  EXPECT_EQ(g.u("llama.attention.head_count_kv"), 2u);
  EXPECT_EQ(g.u("llama.rope.dimension_count"), 16u);
  EXPECT_FLOAT_EQ(float(g.f("llama.attention.layer_norm_rms_epsilon")), 1e-5f);
  EXPECT_FLOAT_EQ(float(g.f("llama.rope.freq_base")), float(c.rope_theta));
  EXPECT_EQ(g.s("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(g.s("tokenizer.ggml.pre"), "llama-bpe");
  EXPECT_EQ(g.u("tokenizer.ggml.bos_token_id"), uint64_t(*c.bos_token_id));
  EXPECT_THAT(c.eos_token_ids, ::testing::Contains(int32_t(g.u("tokenizer.ggml.eos_token_id"))));
  EXPECT_THAT(g.s("tokenizer.chat_template"), ::testing::HasSubstr("<|start_header_id|>"));

  // The vocabulary: every id of the model, the tokenizer's strings at their ids, specials as control.
  const auto& tokens = std::get<std::vector<std::string>>(g.metadata.at("tokenizer.ggml.tokens"));
  const auto& types = std::get<std::vector<int64_t>>(g.metadata.at("tokenizer.ggml.token_type"));
  const auto& merges = std::get<std::vector<std::string>>(g.metadata.at("tokenizer.ggml.merges"));
  ASSERT_EQ(tokens.size(), size_t(c.vocab_size));
  ASSERT_EQ(types.size(), tokens.size());
  EXPECT_EQ(tokens[size_t(*c.bos_token_id)], "<|begin_of_text|>");
  EXPECT_EQ(types[size_t(*c.bos_token_id)], 3);  // control
  EXPECT_EQ(tokens[65], "A");                     // byte-level: ids 0..255 are the bytes,
  EXPECT_EQ(tokens[32], "\xC4\xA0");             // in GPT-2's printable spelling (space: U+0120)
  EXPECT_EQ(types[65], 1);
  EXPECT_FALSE(merges.empty());
  EXPECT_EQ(merges.front().find(' ') != std::string::npos, true);

  // Tensors: llama.cpp's names, dims innermost first, offsets aligned and in bounds, not overlapping.
  ASSERT_EQ(g.tensors.size(), summary.tensors);
  ASSERT_EQ(g.tensors.size(), size_t(2 + 9 * 2 + 1));
  EXPECT_EQ(g.tensors.front().name, "token_embd.weight");
  EXPECT_THAT(g.tensor("token_embd.weight").dims, ::testing::ElementsAre(64u, 512u));
  EXPECT_THAT(g.tensor("blk.1.ffn_down.weight").dims, ::testing::ElementsAre(176u, 64u));
  EXPECT_THAT(g.tensor("blk.0.attn_k.weight").dims, ::testing::ElementsAre(64u, 32u));
  EXPECT_THAT(g.tensor("output_norm.weight").dims, ::testing::ElementsAre(64u));
  EXPECT_EQ(g.data_start % 32, 0u);
  uint64_t end = 0;
  for (const auto& t : g.tensors) {
    EXPECT_EQ(t.type, 0u) << t.name;
    EXPECT_EQ(t.offset % 32, 0u) << t.name;
    EXPECT_GE(t.offset, end) << t.name << " overlaps the tensor before it";
    end = t.offset + byte_size(t);
  }
  EXPECT_LE(g.data_start + end, g.bytes.size());
  EXPECT_EQ(g.bytes.size(), summary.file_bytes);

  // Data: as the checkpoint holds it; q and k rows moved to llama.cpp's rope order.
  SafetensorsSet weights = SafetensorsSet::open_dir(model());
  auto expect_same = [&](const std::string& gguf, const std::string& hf, int64_t head_dim) {
    std::vector<float> want = checkpoint_f32(*weights.find(hf));
    const GgufTensorInfo& t = g.tensor(gguf);
    const int64_t cols = int64_t(t.dims[0]), rows = int64_t(want.size()) / cols;
    std::vector<float> got(want.size());
    std::memcpy(got.data(), g.data(t), got.size() * 4);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t from = head_dim ? hf_row_of(r, head_dim) : r;
      for (int64_t k = 0; k < cols; ++k) {
        ASSERT_EQ(got[size_t(r * cols + k)], want[size_t(from * cols + k)]) << gguf << " row " << r << " col " << k;
      }
    }
  };
  expect_same("token_embd.weight", "model.embed_tokens.weight", 0);
  expect_same("blk.0.attn_q.weight", "model.layers.0.self_attn.q_proj.weight", 16);
  expect_same("blk.1.attn_k.weight", "model.layers.1.self_attn.k_proj.weight", 16);
  expect_same("blk.1.attn_v.weight", "model.layers.1.self_attn.v_proj.weight", 0);
  expect_same("blk.0.ffn_down.weight", "model.layers.0.mlp.down_proj.weight", 0);
  expect_same("output.weight", "lm_head.weight", 0);
  expect_same("output_norm.weight", "model.norm.weight", 0);
}

TEST_F(GgufExport, F16AndQ8_0StayWithinTheirRoundingBounds) {
  SafetensorsSet weights = SafetensorsSet::open_dir(model());
  {
    GgufExportOptions options;
    options.type = GgufType::F16;
    export_gguf(model(), out("f16.gguf"), options);
    GgufFile g = read_gguf(out("f16.gguf"));
    EXPECT_EQ(g.u("general.file_type"), 1u);
    EXPECT_EQ(g.tensor("blk.0.attn_norm.weight").type, 0u);  // norms stay F32
    const GgufTensorInfo& t = g.tensor("blk.0.ffn_gate.weight");
    ASSERT_EQ(t.type, 1u);
    std::vector<float> want = checkpoint_f32(*weights.find("model.layers.0.mlp.gate_proj.weight"));
    for (size_t i = 0; i < want.size(); ++i) {
      uint16_t h;
      std::memcpy(&h, g.data(t) + 2 * i, 2);
      // Round to nearest: within half a unit in the last place (2^-11 relative for normal halves).
      ASSERT_LE(std::fabs(half_value(h) - want[i]), std::fabs(want[i]) * std::ldexp(1.0, -11) + std::ldexp(1.0, -25))
          << "element " << i;
    }
  }
  GgufExportOptions options;
  options.type = GgufType::Q8_0;
  GgufExportSummary summary = export_gguf(model(), out("q8.gguf"), options);
  GgufFile g = read_gguf(out("q8.gguf"));
  EXPECT_EQ(g.u("general.file_type"), 7u);
  // intermediate 176 is not a multiple of 32: ffn_down (rows of 176) falls back to F16.
  EXPECT_EQ(g.tensor("blk.0.ffn_down.weight").type, 1u);
  EXPECT_EQ(summary.f16_fallback_tensors, 2u);
  EXPECT_EQ(g.tensor("blk.0.attn_norm.weight").type, 0u);
  for (const char* name : {"token_embd.weight", "blk.0.ffn_gate.weight", "blk.1.attn_output.weight", "output.weight"}) {
    const GgufTensorInfo& t = g.tensor(name);
    ASSERT_EQ(t.type, 8u) << name;
    EXPECT_EQ(t.offset % 32, 0u);
  }
  const GgufTensorInfo& t = g.tensor("blk.1.ffn_up.weight");
  std::vector<float> want = checkpoint_f32(*weights.find("model.layers.1.mlp.up_proj.weight"));
  ASSERT_EQ(element_count(t), want.size());
  for (size_t b = 0; b < want.size() / 32; ++b) {
    const std::byte* block = g.data(t) + b * 34;
    uint16_t dh;
    std::memcpy(&dh, block, 2);
    const double d16 = half_value(dh);
    double amax = 0;
    for (size_t j = 0; j < 32; ++j) amax = std::max(amax, double(std::fabs(want[b * 32 + j])));
    const double d = amax / 127;
    // The value is q × d16; q = round(x / d), so |x - q·d| <= d/2, plus |q| <= 127 times the
    // rounding of d to half precision.
    const double bound = d / 2 + 127 * std::fabs(d - d16) + 1e-12;
    for (size_t j = 0; j < 32; ++j) {
      int8_t q;
      std::memcpy(&q, block + 2 + j, 1);
      ASSERT_LE(std::fabs(q * d16 - want[b * 32 + j]), bound) << "block " << b << " element " << j;
    }
  }
}

TEST(GgufHalf, RoundsToNearestEvenAndKeepsSpecials) {
  EXPECT_EQ(float_to_half(0.0f), 0x0000);
  EXPECT_EQ(float_to_half(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);
  EXPECT_EQ(float_to_half(65520.0f), 0x7C00);  // rounds past the largest half
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);  // a tie rounds to even (zero)
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3C00);  // tie to even
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
  for (uint32_t h = 0; h < 0x7C00; ++h) {  // every finite half survives the round trip
    ASSERT_EQ(float_to_half(half_to_float(uint16_t(h))), h);
    ASSERT_EQ(double(half_to_float(uint16_t(h))), half_value(uint16_t(h)));
  }
}

TEST(GgufExportErrors, UnsupportedCheckpointsAndTypesNameTheProblem) {
  ScratchDir dir;
  TinyLlamaOptions o;
  o.family = "qwen2";
  make_tiny_llama(dir.file("qwen2"), o);
  try {
    export_gguf(dir.file("qwen2"), dir.file("x.gguf"), {});
    FAIL() << "a qwen2 checkpoint was exported as llama";
  } catch (const sdk::Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("model_type \"llama\" only"));
  }
  EXPECT_THROW(export_gguf(dir.file("missing"), dir.file("x.gguf"), {}), sdk::Error);
  EXPECT_THROW(parse_gguf_type("q4_0"), sdk::Error);
  EXPECT_EQ(parse_gguf_type("q8_0"), GgufType::Q8_0);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(GgufExport, TheProgramWritesTheSameBytesAndRefusesAnUnknownType) {
  const std::string program = std::string("'") + NINETEEN_MODELS_PROGRAM + "' export-gguf '" + model() + "' ";
  const std::string cmd = program + "'" + out("cli-q8.gguf") + "' --type q8_0 >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  GgufExportOptions options;
  options.type = GgufType::Q8_0;
  export_gguf(model(), out("lib-q8.gguf"), options);
  EXPECT_EQ(read_all(out("cli-q8.gguf")), read_all(out("lib-q8.gguf")));  // deterministic
  const std::string bad = program + "'" + out("bad.gguf") + "' --type q4_0 2>&1";
  const auto [code, text] = devnet::ChildProcess::run_shell(bad);
  EXPECT_EQ(code, 2) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("f32, f16 or q8_0"));
  EXPECT_FALSE(fs::exists(out("bad.gguf")));
}

// ---- llama.cpp itself on the F32 export --------------------------------------------------------

const std::string kLlamaCppJs = NINETEEN_LLAMA_CPP_JS_DIR;

std::string why_llama_cpp_skipped() {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    return "node is not installed (tools/bootstrap.sh installs it): llama.cpp cross-check skipped";
  }
  for (const char* package : {"node-llama-cpp", "@node-llama-cpp/linux-x64"}) {
    if (!fs::exists(kLlamaCppJs + "/node_modules/" + package + "/package.json")) {
      return std::string(package) + " is not installed in " + kLlamaCppJs +
             " (run tools/bootstrap.sh, or npm ci --omit=optional there): llama.cpp cross-check skipped";
    }
  }
  return "";
}

std::vector<int32_t> our_greedy(const LlamaModel& model, const std::vector<int32_t>& prompt, int n) {
  KvCache cache = model.new_cache(1, int64_t(prompt.size()) + n + 1);
  Logits l = model.forward({prompt}, cache);
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    const float* row = l.last_row(0);
    int32_t best = int32_t(std::max_element(row, row + l.vocab) - row);
    out.push_back(best);
    l = model.forward({{best}}, cache);
  }
  return out;
}

TEST(LlamaCppCrossCheck, SameGreedyTokensAsOurF32DecoderOnTheF32Export) {
  std::string why = why_llama_cpp_skipped();
  if (!why.empty()) GTEST_SKIP() << why;
  ScratchDir dir;
  make_tiny_llama(dir.file("tiny"), {});
  GgufExportOptions options;
  options.type = GgufType::F32;
  export_gguf(dir.file("tiny"), dir.file("tiny-f32.gguf"), options);

  const std::vector<std::vector<int32_t>> prompts = {
      {507, 40, 41, 42}, {1, 2, 3}, {507, 300, 17, 250, 99, 12, 480, 33}, {200}};
  const int n = 24;
  std::string command = "cd '" + kLlamaCppJs + "' && node llama_cpp.mjs greedy --model '" + dir.file("tiny-f32.gguf") +
                        "' --kv f32 --threads 1 --tokens " + std::to_string(n);
  for (const auto& p : prompts) {
    command += " --prompt ";
    for (size_t i = 0; i < p.size(); ++i) command += (i ? "," : "") + std::to_string(p[i]);
  }
  const auto [code, text] = devnet::ChildProcess::run_shell(command);
  ASSERT_EQ(code, 0) << command << "\n" << text;

  LoadOptions load;
  load.storage = WeightStorage::F32;
  LlamaModel model = LlamaModel::load(dir.file("tiny"), load);
  std::istringstream lines(text);
  size_t checked = 0;
  for (std::string line; std::getline(lines, line);) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError()) << line;
    std::vector<int32_t> prompt, theirs;
    for (const auto& v : d["prompt"].GetArray()) prompt.push_back(v.GetInt());
    for (const auto& v : d["tokens"].GetArray()) theirs.push_back(v.GetInt());
    ASSERT_EQ(prompt, prompts[checked]);
    ASSERT_EQ(theirs.size(), size_t(n)) << line;
    EXPECT_EQ(our_greedy(model, prompt, n), theirs) << "prompt " << checked << ": llama.cpp " << line;
    ++checked;
  }
  EXPECT_EQ(checked, prompts.size()) << text;
}

}  // namespace
}  // namespace nineteen::models
