// Parsing and writing a Llama config.json, with errors that name the key.
#include "nineteen/models/llama_config.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <rapidjson/prettywriter.h>

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::models {

using sdk::Error;
namespace fs = std::filesystem;

namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(NT_NOT_FOUND, "cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// eos_token_id / bos_token_id may be an int, a list of ints, or null.
std::vector<int32_t> token_ids(const rapidjson::Value& root, const char* key, const std::string& what) {
  std::vector<int32_t> out;
  auto it = root.FindMember(key);
  if (it == root.MemberEnd() || it->value.IsNull()) return out;
  auto one = [&](const rapidjson::Value& v) {
    if (!v.IsInt() || v.GetInt() < 0) {
      throw Error(NT_INVALID_ARGUMENT, what + " key \"" + key + "\": expected a token id (integer >= 0) or a list of them");
    }
    out.push_back(v.GetInt());
  };
  if (it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) one(v);
  } else {
    one(it->value);
  }
  return out;
}

}  // namespace

LlamaConfig LlamaConfig::from_json(std::string_view json, const std::string& what) {
  rapidjson::Document doc = sdk::parse_json(json, what);
  sdk::JsonObject o(doc, what);
  constexpr int64_t big = int64_t(1) << 40;
  LlamaConfig c;
  c.model_type = o.string_or("model_type", "llama");
  if (c.model_type != "llama" && c.model_type != "mistral" && c.model_type != "qwen2" && c.model_type != "phi3") {
    throw Error(NT_INVALID_ARGUMENT, what + " key \"model_type\": \"" + c.model_type +
                                         "\" is not supported (expected \"llama\", \"mistral\", \"qwen2\" or \"phi3\")");
  }
  c.vocab_size = o.integer("vocab_size", 1, big);
  c.hidden_size = o.integer("hidden_size", 1, big);
  c.intermediate_size = o.integer("intermediate_size", 1, big);
  c.num_hidden_layers = o.integer("num_hidden_layers", 1, 100000);
  c.num_attention_heads = o.integer("num_attention_heads", 1, 100000);
  c.num_key_value_heads = o.integer_or("num_key_value_heads", c.num_attention_heads, 1, c.num_attention_heads);
  if (c.num_attention_heads % c.num_key_value_heads != 0) {
    throw Error(NT_INVALID_ARGUMENT, what + ": num_attention_heads " + std::to_string(c.num_attention_heads) +
                                         " is not a multiple of num_key_value_heads " +
                                         std::to_string(c.num_key_value_heads));
  }
  if (o.has("head_dim")) {
    c.head_dim = o.integer("head_dim", 2, 1 << 16);
  } else {
    if (c.hidden_size % c.num_attention_heads != 0) {
      throw Error(NT_INVALID_ARGUMENT, what + ": hidden_size " + std::to_string(c.hidden_size) +
                                           " is not a multiple of num_attention_heads " +
                                           std::to_string(c.num_attention_heads) + " and no head_dim is given");
    }
    c.head_dim = c.hidden_size / c.num_attention_heads;
  }
  if (c.head_dim % 2 != 0) {
    throw Error(NT_INVALID_ARGUMENT, what + ": head_dim " + std::to_string(c.head_dim) +
                                         " must be even for rotary embeddings");
  }
  c.max_position_embeddings = o.integer_or("max_position_embeddings", 2048, 1, big);
  c.rms_norm_eps = o.number_in("rms_norm_eps", 1e-5, 0.0, 1.0);
  c.rope_theta = o.number_in("rope_theta", 10000.0, 1.0, 1e12);
  c.tie_word_embeddings = o.boolean_or("tie_word_embeddings", false);
  if (o.has("hidden_act") && o.string("hidden_act") != "silu") {
    throw Error(NT_INVALID_ARGUMENT, what + " key \"hidden_act\": only \"silu\" is supported, got \"" +
                                         o.string("hidden_act") + "\"");
  }
  if (o.boolean_or("mlp_bias", false)) {
    throw Error(NT_INVALID_ARGUMENT, what + " key \"mlp_bias\": MLP biases are not supported (expected false)");
  }
  if (c.model_type == "llama") {
    c.qkv_bias = c.o_bias = o.boolean_or("attention_bias", false);
  } else if (c.model_type == "qwen2") {
    c.qkv_bias = true;  // Qwen2's q/k/v projections always have biases; o_proj has none
  } else if (o.boolean_or("attention_bias", false)) {
    throw Error(NT_INVALID_ARGUMENT, what + " key \"attention_bias\": " + c.model_type + " has no attention biases (expected false)");
  }
  c.fused_projections = c.model_type == "phi3";
  if (c.model_type == "phi3" && o.number_in("partial_rotary_factor", 1.0, 0.0, 1.0) != 1.0) {
    throw Error(NT_INVALID_ARGUMENT, what + " key \"partial_rotary_factor\": only 1.0 (rotary over the whole head) is supported");
  }
  // Sliding-window attention: mistral and phi3 apply "sliding_window" to every layer; qwen2 only
  // with "use_sliding_window", to the layers from "max_window_layers" on (or as "layer_types" says).
  if (c.model_type == "mistral" || c.model_type == "phi3" ||
      (c.model_type == "qwen2" && o.boolean_or("use_sliding_window", false))) {
    c.sliding_window = o.integer_or("sliding_window", 0, 1, big);
  }
  if (c.model_type == "qwen2" && c.sliding_window > 0) {
    if (const rapidjson::Value* types = o.find("layer_types")) {
      if (!types->IsArray() || types->Size() != static_cast<rapidjson::SizeType>(c.num_hidden_layers)) {
        throw Error(NT_INVALID_ARGUMENT, what + " key \"layer_types\": expected a list of num_hidden_layers (" +
                                             std::to_string(c.num_hidden_layers) + ") strings");
      }
      for (const auto& t : types->GetArray()) {
        std::string type = t.IsString() ? t.GetString() : "";
        if (type != "sliding_attention" && type != "full_attention") {
          throw Error(NT_INVALID_ARGUMENT, what + " key \"layer_types\": expected \"sliding_attention\" or \"full_attention\" entries");
        }
        c.sliding_layers.push_back(type == "sliding_attention");
      }
    } else {
      int64_t first = o.integer_or("max_window_layers", 0, 0, big);
      for (int64_t l = 0; l < c.num_hidden_layers; ++l) c.sliding_layers.push_back(l >= first);
    }
  }
  c.torch_dtype = o.string_or("torch_dtype", o.string_or("dtype", "float32"));
  if (o.has("rope_scaling")) {
    sdk::JsonObject rs = o.object("rope_scaling");
    RopeScaling s;
    s.rope_type = rs.has("rope_type") ? rs.string("rope_type") : rs.string_or("type", "");
    s.factor = rs.number_in("factor", 1.0, 1e-6, 1e6);
    if (s.rope_type == "llama3") {
      s.low_freq_factor = rs.number_in("low_freq_factor", 1.0, 1e-6, 1e6);
      s.high_freq_factor = rs.number_in("high_freq_factor", 4.0, 1e-6, 1e6);
      s.original_max_position_embeddings = rs.integer("original_max_position_embeddings", 1, big);
      if (!(s.high_freq_factor > s.low_freq_factor)) {
        throw Error(NT_INVALID_ARGUMENT, what + " key \"rope_scaling\": high_freq_factor must exceed low_freq_factor");
      }
    } else if (s.rope_type == "longrope" || s.rope_type == "su") {
      s.rope_type = "longrope";
      const std::string key = what + " key \"rope_scaling\"";
      auto factors = [&](const char* name) {
        const rapidjson::Value* list = rs.find(name);
        if (!list || !list->IsArray() || list->Size() != static_cast<rapidjson::SizeType>(c.head_dim / 2)) {
          throw Error(NT_INVALID_ARGUMENT, key + ": longrope needs \"" + name + "\", a list of head_dim / 2 = " +
                                               std::to_string(c.head_dim / 2) + " numbers");
        }
        std::vector<double> out;
        for (const auto& f : list->GetArray()) {
          if (!f.IsNumber() || !(f.GetDouble() > 0)) {
            throw Error(NT_INVALID_ARGUMENT, key + ": \"" + name + "\" holds a value that is not a positive number");
          }
          out.push_back(f.GetDouble());
        }
        return out;
      };
      s.short_factor = factors("short_factor");
      s.long_factor = factors("long_factor");
      // Phi-3 keeps the original context at the top level of config.json.
      s.original_max_position_embeddings =
          rs.has("original_max_position_embeddings") ? rs.integer("original_max_position_embeddings", 1, big)
                                                     : o.integer("original_max_position_embeddings", 1, big);
      s.declared_max_positions = c.max_position_embeddings;
      const double ratio = double(c.max_position_embeddings) / double(s.original_max_position_embeddings);
      s.attention_factor =
          rs.has("attention_factor") ? rs.number_in("attention_factor", 1.0, 1e-6, 1e6)
          : ratio <= 1.0 || s.original_max_position_embeddings < 2
              ? 1.0
              : std::sqrt(1.0 + std::log(ratio) / std::log(double(s.original_max_position_embeddings)));
      // Served up to the original context, with short_factor. Past it transformers and vLLM switch
      // every position of the sequence to long_factor at once, which a kept cache cannot follow.
      c.max_position_embeddings = std::min(c.max_position_embeddings, s.original_max_position_embeddings);
    } else if (s.rope_type == "yarn") {
      for (const char* unsupported : {"mscale", "mscale_all_dim"}) {
        if (rs.has(unsupported)) {
          throw Error(NT_INVALID_ARGUMENT, what + " key \"rope_scaling\": yarn's \"" + unsupported +
                                               "\" (DeepSeek's form) is not supported");
        }
      }
      s.original_max_position_embeddings =
          rs.integer_or("original_max_position_embeddings", c.max_position_embeddings, 1, big);
      s.beta_fast = rs.number_in("beta_fast", 32.0, 1e-6, 1e6);
      s.beta_slow = rs.number_in("beta_slow", 1.0, 1e-6, 1e6);
      s.attention_factor = rs.has("attention_factor") ? rs.number_in("attention_factor", 1.0, 1e-6, 1e6)
                           : s.factor <= 1.0          ? 1.0
                                                      : 0.1 * std::log(s.factor) + 1.0;
      s.declared_max_positions = c.max_position_embeddings;
      // vLLM serves original × factor positions (Qwen2.5 keeps max_position_embeddings at the
      // original 32768 and adds rope_scaling to reach 131072).
      c.max_position_embeddings =
          std::max(c.max_position_embeddings,
                   static_cast<int64_t>(double(s.original_max_position_embeddings) * s.factor));
    } else if (s.rope_type != "linear" && s.rope_type != "default") {
      throw Error(NT_INVALID_ARGUMENT, what + " key \"rope_scaling\": rope_type \"" + s.rope_type +
                                           "\" is not supported (expected \"llama3\", \"linear\", \"longrope\", "
                                           "\"yarn\" or \"default\")");
    }
    if (s.rope_type != "default") c.rope_scaling = s;
  }
  std::vector<int32_t> bos = token_ids(doc, "bos_token_id", what);
  if (!bos.empty()) c.bos_token_id = bos.front();
  c.eos_token_ids = token_ids(doc, "eos_token_id", what);
  for (int32_t id : c.eos_token_ids) {
    if (id >= c.vocab_size) {
      throw Error(NT_INVALID_ARGUMENT, what + " key \"eos_token_id\": " + std::to_string(id) +
                                           " is outside the vocabulary of " + std::to_string(c.vocab_size));
    }
  }
  return c;
}

