// make_tiny_llama: tokenizer from the built-in text, random weights, and the HF side files.
#include "nineteen/models/tiny_llama_maker.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "nineteen/models/random_llama.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/text/bpe_tokenizer.hpp"
#include "nineteen/text/bpe_trainer.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

const char* const kBos = "<|begin_of_text|>";
const char* const kEndOfText = "<|end_of_text|>";
const char* const kEot = "<|eot_id|>";

// The Llama 3.0 Instruct template, as Meta ships it in tokenizer_config.json.
const char* const kLlama3ChatTemplate =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + "
    "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}";

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + path.string());
}

using PrettyWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

std::string finish(rapidjson::StringBuffer& buffer) { return std::string(buffer.GetString(), buffer.GetSize()) + "\n"; }

int32_t special_id(const text::BpeTokenizer& tokenizer, const char* name) {
  std::optional<int32_t> id = tokenizer.token_id(name);
  if (!id) throw Error(NT_INTERNAL, std::string("tiny-llama tokenizer lacks the special token ") + name);
  return *id;
}

}  // namespace

void TinyLlamaOptions::validate() const {
  auto positive = [](const char* name, int64_t v) {
    if (v < 1) throw Error(NT_INVALID_ARGUMENT, std::string("tiny-llama: --") + name + " must be >= 1, got " + std::to_string(v));
  };
  positive("hidden", hidden);
  positive("layers", layers);
  positive("heads", heads);
  positive("kv-heads", kv_heads);
  positive("intermediate", intermediate);
  positive("max-positions", max_position_embeddings);
  if (hidden % heads != 0 || (hidden / heads) % 2 != 0) {
    throw Error(NT_INVALID_ARGUMENT, "tiny-llama: --hidden " + std::to_string(hidden) + " must be --heads " +
                                         std::to_string(heads) + " times an even head size");
  }
  if (heads % kv_heads != 0) {
    throw Error(NT_INVALID_ARGUMENT, "tiny-llama: --heads " + std::to_string(heads) +
                                         " must be a multiple of --kv-heads " + std::to_string(kv_heads));
  }
  if (family != "llama" && family != "llama3" && family != "qwen2" && family != "mistral" && family != "phi3") {
    throw Error(NT_INVALID_ARGUMENT, "tiny-llama: --family must be llama, llama3, qwen2, mistral or phi3, got \"" +
                                         family + "\"");
  }
  if (shards < 1) throw Error(NT_INVALID_ARGUMENT, "tiny-llama: --shards must be >= 1, got " + std::to_string(shards));
  if (vocab < 256 + 5) {
    throw Error(NT_INVALID_ARGUMENT, "tiny-llama: --vocab must be at least 261 (256 bytes and 5 special tokens), got " +
                                         std::to_string(vocab));
  }
}

