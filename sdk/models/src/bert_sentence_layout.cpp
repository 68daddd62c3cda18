// Reading and writing the sentence-transformers files: modules.json, the pooling config, limits.
#include "nineteen/models/bert_sentence_layout.hpp"

#include <filesystem>
#include <fstream>

#include <rapidjson/prettywriter.h>

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::models {

namespace fs = std::filesystem;
using sdk::Error;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(NT_NOT_FOUND, "cannot read " + path.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(NT_INVALID_ARGUMENT, "cannot write " + path.string());
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

constexpr BertPooling kPoolings[] = {BertPooling::Cls, BertPooling::Mean, BertPooling::Max,
                                     BertPooling::MeanSqrtLength, BertPooling::LastToken};

void read_pooling(const fs::path& path, SentenceEmbeddingLayout& layout) {
  const std::string what = path.string();
  rapidjson::Document doc = sdk::parse_json(read_file(path), what);
  sdk::JsonObject o(doc, what);
  int chosen = 0;
  for (BertPooling p : kPoolings) {
    const std::string key = std::string("pooling_mode_") + pooling_name(p);
    if (o.boolean_or(key.c_str(), false)) {
      layout.pooling = p;
      ++chosen;
    }
  }
  for (const char* unsupported : {"pooling_mode_weightedmean_tokens"}) {
    if (o.boolean_or(unsupported, false)) {
      throw Error(NT_INVALID_ARGUMENT, what + " key \"" + unsupported +
                                           "\": not supported; use cls_token, mean_tokens, max_tokens, "
                                           "mean_sqrt_len_tokens or lasttoken");
    }
  }
  if (chosen != 1) {
    throw Error(NT_INVALID_ARGUMENT, what + ": expected exactly one of pooling_mode_cls_token, "
                                            "pooling_mode_mean_tokens, pooling_mode_max_tokens, "
                                            "pooling_mode_mean_sqrt_len_tokens, pooling_mode_lasttoken to be true, found " +
                                            std::to_string(chosen));
  }
  layout.word_embedding_dimension = o.integer_or("word_embedding_dimension", 0, 0, int64_t(1) << 30);
}

}  // namespace

const char* pooling_name(BertPooling pooling) {
  switch (pooling) {
    case BertPooling::Cls: return "cls_token";
    case BertPooling::Mean: return "mean_tokens";
    case BertPooling::Max: return "max_tokens";
    case BertPooling::MeanSqrtLength: return "mean_sqrt_len_tokens";
    case BertPooling::LastToken: return "lasttoken";
  }
  return "mean_tokens";
}

SentenceEmbeddingLayout SentenceEmbeddingLayout::from_model_dir(const std::string& dir) {
  SentenceEmbeddingLayout layout;
  layout.transformer_dir = dir;
  const fs::path root(dir);
  const fs::path modules_path = root / "modules.json";
  std::error_code ec;
  if (fs::exists(modules_path, ec)) {
    layout.from_modules_json = true;
    const std::string what = modules_path.string();
    rapidjson::Document doc = sdk::parse_json(read_file(modules_path), what);
    if (!doc.IsArray()) throw Error(NT_INVALID_ARGUMENT, what + ": expected an array of modules");
    bool transformer = false, pooling = false;
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
      sdk::JsonObject m(doc[i], what + " module " + std::to_string(i));
      const std::string type = m.string("type");
      const std::string path = m.string_or("path", "");
      if (path.find("..") != std::string::npos || (!path.empty() && path[0] == '/')) {
        throw m.bad("path", "a folder inside the model directory", m.require("path"));
      }
      if (ends_with(type, "models.Transformer")) {
        layout.transformer_dir = (root / path).lexically_normal().string();
        transformer = true;
      } else if (ends_with(type, "models.Pooling")) {
        read_pooling(root / path / "config.json", layout);
        pooling = true;
      } else if (ends_with(type, "models.Normalize")) {
        layout.normalize = true;
      } else {
        throw Error(NT_INVALID_ARGUMENT, what + " module " + std::to_string(i) + ": type \"" + type +
                                             "\" is not supported (Transformer, Pooling and Normalize are)");
      }
    }
    if (!transformer || !pooling) {
      throw Error(NT_INVALID_ARGUMENT, what + ": expected a Transformer and a Pooling module");
    }
    if (!layout.transformer_dir.empty() && layout.transformer_dir.back() == '/') layout.transformer_dir.pop_back();
  }
  const fs::path st_config = fs::path(layout.transformer_dir) / "sentence_bert_config.json";
  if (fs::exists(st_config, ec)) {
    const std::string what = st_config.string();
    rapidjson::Document doc = sdk::parse_json(read_file(st_config), what);
    sdk::JsonObject o(doc, what);
    layout.max_seq_length = o.integer_or("max_seq_length", 0, 0, int64_t(1) << 24);
    layout.do_lower_case = o.boolean_or("do_lower_case", false);
  }
  return layout;
}

void SentenceEmbeddingLayout::write(const std::string& dir, int64_t dimension) const {
  const fs::path root(dir);
  std::error_code ec;
  fs::create_directories(root / "1_Pooling", ec);
  if (normalize) fs::create_directories(root / "2_Normalize", ec);
  if (ec) throw Error(NT_INVALID_ARGUMENT, "cannot create folders in " + dir + ": " + ec.message());
  using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;
  auto text = [](rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()) + "\n"; };
  {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.SetIndent(' ', 2);
    w.StartArray();
    struct Module {
      const char* name;
      const char* path;
      const char* type;
    };
    std::vector<Module> modules = {{"0", "", "sentence_transformers.models.Transformer"},
                                   {"1", "1_Pooling", "sentence_transformers.models.Pooling"}};
    if (normalize) modules.push_back({"2", "2_Normalize", "sentence_transformers.models.Normalize"});
    for (size_t i = 0; i < modules.size(); ++i) {
      w.StartObject();
      w.Key("idx");
      w.Int(static_cast<int>(i));
      w.Key("name");
      w.String(modules[i].name);
      w.Key("path");
      w.String(modules[i].path);
      w.Key("type");
      w.String(modules[i].type);
      w.EndObject();
    }
    w.EndArray();
    write_file(root / "modules.json", text(buffer));
  }
  {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("word_embedding_dimension");
    w.Int64(dimension);
    for (BertPooling p : kPoolings) {
      w.Key((std::string("pooling_mode_") + pooling_name(p)).c_str());
      w.Bool(p == pooling);
    }
    w.EndObject();
    write_file(root / "1_Pooling" / "config.json", text(buffer));
  }
  {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("max_seq_length");
    w.Int64(max_seq_length);
    w.Key("do_lower_case");
    w.Bool(do_lower_case);
    w.EndObject();
    write_file(root / "sentence_bert_config.json", text(buffer));
  }
}

}  // namespace nineteen::models