LlamaConfig LlamaConfig::from_model_dir(const std::string& dir) {
  std::string path = (fs::path(dir) / "config.json").string();
  if (!fs::exists(path)) {
    throw Error(NT_NOT_FOUND, "model directory " + dir + " has no config.json (expected a Hugging Face Llama layout)");
  }
  LlamaConfig c = from_json(read_text_file(path), path);
  std::string gen_path = (fs::path(dir) / "generation_config.json").string();
  if (fs::exists(gen_path)) {
    rapidjson::Document doc = sdk::parse_json(read_text_file(gen_path), gen_path);
    if (doc.IsObject()) {
      for (int32_t id : token_ids(doc, "eos_token_id", gen_path)) {
        if (!c.is_eos(id) && id < c.vocab_size) c.eos_token_ids.push_back(id);
      }
      if (!c.bos_token_id) {
        std::vector<int32_t> bos = token_ids(doc, "bos_token_id", gen_path);
        if (!bos.empty()) c.bos_token_id = bos.front();
      }
    }
  }
  return c;
}

std::string LlamaConfig::architecture() const {
  if (model_type == "mistral") return "MistralForCausalLM";
  if (model_type == "qwen2") return "Qwen2ForCausalLM";
  if (model_type == "phi3") return "Phi3ForCausalLM";
  return "LlamaForCausalLM";
}