LlamaConfig make_tiny_llama(const std::string& out_dir, const TinyLlamaOptions& options) {
  options.validate();
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error(NT_INVALID_ARGUMENT, "cannot create directory " + out_dir + ": " + ec.message());
  const fs::path dir(out_dir);

  progress("tokenizer: learning up to " + std::to_string(options.vocab) + " tokens from " +
           std::to_string(tiny_llama_corpus().size()) + " bytes of text");
  std::string tokenizer_json = text::train_bpe_tokenizer_json(
      tiny_llama_corpus(), static_cast<size_t>(options.vocab),
      {kBos, kEndOfText, "<|start_header_id|>", "<|end_header_id|>", kEot}, kBos);
  write_file(dir / "tokenizer.json", tokenizer_json);
  text::BpeTokenizer tokenizer = text::BpeTokenizer::from_json(tokenizer_json, (dir / "tokenizer.json").string());
  const int32_t bos = special_id(tokenizer, kBos), end_of_text = special_id(tokenizer, kEndOfText),
                eot = special_id(tokenizer, kEot);

  LlamaConfig c;
  c.vocab_size = options.vocab;
  c.hidden_size = options.hidden;
  c.intermediate_size = options.intermediate;
  c.num_hidden_layers = options.layers;
  c.num_attention_heads = options.heads;
  c.num_key_value_heads = options.kv_heads;
  c.head_dim = options.hidden / options.heads;
  c.max_position_embeddings = options.max_position_embeddings;
  c.rms_norm_eps = 1e-5;
  c.rope_theta = 500000.0;
  c.tie_word_embeddings = false;
  c.bos_token_id = bos;
  c.eos_token_ids = {end_of_text, eot};
  if (options.family == "llama3") {
    c.rope_scaling = RopeScaling{"llama3", 8.0, 1.0, 4.0, std::max<int64_t>(1, options.max_position_embeddings / 4)};
    c.tie_word_embeddings = true;
  } else if (options.family == "qwen2") {
    c.model_type = "qwen2";
    c.qkv_bias = true;
    c.rope_theta = 1000000.0;
    c.rms_norm_eps = 1e-6;
    c.tie_word_embeddings = true;
  } else if (options.family == "mistral") {
    c.model_type = "mistral";
    c.rope_theta = 1000000.0;
    c.sliding_window = std::max<int64_t>(1, options.max_position_embeddings / 8);
  } else if (options.family == "phi3") {
    c.model_type = "phi3";
    c.fused_projections = true;
    c.rope_theta = 10000.0;
    c.sliding_window = std::max<int64_t>(1, options.max_position_embeddings / 2 - 1);
  }

  RandomLlamaOptions weights;
  // Variants are far apart in the generator's seed space; 0x1919 marks the family.
  weights.seed = 0x1919u + options.variant * 0x9E3779B97F4A7C15ull;
  weights.dtype = options.dtype;
  weights.shards = options.shards;
  weights.progress = options.progress;
  progress("weights: " + std::to_string(c.parameter_count()) + " parameters, variant " +
           std::to_string(options.variant) + ", " + dtype_name(options.dtype));
  write_random_llama(out_dir, c, weights);

  {
    rapidjson::StringBuffer buffer;
    PrettyWriter w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("bos_token_id");
    w.Int(bos);
    w.Key("eos_token_id");
    w.StartArray();
    w.Int(end_of_text);
    w.Int(eot);
    w.EndArray();
    w.Key("do_sample");
    w.Bool(true);
    w.Key("temperature");
    w.Double(0.6);
    w.Key("top_p");
    w.Double(0.9);
    w.EndObject();
    write_file(dir / "generation_config.json", finish(buffer));
  }
  {
    rapidjson::StringBuffer buffer;
    PrettyWriter w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("added_tokens_decoder");
    w.StartObject();
    for (int32_t id = 0; id < static_cast<int32_t>(tokenizer.vocab_size()); ++id) {
      if (!tokenizer.is_special(id)) continue;
      w.Key(std::to_string(id).c_str());
      w.StartObject();
      w.Key("content");
      w.String(tokenizer.token_string(id).c_str());
      for (const char* flag : {"lstrip", "normalized", "rstrip", "single_word"}) {
        w.Key(flag);
        w.Bool(false);
      }
      w.Key("special");
      w.Bool(true);
      w.EndObject();
    }
    w.EndObject();
    w.Key("bos_token");
    w.String(kBos);
    w.Key("eos_token");
    w.String(kEot);
    w.Key("chat_template");
    w.String(kLlama3ChatTemplate);
    w.Key("clean_up_tokenization_spaces");
    w.Bool(true);
    w.Key("model_input_names");
    w.StartArray();
    w.String("input_ids");
    w.String("attention_mask");
    w.EndArray();
    w.Key("model_max_length");
    w.Int64(options.max_position_embeddings);
    w.Key("tokenizer_class");
    w.String("PreTrainedTokenizerFast");
    w.EndObject();
    write_file(dir / "tokenizer_config.json", finish(buffer));
  }
  progress("wrote " + out_dir + ": config.json, generation_config.json, " +
           (options.shards > 1 ? "model.safetensors.index.json and its shards" : "model.safetensors") +
           ", tokenizer.json, tokenizer_config.json");
  return c;
}

}  // namespace nineteen::models
