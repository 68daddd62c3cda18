// Which special tokens a tokenizer adds around a plain text (see special_token_frame.hpp).
#include "nineteen/text/special_token_frame.hpp"

#include <filesystem>

#include <nineteen/sdk/error.hpp>

#include "json_file.hpp"

namespace nineteen::text {

namespace {

using rapidjson::Value;

// The Python classes whose fast tokenizer rebuilds its post-processor from add_bos_token and
// add_eos_token when it loads (transformers' update_post_processor).
bool rebuilds_post_processor(const std::string& tokenizer_class) {
  for (const char* name : {"LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast",
                           "GemmaTokenizer", "GemmaTokenizerFast"}) {
    if (tokenizer_class == name) return true;
  }
  return false;
}

// A token named in tokenizer_config.json: a string, or the older {"content": "..."} form.
std::string token_text(const Value& v) {
  if (v.IsString()) return v.GetString();
  if (v.IsObject()) {
    auto content = v.FindMember("content");
    if (content != v.MemberEnd() && content->value.IsString()) return content->value.GetString();
  }
  return "";
}

class FrameReader {
 public:
  FrameReader(const BpeTokenizer& tokenizer, std::string file) : tokenizer_(tokenizer), file_(std::move(file)) {}

  const std::string& types() const { return types_; }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw sdk::Error(NT_INVALID_ARGUMENT, file_ + ": " + key + " " + what);
  }

  int32_t id_of(const std::string& token, const std::string& key) const {
    auto id = tokenizer_.token_id(token);
    if (!id) fail(key, "names the token \"" + token + "\", which the tokenizer does not have");
    return *id;
  }

  // One post-processor (recursing into a Sequence).
  void read(const Value& p, const std::string& key, SpecialTokenFrame& out) {
    if (p.IsNull()) return;
    if (!p.IsObject()) fail(key, "must be an object or null");
    auto type_it = p.FindMember("type");
    if (type_it == p.MemberEnd() || !type_it->value.IsString()) fail(key + ".type", "must be a string");
    const std::string type = type_it->value.GetString();
    if (type != "Sequence") types_ += (types_.empty() ? "" : ", ") + type;
    if (type == "ByteLevel") return;  // offsets only
    if (type == "Sequence") {
      auto list = p.FindMember("processors");
      if (list == p.MemberEnd() || !list->value.IsArray()) fail(key + ".processors", "must be an array");
      for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
        read(list->value[i], key + ".processors[" + std::to_string(i) + "]", out);
      }
      return;
    }
    if (type == "TemplateProcessing") return read_template(p, key, out);
    if (type == "RobertaProcessing" || type == "BertProcessing") {
      out.prefix.push_back(pair_id(p, key, "cls"));
      out.suffix.push_back(pair_id(p, key, "sep"));
      return;
    }
    fail(key + ".type", "is \"" + type +
                            "\", which this tokenizer reader does not apply (it knows TemplateProcessing, "
                            "RobertaProcessing, BertProcessing, ByteLevel and Sequence)");
  }

 private:
  // ["<s>", 0]: the token and its id.
  int32_t pair_id(const Value& p, const std::string& key, const char* name) const {
    auto it = p.FindMember(name);
    if (it == p.MemberEnd() || !it->value.IsArray() || it->value.Size() != 2 || !it->value[1].IsInt()) {
      fail(key + "." + name, "must be [token, id]");
    }
    return it->value[1].GetInt();
  }

  void read_template(const Value& p, const std::string& key, SpecialTokenFrame& out) const {
    auto single = p.FindMember("single");
    if (single == p.MemberEnd() || !single->value.IsArray()) fail(key + ".single", "must be an array");
    auto specials = p.FindMember("special_tokens");
    bool after_text = false;
    for (rapidjson::SizeType i = 0; i < single->value.Size(); ++i) {
      const Value& piece = single->value[i];
      const std::string piece_key = key + ".single[" + std::to_string(i) + "]";
      if (piece.IsObject() && piece.HasMember("Sequence")) {
        after_text = true;
        continue;
      }
      if (!piece.IsObject() || !piece.HasMember("SpecialToken") || !piece["SpecialToken"].IsObject() ||
          !piece["SpecialToken"].HasMember("id") || !piece["SpecialToken"]["id"].IsString()) {
        fail(piece_key, "must be {\"Sequence\": ...} or {\"SpecialToken\": {\"id\": \"...\"}}");
      }
      const std::string name = piece["SpecialToken"]["id"].GetString();
      std::vector<int32_t> ids;
      // special_tokens maps the name to its ids; a name missing there is looked up as a token.
      if (specials != p.MemberEnd() && specials->value.IsObject() && specials->value.HasMember(name.c_str())) {
        const Value& entry = specials->value[name.c_str()];
        if (!entry.IsObject() || !entry.HasMember("ids") || !entry["ids"].IsArray()) {
          fail(key + ".special_tokens[\"" + name + "\"].ids", "must be an array of ids");
        }
        for (const Value& id : entry["ids"].GetArray()) {
          if (!id.IsInt() || id.GetInt() < 0) fail(key + ".special_tokens[\"" + name + "\"].ids", "must hold ids >= 0");
          ids.push_back(id.GetInt());
        }
      } else {
        ids.push_back(id_of(name, piece_key));
      }
      auto& side = after_text ? out.suffix : out.prefix;
      side.insert(side.end(), ids.begin(), ids.end());
    }
    if (!after_text) fail(key + ".single", "has no {\"Sequence\": {\"id\": \"A\"}} for the text");
  }