int64_t LlamaConfig::layer_window(int64_t layer) const {
  if (sliding_window <= 0) return 0;
  if (sliding_layers.empty()) return sliding_window;
  return layer >= 0 && layer < static_cast<int64_t>(sliding_layers.size()) && sliding_layers[layer] ? sliding_window : 0;
}

std::string LlamaConfig::to_json() const {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  const bool llama = model_type == "llama", qwen2 = model_type == "qwen2";
  w.StartObject();
  w.Key("architectures");
  w.StartArray();
  w.String(architecture().c_str());
  w.EndArray();
  w.Key("model_type");
  w.String(model_type.c_str());
  w.Key("hidden_act");
  w.String("silu");
  if (llama) {
    w.Key("attention_bias");
    w.Bool(qkv_bias);
    w.Key("mlp_bias");
    w.Bool(false);
  }
  w.Key("vocab_size");
  w.Int64(vocab_size);
  w.Key("hidden_size");
  w.Int64(hidden_size);
  w.Key("intermediate_size");
  w.Int64(intermediate_size);
  w.Key("num_hidden_layers");
  w.Int64(num_hidden_layers);
  w.Key("num_attention_heads");
  w.Int64(num_attention_heads);
  w.Key("num_key_value_heads");
  w.Int64(num_key_value_heads);
  // Qwen2 and Phi-3 derive head_dim from hidden_size / num_attention_heads.
  if (llama || model_type == "mistral" || head_dim * num_attention_heads != hidden_size) {
    w.Key("head_dim");
    w.Int64(head_dim);
  }
  const bool longrope = rope_scaling && rope_scaling->rope_type == "longrope";
  const bool yarn = rope_scaling && rope_scaling->rope_type == "yarn";
  w.Key("max_position_embeddings");
  w.Int64((longrope || yarn) && rope_scaling->declared_max_positions > 0 ? rope_scaling->declared_max_positions
                                                                         : max_position_embeddings);
  if (model_type == "phi3") {
    w.Key("original_max_position_embeddings");
    w.Int64(longrope ? rope_scaling->original_max_position_embeddings : max_position_embeddings);
  }
  w.Key("rms_norm_eps");
  w.Double(rms_norm_eps);
  w.Key("rope_theta");
  w.Double(rope_theta);
  w.Key("rope_scaling");
  if (rope_scaling) {
    w.StartObject();
    // Phi-3.5 and Qwen2.5 ship "type"; the others "rope_type".
    w.Key(longrope || yarn ? "type" : "rope_type");
    w.String(rope_scaling->rope_type.c_str());
    if (longrope) {
      for (const auto* list : {&rope_scaling->short_factor, &rope_scaling->long_factor}) {
        w.Key(list == &rope_scaling->short_factor ? "short_factor" : "long_factor");
        w.StartArray();
        for (double f : *list) w.Double(f);
        w.EndArray();
      }
    } else {
      w.Key("factor");
      w.Double(rope_scaling->factor);
    }
    if (yarn) {
      w.Key("original_max_position_embeddings");
      w.Int64(rope_scaling->original_max_position_embeddings);
    }
    if (rope_scaling->rope_type == "llama3") {
      w.Key("low_freq_factor");
      w.Double(rope_scaling->low_freq_factor);
      w.Key("high_freq_factor");
      w.Double(rope_scaling->high_freq_factor);
      w.Key("original_max_position_embeddings");
      w.Int64(rope_scaling->original_max_position_embeddings);
    }
    w.EndObject();
  } else {
    w.Null();
  }
  if (!llama) {
    if (qwen2) {
      w.Key("use_sliding_window");
      w.Bool(sliding_window > 0);
    }
    w.Key("sliding_window");
    if (sliding_window > 0) w.Int64(sliding_window);
    else w.Null();
    if (qwen2) {
      // The first layer with a window (Qwen2 windows the layers from max_window_layers on).
      int64_t first = num_hidden_layers;
      for (int64_t l = 0; l < num_hidden_layers && first == num_hidden_layers; ++l) {
        if (layer_window(l) > 0) first = l;
      }
      w.Key("max_window_layers");
      w.Int64(first);
    }
    w.Key("attention_dropout");
    w.Double(0.0);
  }
  w.Key("tie_word_embeddings");
  w.Bool(tie_word_embeddings);
  w.Key("bos_token_id");
  if (bos_token_id) w.Int(*bos_token_id);
  else w.Null();
  w.Key("eos_token_id");
  if (eos_token_ids.size() == 1) {
    w.Int(eos_token_ids.front());
  } else {
    w.StartArray();
    for (int32_t id : eos_token_ids) w.Int(id);
    w.EndArray();
  }
  w.Key("torch_dtype");
  w.String(torch_dtype.c_str());
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

bool LlamaConfig::is_eos(int32_t token) const {
  return std::find(eos_token_ids.begin(), eos_token_ids.end(), token) != eos_token_ids.end();
}

int64_t LlamaConfig::parameter_count() const {
  int64_t q = num_attention_heads * head_dim, kv = num_key_value_heads * head_dim;
  int64_t per_layer = hidden_size * (q + 2 * kv) + q * hidden_size + 3 * hidden_size * intermediate_size +
                      2 * hidden_size + (qkv_bias ? q + 2 * kv : 0) + (o_bias ? hidden_size : 0);
  int64_t embed = vocab_size * hidden_size;
  return embed * (tie_word_embeddings ? 1 : 2) + num_hidden_layers * per_layer + hidden_size;
}

double LlamaConfig::matmul_flops_per_token() const {
  double q = double(num_attention_heads * head_dim), kv = double(num_key_value_heads * head_dim);
  double per_layer = double(hidden_size) * (q + 2 * kv) + q * double(hidden_size) +
                     3.0 * double(hidden_size) * double(intermediate_size);
  return 2.0 * (double(num_hidden_layers) * per_layer + double(vocab_size) * double(hidden_size));
}

}  // namespace nineteen::models
