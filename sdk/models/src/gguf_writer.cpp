// export_gguf: a Llama checkpoint to GGUF v3 (see gguf_writer.hpp). The format, as llama.cpp's
// gguf-py and ggml/src/gguf.cpp read it (all little-endian):
//   "GGUF", u32 version 3, u64 tensor count, u64 metadata count,
//   metadata: string key, u32 value type, value (strings are u64 length + bytes; arrays are
//             u32 element type, u64 count, elements),
//   tensor infos: string name, u32 n_dims, u64 dims[n_dims] (innermost first), u32 ggml type,
//             u64 offset of the data from the start of the data section (a multiple of alignment),
//   padding to general.alignment, then the tensors' data, each padded to the alignment.
#include "nineteen/models/gguf_writer.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "nineteen/models/llama_config.hpp"
#include "nineteen/models/safetensors.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/special_token_frame.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

constexpr uint32_t kGgufVersion = 3;
constexpr uint64_t kAlignment = 32;

// GGUF metadata value types (gguf.h: GGUF_TYPE_*).
enum : uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kString = 8,
  kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12
};
// llama.cpp's token types (llama_token_type / gguf TokenType).
enum : int32_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
// llama_ftype: LLAMA_FTYPE_ALL_F32, MOSTLY_F16, MOSTLY_Q8_0.
uint32_t file_type_of(GgufType t) { return t == GgufType::F32 ? 0 : t == GgufType::F16 ? 1 : 7; }