  const BpeTokenizer& tokenizer_;
  std::string file_;
  std::string types_;  // the types applied, in order (a Sequence's members), for the frame's rule
};

}  // namespace

SpecialTokenFrame SpecialTokenFrame::from_json(const std::string& tokenizer_json,
                                               const std::string& tokenizer_config_json,
                                               const BpeTokenizer& tokenizer, const std::string& source_name) {
  SpecialTokenFrame frame;
  if (!tokenizer_config_json.empty()) {
    const std::string config_name = source_name + "/tokenizer_config.json";
    rapidjson::Document config = detail::parse_json_object(tokenizer_config_json, config_name);
    auto cls = config.FindMember("tokenizer_class");
    const std::string tokenizer_class = cls != config.MemberEnd() && cls->value.IsString() ? cls->value.GetString() : "";
    if (rebuilds_post_processor(tokenizer_class)) {
      FrameReader reader(tokenizer, config_name);
      auto flag = [&](const char* key, bool fallback) {
        auto it = config.FindMember(key);
        if (it == config.MemberEnd() || it->value.IsNull()) return fallback;
        if (!it->value.IsBool()) reader.fail(std::string("\"") + key + "\"", "must be true or false");
        return it->value.GetBool();
      };
      // transformers' defaults for these classes: <s> and </s>.
      auto named = [&](const char* key, const char* fallback) {
        auto it = config.FindMember(key);
        const std::string text = it == config.MemberEnd() ? fallback : token_text(it->value);
        return reader.id_of(text.empty() ? fallback : text, std::string("\"") + key + "\"");
      };
      const bool bos = flag("add_bos_token", true), eos = flag("add_eos_token", false);
      if (bos) frame.prefix.push_back(named("bos_token", "<s>"));
      if (eos) frame.suffix.push_back(named("eos_token", "</s>"));
      frame.rule = "tokenizer_config.json: " + tokenizer_class + ", add_bos_token " + (bos ? "true" : "false") +
                   ", add_eos_token " + (eos ? "true" : "false");
      return frame;
    }
  }
  const std::string json_name = source_name + "/tokenizer.json";
  rapidjson::Document doc = detail::parse_json_object(tokenizer_json, json_name);
  auto post = doc.FindMember("post_processor");
  if (post == doc.MemberEnd() || post->value.IsNull()) {
    frame.rule = "tokenizer.json: no post_processor (adds none)";
    return frame;
  }
  FrameReader reader(tokenizer, json_name);
  reader.read(post->value, "post_processor", frame);
  frame.rule = "tokenizer.json: post_processor " + std::string(post->value["type"].GetString()) + " (" +
               reader.types() + ")";
  return frame;
}

SpecialTokenFrame SpecialTokenFrame::from_model_dir(const std::string& dir, const BpeTokenizer& tokenizer) {
  namespace fs = std::filesystem;
  const std::string config_path = (fs::path(dir) / "tokenizer_config.json").string();
  std::error_code ec;
  const std::string config = fs::exists(config_path, ec) ? detail::read_text_file(config_path) : std::string();
  return from_json(detail::read_text_file((fs::path(dir) / "tokenizer.json").string()), config, tokenizer, dir);
}

std::vector<int32_t> SpecialTokenFrame::frame(const std::vector<int32_t>& text_ids) const {
  std::vector<int32_t> ids = prefix;
  ids.insert(ids.end(), text_ids.begin(), text_ids.end());
  ids.insert(ids.end(), suffix.begin(), suffix.end());
  return ids;
}

}  // namespace nineteen::text
