// Parsing and writing a BERT config.json, with errors that name the key.
#include "nineteen/models/bert_config.hpp"

#include <filesystem>
#include <fstream>

#include <rapidjson/prettywriter.h>

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::models {

using sdk::Error;

BertConfig BertConfig::from_json(std::string_view json, const std::string& what) {
  rapidjson::Document doc = sdk::parse_json(json, what);
  sdk::JsonObject o(doc, what);
  constexpr int64_t big = int64_t(1) << 40;
  BertConfig c;
  c.vocab_size = o.integer("vocab_size", 1, big);
  c.hidden_size = o.integer("hidden_size", 1, big);
  c.num_hidden_layers = o.integer("num_hidden_layers", 1, 100000);
  c.num_attention_heads = o.integer("num_attention_heads", 1, 100000);
  c.intermediate_size = o.integer("intermediate_size", 1, big);
  c.max_position_embeddings = o.integer_or("max_position_embeddings", 512, 1, big);
  c.type_vocab_size = o.integer_or("type_vocab_size", 2, 1, 1 << 20);
  c.layer_norm_eps = o.number_in("layer_norm_eps", 1e-12, 0.0, 1.0);
  c.pad_token_id = static_cast<int32_t>(o.integer_or("pad_token_id", 0, 0, c.vocab_size - 1));
  if (c.hidden_size % c.num_attention_heads != 0) {
    throw Error(NT_INVALID_ARGUMENT, what + ": hidden_size " + std::to_string(c.hidden_size) +
                                         " is not a multiple of num_attention_heads " +
                                         std::to_string(c.num_attention_heads));
  }
  const std::string act = o.string_or("hidden_act", "gelu");
  if (act == "gelu") {
    c.hidden_act = BertActivation::GeluErf;
  } else if (act == "gelu_new" || act == "gelu_pytorch_tanh") {
    c.hidden_act = BertActivation::GeluTanh;
  } else {
    throw o.bad("hidden_act", "\"gelu\", \"gelu_new\" or \"gelu_pytorch_tanh\"", o.require("hidden_act"));
  }
  const std::string positions = o.string_or("position_embedding_type", "absolute");
  if (positions != "absolute") {
    throw o.bad("position_embedding_type", "\"absolute\" (relative position encodings are not supported)",
                o.require("position_embedding_type"));
  }
  return c;
}

BertConfig BertConfig::from_model_dir(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "config.json").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(NT_NOT_FOUND, "cannot read " + path + "; a BERT model directory needs config.json (Hugging Face layout)");
  }
  return from_json(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), path);
}

std::string BertConfig::to_json() const {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("architectures");
  w.StartArray();
  w.String("BertModel");
  w.EndArray();
  w.Key("attention_probs_dropout_prob");
  w.Double(0.1);
  w.Key("hidden_act");
  w.String(hidden_act == BertActivation::GeluErf ? "gelu" : "gelu_new");
  w.Key("hidden_dropout_prob");
  w.Double(0.1);
  w.Key("hidden_size");
  w.Int64(hidden_size);
  w.Key("initializer_range");
  w.Double(0.02);
  w.Key("intermediate_size");
  w.Int64(intermediate_size);
  w.Key("layer_norm_eps");
  w.Double(layer_norm_eps);
  w.Key("max_position_embeddings");
  w.Int64(max_position_embeddings);
  w.Key("model_type");
  w.String("bert");
  w.Key("num_attention_heads");
  w.Int64(num_attention_heads);
  w.Key("num_hidden_layers");
  w.Int64(num_hidden_layers);
  w.Key("pad_token_id");
  w.Int(pad_token_id);
  w.Key("position_embedding_type");
  w.String("absolute");
  w.Key("type_vocab_size");
  w.Int64(type_vocab_size);
  w.Key("vocab_size");
  w.Int64(vocab_size);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

int64_t BertConfig::parameter_count() const {
  const int64_t h = hidden_size, I = intermediate_size;
  const int64_t embeddings = (vocab_size + max_position_embeddings + type_vocab_size) * h + 2 * h;
  const int64_t layer = 4 * (h * h + h) + 2 * h + (h * I + I) + (I * h + h) + 2 * h;
  return embeddings + num_hidden_layers * layer;
}

}  // namespace nineteen::models