// Little-endian byte sink for the header (this code assumes a little-endian host, as x86 and ARM are).
class Bytes {
 public:
  void u32(uint32_t v) { raw(&v, 4); }
  void i32(int32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void f32(float v) { raw(&v, 4); }
  void boolean(bool v) { uint8_t b = v ? 1 : 0; raw(&b, 1); }
  void str(const std::string& s) { u64(s.size()); raw(s.data(), s.size()); }
  void raw(const void* p, size_t n) { data_.append(static_cast<const char*>(p), n); }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

class Metadata {
 public:
  void u32(const std::string& key, uint32_t v) { head(key, kU32); b_.u32(v); }
  void f32(const std::string& key, float v) { head(key, kF32); b_.f32(v); }
  void boolean(const std::string& key, bool v) { head(key, kBool); b_.boolean(v); }
  void str(const std::string& key, const std::string& v) { head(key, kString); b_.str(v); }
  void strings(const std::string& key, const std::vector<std::string>& v) {
    head(key, kArray);
    b_.u32(kString);
    b_.u64(v.size());
    for (const std::string& s : v) b_.str(s);
  }
  void i32s(const std::string& key, const std::vector<int32_t>& v) {
    head(key, kArray);
    b_.u32(kI32);
    b_.u64(v.size());
    for (int32_t x : v) b_.i32(x);
  }
  uint64_t count() const { return count_; }
  const std::string& data() const { return b_.data(); }

 private:
  void head(const std::string& key, uint32_t type) {
    b_.str(key);
    b_.u32(type);
    ++count_;
  }
  Bytes b_;
  uint64_t count_ = 0;
};

uint64_t align_up(uint64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(NT_INVALID_ARGUMENT, "cannot read " + path.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

float bf16_to_float(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// A tensor's values as f32, whatever the file stores.
std::vector<float> to_f32(const TensorView& t) {
  std::vector<float> out(static_cast<size_t>(t.element_count()));
  if (t.dtype == DType::F32) {
    std::memcpy(out.data(), t.data, out.size() * 4);
  } else {
    for (size_t i = 0; i < out.size(); ++i) {
      uint16_t h;
      std::memcpy(&h, t.data + 2 * i, 2);
      out[i] = t.dtype == DType::F16 ? half_to_float(h) : bf16_to_float(h);
    }
  }
  return out;
}

// Rows of a q_proj / k_proj weight ([heads × head_dim, hidden]) from Hugging Face's rotate-half
// order (within a head: the first halves of all rotation pairs, then the second halves) to
// llama.cpp's interleaved order (pair i at rows 2i, 2i + 1): convert_hf_to_gguf.py's permute().
std::vector<float> permute_rope_rows(const std::vector<float>& w, int64_t heads, int64_t head_dim, int64_t cols) {
  std::vector<float> out(w.size());
  const int64_t half = head_dim / 2;
  for (int64_t h = 0; h < heads; ++h) {
    for (int64_t i = 0; i < half; ++i) {
      for (int64_t j = 0; j < 2; ++j) {
        const float* src = w.data() + (h * head_dim + j * half + i) * cols;
        std::copy(src, src + cols, out.data() + (h * head_dim + 2 * i + j) * cols);
      }
    }
  }
  return out;
}

struct PlannedTensor {
  std::string gguf_name;
  std::string hf_name;
  std::vector<int64_t> hf_shape;  // outermost first, as safetensors stores it
  uint32_t ggml_type = kGgmlTypeF32;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  int64_t rope_heads = 0;  // > 0: permute rows for llama.cpp's rope
};

uint64_t data_bytes(uint32_t type, int64_t elements) {
  if (type == kGgmlTypeF32) return uint64_t(elements) * 4;
  if (type == kGgmlTypeF16) return uint64_t(elements) * 2;
  return uint64_t(elements / kQ8_0BlockSize) * kQ8_0BlockBytes;
}

// The tokenizer, as llama.cpp's "gpt2" (byte-level BPE) vocabulary wants it.
struct GgufVocabulary {
  std::string pre = "default";
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  std::vector<std::string> merges;
};

// The Llama 3 and Qwen2 pre-tokenizer regexes, which llama.cpp knows as "llama-bpe" and "qwen2".
const char* const kLlama3Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char* const kQwen2Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

void find_split_regex(const rapidjson::Value& pre, std::string& regex) {
  if (!pre.IsObject()) return;
  if (pre.HasMember("type") && pre["type"].IsString() && std::string(pre["type"].GetString()) == "Split" &&
      pre.HasMember("pattern") && pre["pattern"].IsObject() && pre["pattern"].HasMember("Regex") &&
      pre["pattern"]["Regex"].IsString()) {
    regex = pre["pattern"]["Regex"].GetString();
  }
  if (pre.HasMember("pretokenizers") && pre["pretokenizers"].IsArray()) {
    for (const auto& p : pre["pretokenizers"].GetArray()) find_split_regex(p, regex);
  }
}

GgufVocabulary read_vocabulary(const fs::path& path, int64_t vocab_size) {
  const std::string what = path.string();
  std::string text = read_text(path);
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("model") || !d["model"].IsObject()) {
    throw Error(NT_INVALID_ARGUMENT, what + ": not a Hugging Face tokenizer.json (no \"model\" object)");
  }
  const rapidjson::Value& model = d["model"];
  if (!model.HasMember("type") || !model["type"].IsString() || std::string(model["type"].GetString()) != "BPE" ||
      !model.HasMember("vocab") || !model["vocab"].IsObject() || !model.HasMember("merges") ||
      !model["merges"].IsArray()) {
    throw Error(NT_INVALID_ARGUMENT, what + ": export-gguf supports byte-level BPE tokenizers only "
                                            "(model.type \"BPE\" with vocab and merges)");
  }
  GgufVocabulary v;
  v.tokens.assign(static_cast<size_t>(vocab_size), "");
  v.types.assign(static_cast<size_t>(vocab_size), kUnused);
  std::vector<bool> seen(static_cast<size_t>(vocab_size), false);
  auto place = [&](int64_t id, const std::string& token, int32_t type) {
    if (id < 0 || id >= vocab_size) {
      throw Error(NT_INVALID_ARGUMENT, what + ": token \"" + token + "\" has id " + std::to_string(id) +
                                           ", outside the model's vocab_size " + std::to_string(vocab_size));
    }
    v.tokens[size_t(id)] = token;
    v.types[size_t(id)] = type;
    seen[size_t(id)] = true;
  };
  for (auto it = model["vocab"].MemberBegin(); it != model["vocab"].MemberEnd(); ++it) {
    if (!it->value.IsInt64()) throw Error(NT_INVALID_ARGUMENT, what + ": model.vocab values must be ids");
    place(it->value.GetInt64(), std::string(it->name.GetString(), it->name.GetStringLength()), kNormal);
  }
  if (d.HasMember("added_tokens") && d["added_tokens"].IsArray()) {
    for (const auto& t : d["added_tokens"].GetArray()) {
      if (!t.IsObject() || !t.HasMember("id") || !t["id"].IsInt64() || !t.HasMember("content") ||
          !t["content"].IsString()) {
        throw Error(NT_INVALID_ARGUMENT, what + ": an added_tokens entry lacks id or content");
      }
      bool special = t.HasMember("special") && t["special"].IsBool() && t["special"].GetBool();
      place(t["id"].GetInt64(), t["content"].GetString(), special ? kControl : kUserDefined);
    }
  }
  // Ids the tokenizer never produces (the model's vocab is larger): named as convert_hf_to_gguf.py does.
  for (int64_t id = 0; id < vocab_size; ++id) {
    if (!seen[size_t(id)]) v.tokens[size_t(id)] = "[PAD" + std::to_string(id) + "]";
  }
  for (const auto& m : model["merges"].GetArray()) {
    if (m.IsString()) {
      v.merges.emplace_back(m.GetString(), m.GetStringLength());
    } else if (m.IsArray() && m.Size() == 2 && m[0].IsString() && m[1].IsString()) {
      v.merges.push_back(std::string(m[0].GetString()) + " " + m[1].GetString());
    } else {
      throw Error(NT_INVALID_ARGUMENT, what + ": model.merges entries must be \"a b\" strings or [a, b] pairs");
    }
  }
  std::string regex;
  if (d.HasMember("pre_tokenizer")) find_split_regex(d["pre_tokenizer"], regex);
  if (regex == kLlama3Regex) v.pre = "llama-bpe";
  else if (regex == kQwen2Regex) v.pre = "qwen2";
  return v;
}

void write_all(std::ofstream& out, const void* p, size_t n, const std::string& path) {
  out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + path + " (disk full or not writable?)");
}

}  // namespace

const char* gguf_type_name(GgufType type) {
  switch (type) {
    case GgufType::F32: return "f32";
    case GgufType::F16: return "f16";
    case GgufType::Q8_0: return "q8_0";
  }
  return "?";
}

GgufType parse_gguf_type(const std::string& text) {
  if (text == "f32") return GgufType::F32;
  if (text == "f16") return GgufType::F16;
  if (text == "q8_0") return GgufType::Q8_0;
  throw Error(NT_INVALID_ARGUMENT, "GGUF type must be f32, f16 or q8_0, got \"" + text + "\"");
}

uint16_t float_to_half(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) {  // infinity or NaN
    return static_cast<uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u | ((abs >> 13) & 0x3FFu) : 0u));
  }
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504: infinity
  if (abs < 0x38800000u) {  // below the smallest normal half (2^-14): a subnormal or zero
    if (abs < 0x33000000u) return static_cast<uint16_t>(sign);  // below half the smallest subnormal
    const uint32_t exponent = abs >> 23;
    const uint32_t mantissa = (abs & 0x7FFFFFu) | 0x800000u;
    const uint32_t shift = 126 - exponent;  // 14 + (127 - 1 - exponent) ... value = mantissa >> (shift)
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = ((abs - 0x38000000u) >> 13);  // rebias exponent 127 -> 15
  const uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent: correct
  return static_cast<uint16_t>(sign | half);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1Fu;
  uint32_t mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mantissa <<= 1;
      } while ((mantissa & 0x400u) == 0);
      bits = sign | uint32_t(127 - 15 - e) << 23 | (mantissa & 0x3FFu) << 13;
    }
  } else {
    bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

void quantize_q8_0(const float* values, int64_t n, std::byte* out) {
  if (n % kQ8_0BlockSize != 0) {
    throw Error(NT_INVALID_ARGUMENT, "Q8_0 needs a multiple of 32 values, got " + std::to_string(n));
  }
  for (int64_t b = 0; b < n / kQ8_0BlockSize; ++b) {
    const float* x = values + b * kQ8_0BlockSize;
    float amax = 0.0f;
    for (int64_t j = 0; j < kQ8_0BlockSize; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const uint16_t dh = float_to_half(d);
    std::byte* block = out + b * kQ8_0BlockBytes;
    std::memcpy(block, &dh, 2);
    for (int64_t j = 0; j < kQ8_0BlockSize; ++j) {
      const int8_t q = static_cast<int8_t>(std::lround(x[j] * id));
      std::memcpy(block + 2 + j, &q, 1);
    }
  }
}

GgufExportSummary export_gguf(const std::string& model_dir, const std::string& out_path,
                              const GgufExportOptions& options) {
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  const fs::path dir(model_dir);
  LlamaConfig c = LlamaConfig::from_model_dir(model_dir);
  const std::string unsupported = model_dir + ": export-gguf writes llama.cpp's \"llama\" architecture and ";
  if (c.model_type != "llama") {
    throw Error(NT_INVALID_ARGUMENT, unsupported + "supports model_type \"llama\" only, not \"" + c.model_type + "\"");
  }
  if (c.qkv_bias || c.o_bias || c.fused_projections) {
    throw Error(NT_INVALID_ARGUMENT, unsupported + "does not support attention biases or fused projections");
  }
  if (c.sliding_window != 0) {
    throw Error(NT_INVALID_ARGUMENT, unsupported + "does not support sliding-window attention");
  }
  if (c.rope_scaling && c.rope_scaling->rope_type != "linear") {
    throw Error(NT_INVALID_ARGUMENT, unsupported + "supports no rope_scaling or \"linear\", not \"" +
                                         c.rope_scaling->rope_type + "\"");
  }
  SafetensorsSet weights = SafetensorsSet::open_dir(model_dir);
  GgufVocabulary vocabulary = read_vocabulary(dir / "tokenizer.json", c.vocab_size);

  // Whether llama.cpp puts BOS in front of a prompt: as our completions prompts get it (the rule
  // Python transformers follows, special_token_frame.hpp).
  const text::SpecialTokenFrame frame = text::SpecialTokenFrame::from_model_dir(
      model_dir, text::BpeTokenizer::from_file((dir / "tokenizer.json").string()));
  const bool add_bos = !frame.prefix.empty();
  // tokenizer_config.json: the chat template and eos token, when present.
  std::string chat_template;
  std::optional<int32_t> eos_id;
  if (fs::exists(dir / "tokenizer_config.json")) {
    std::string text = read_text(dir / "tokenizer_config.json");
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    if (!d.HasParseError() && d.IsObject()) {
      if (d.HasMember("chat_template") && d["chat_template"].IsString()) chat_template = d["chat_template"].GetString();
      if (d.HasMember("eos_token") && d["eos_token"].IsString()) {
        auto it = std::find(vocabulary.tokens.begin(), vocabulary.tokens.end(), d["eos_token"].GetString());
        if (it != vocabulary.tokens.end()) eos_id = static_cast<int32_t>(it - vocabulary.tokens.begin());
      }
    }
  }
  if (!eos_id && !c.eos_token_ids.empty()) eos_id = c.eos_token_ids.front();

  // The tensors, in llama.cpp's order and names.
  std::vector<PlannedTensor> plan;
  GgufExportSummary summary;
  auto add = [&](const std::string& gguf_name, const std::string& hf_name, int64_t rope_heads = 0) {
    const TensorView* t = weights.find(hf_name);
    if (!t) throw Error(NT_INVALID_ARGUMENT, model_dir + ": the checkpoint has no tensor " + hf_name);
    PlannedTensor p{gguf_name, hf_name, t->shape};
    p.rope_heads = rope_heads;
    if (t->shape.size() == 2 && options.type != GgufType::F32) {
      if (options.type == GgufType::Q8_0 && t->shape[1] % kQ8_0BlockSize == 0) {
        p.ggml_type = kGgmlTypeQ8_0;
        ++summary.q8_0_tensors;
      } else {
        p.ggml_type = kGgmlTypeF16;
        if (options.type == GgufType::Q8_0) ++summary.f16_fallback_tensors;
      }
    }
    p.bytes = data_bytes(p.ggml_type, t->element_count());
    plan.push_back(std::move(p));
  };
  add("token_embd.weight", "model.embed_tokens.weight");
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string hf = "model.layers." + std::to_string(l) + ".", g = "blk." + std::to_string(l) + ".";
    add(g + "attn_norm.weight", hf + "input_layernorm.weight");
    add(g + "attn_q.weight", hf + "self_attn.q_proj.weight", c.num_attention_heads);
    add(g + "attn_k.weight", hf + "self_attn.k_proj.weight", c.num_key_value_heads);
    add(g + "attn_v.weight", hf + "self_attn.v_proj.weight");
    add(g + "attn_output.weight", hf + "self_attn.o_proj.weight");
    add(g + "ffn_norm.weight", hf + "post_attention_layernorm.weight");
    add(g + "ffn_gate.weight", hf + "mlp.gate_proj.weight");
    add(g + "ffn_up.weight", hf + "mlp.up_proj.weight");
    add(g + "ffn_down.weight", hf + "mlp.down_proj.weight");
  }
  add("output_norm.weight", "model.norm.weight");
  // Tied embeddings: llama.cpp uses token_embd when output.weight is absent.
  if (!c.tie_word_embeddings) add("output.weight", "lm_head.weight");

  uint64_t offset = 0;
  for (PlannedTensor& p : plan) {
    p.offset = offset;
    offset = align_up(offset + p.bytes);
  }

  Metadata m;
  std::string name = options.name.empty() ? fs::absolute(dir).lexically_normal().filename().string() : options.name;
  if (name.empty()) name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  m.str("general.architecture", "llama");
  m.str("general.name", name);
  m.u32("general.alignment", static_cast<uint32_t>(kAlignment));
  m.u32("general.file_type", file_type_of(options.type));
  m.u32("llama.vocab_size", static_cast<uint32_t>(c.vocab_size));
  m.u32("llama.context_length", static_cast<uint32_t>(c.max_position_embeddings));
  m.u32("llama.embedding_length", static_cast<uint32_t>(c.hidden_size));
  m.u32("llama.block_count", static_cast<uint32_t>(c.num_hidden_layers));
  m.u32("llama.feed_forward_length", static_cast<uint32_t>(c.intermediate_size));
  m.u32("llama.rope.dimension_count", static_cast<uint32_t>(c.head_dim));
  m.f32("llama.rope.freq_base", static_cast<float>(c.rope_theta));
  if (c.rope_scaling) {
    m.str("llama.rope.scaling.type", "linear");
    m.f32("llama.rope.scaling.factor", static_cast<float>(c.rope_scaling->factor));
  }
  m.u32("llama.attention.head_count", static_cast<uint32_t>(c.num_attention_heads));
  m.u32("llama.attention.head_count_kv", static_cast<uint32_t>(c.num_key_value_heads));
  m.u32("llama.attention.key_length", static_cast<uint32_t>(c.head_dim));
  m.u32("llama.attention.value_length", static_cast<uint32_t>(c.head_dim));
  m.f32("llama.attention.layer_norm_rms_epsilon", static_cast<float>(c.rms_norm_eps));
  m.str("tokenizer.ggml.model", "gpt2");
  m.str("tokenizer.ggml.pre", vocabulary.pre);
  m.strings("tokenizer.ggml.tokens", vocabulary.tokens);
  m.i32s("tokenizer.ggml.token_type", vocabulary.types);
  m.strings("tokenizer.ggml.merges", vocabulary.merges);
  if (c.bos_token_id) m.u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(*c.bos_token_id));
  if (eos_id) m.u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(*eos_id));
  m.boolean("tokenizer.ggml.add_bos_token", add_bos);
  if (!chat_template.empty()) m.str("tokenizer.chat_template", chat_template);

  Bytes header;
  header.raw("GGUF", 4);
  header.u32(kGgufVersion);
  header.u64(plan.size());
  header.u64(m.count());
  header.raw(m.data().data(), m.data().size());
  for (const PlannedTensor& p : plan) {
    header.str(p.gguf_name);
    header.u32(static_cast<uint32_t>(p.hf_shape.size()));
    for (auto it = p.hf_shape.rbegin(); it != p.hf_shape.rend(); ++it) header.u64(static_cast<uint64_t>(*it));
    header.u32(p.ggml_type);
    header.u64(p.offset);
  }

  std::error_code ec;
  if (fs::path(out_path).has_parent_path()) fs::create_directories(fs::path(out_path).parent_path(), ec);
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot create " + out_path);
  const std::string zeros(kAlignment, '\0');
  write_all(out, header.data().data(), header.data().size(), out_path);
  const uint64_t data_start = align_up(header.data().size());
  write_all(out, zeros.data(), data_start - header.data().size(), out_path);
  progress("header: " + std::to_string(m.count()) + " metadata keys, " + std::to_string(plan.size()) +
           " tensors, " + std::to_string(vocabulary.tokens.size()) + " tokens (pre-tokenizer " + vocabulary.pre + ")");

  uint64_t written = 0;
  std::string buffer;
  for (const PlannedTensor& p : plan) {
    const TensorView& t = *weights.find(p.hf_name);
    std::vector<float> values = to_f32(t);
    if (p.rope_heads > 0) values = permute_rope_rows(values, p.rope_heads, c.head_dim, t.shape[1]);
    buffer.assign(p.bytes, '\0');
    if (p.ggml_type == kGgmlTypeF32) {
      std::memcpy(buffer.data(), values.data(), p.bytes);
    } else if (p.ggml_type == kGgmlTypeF16) {
      for (size_t i = 0; i < values.size(); ++i) {
        uint16_t h = float_to_half(values[i]);
        std::memcpy(buffer.data() + 2 * i, &h, 2);
      }
    } else {
      quantize_q8_0(values.data(), static_cast<int64_t>(values.size()), reinterpret_cast<std::byte*>(buffer.data()));
    }
    write_all(out, zeros.data(), p.offset - written, out_path);
    write_all(out, buffer.data(), buffer.size(), out_path);
    written = p.offset + p.bytes;
  }
  write_all(out, zeros.data(), align_up(written) - written, out_path);
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + out_path);
  summary.tensors = plan.size();
  summary.file_bytes = data_start + align_up(written);
  progress("wrote " + out_path + ": " + std::to_string(summary.file_bytes) + " bytes, " + gguf_type_name(options.type) +
           (summary.f16_fallback_tensors ? " (" + std::to_string(summary.f16_fallback_tensors) +
                                               " tensors as F16: rows not a multiple of 32)"
                                         : std::string()));
  return summary;
}

}  // namespace nineteen::models
