// WordPiece tokenizer.json I/O: reading Hugging Face's file (BertNormalizer, BertPreTokenizer,
// WordPiece model, TemplateProcessing, added tokens) and writing one back.
#include "nineteen/text/wordpiece_tokenizer.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "json_file.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"
#include "wordpiece_model.hpp"

namespace nineteen::text {

using sdk::Error;
using Model = WordPieceTokenizer::Model;

// ---------------------------------------------------------------------------------------------
// tokenizer.json

namespace {

using rapidjson::Value;

class JsonReader {
 public:
  explicit JsonReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const { detail::wordpiece_fail(source_, key, what); }

  const Value* member(const Value& object, const char* name) const {
    auto it = object.FindMember(name);
    return (it == object.MemberEnd() || it->value.IsNull()) ? nullptr : &it->value;
  }
  const Value& object(const Value& parent, const char* name, const std::string& key) const {
    const Value* v = member(parent, name);
    if (!v || !v->IsObject()) fail(key, std::string("must be an object, got ") + (v ? sdk::json_type_name(*v) : "nothing"));
    return *v;
  }
  bool boolean(const Value& object, const char* name, const std::string& key, bool fallback) const {
    const Value* v = member(object, name);
    if (!v) return fallback;
    if (!v->IsBool()) fail(key, std::string("must be true or false, got ") + sdk::json_type_name(*v));
    return v->GetBool();
  }
  std::string string(const Value& object, const char* name, const std::string& key, std::string fallback) const {
    const Value* v = member(object, name);
    if (!v) return fallback;
    if (!v->IsString()) fail(key, std::string("must be a string, got ") + sdk::json_type_name(*v));
    return std::string(v->GetString(), v->GetStringLength());
  }
  int64_t integer(const Value& v, const std::string& key, int64_t lo, int64_t hi) const {
    if (!v.IsInt64() || v.GetInt64() < lo || v.GetInt64() > hi) {
      fail(key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return v.GetInt64();
  }
  std::string type_of(const Value& object, const std::string& key) const {
    if (!object.IsObject()) fail(key, std::string("must be an object, got ") + sdk::json_type_name(object));
    return string(object, "type", key + ".type", "");
  }

  // A post-processor's special token: TemplateProcessing's {"SpecialToken": {"id": "[CLS]"}}.
  std::string template_special(const Value& item, const std::string& key) const {
    if (!item.IsObject()) fail(key, "must be an object");
    const Value* special = member(item, "SpecialToken");
    if (!special) return "";
    return string(object(item, "SpecialToken", key + ".SpecialToken"), "id", key + ".SpecialToken.id", "");
  }

  void read_post_processor(const Value& root, WordPieceSettings& s) const {
    s.cls_token.clear();
    s.sep_token.clear();
    const Value* post = member(root, "post_processor");
    if (!post) return;
    const std::string type = type_of(*post, "post_processor");
    if (type == "BertProcessing" || type == "RobertaProcessing") {
      for (auto [name, target] : {std::pair<const char*, std::string*>{"cls", &s.cls_token}, {"sep", &s.sep_token}}) {
        const Value* pair = member(*post, name);
        std::string key = std::string("post_processor.") + name;
        if (!pair || !pair->IsArray() || pair->Size() != 2 || !(*pair)[0].IsString()) {
          fail(key, "must be a [token, id] pair");
        }
        *target = (*pair)[0].GetString();
      }
      return;
    }
    if (type != "TemplateProcessing") {
      fail("post_processor.type", "is \"" + type +
                                      "\"; supported: BertProcessing, RobertaProcessing, TemplateProcessing or null");
    }
    const Value* single = member(*post, "single");
    if (!single || !single->IsArray()) fail("post_processor.single", "must be an array");
    // The one shape BERT uses: at most one special token before the sequence and one after.
    int sequence_at = -1;
    for (rapidjson::SizeType i = 0; i < single->Size(); ++i) {
      std::string key = "post_processor.single[" + std::to_string(i) + "]";
      std::string special = template_special((*single)[i], key);
      if (special.empty()) {
        if (!member((*single)[i], "Sequence") || sequence_at >= 0) fail(key, "must be a SpecialToken or the one Sequence");
        sequence_at = static_cast<int>(i);
      } else if (sequence_at < 0 && s.cls_token.empty()) {
        s.cls_token = special;
      } else if (sequence_at >= 0 && s.sep_token.empty()) {
        s.sep_token = special;
      } else {
        fail(key, "is a second special token on one side; only [CLS] $A [SEP]-shaped templates are supported");
      }
    }
    if (sequence_at < 0) fail("post_processor.single", "has no Sequence item");
  }

  WordPieceTokenizer::Model read(std::string_view json, std::vector<detail::AddedToken>& added) const {
    rapidjson::Document document = detail::parse_json_object(json, source_);
    WordPieceTokenizer::Model m;
    m.source = source_;
    WordPieceSettings& s = m.settings;
    s.special_tokens.clear();

    const Value& model = object(document, "model", "model");
    const std::string model_type = string(model, "type", "model.type", "");
    if (model_type != "WordPiece") {
      fail("model.type", "is \"" + model_type + "\"; this tokenizer reads \"WordPiece\" (BERT family) models");
    }
    s.unk_token = string(model, "unk_token", "model.unk_token", "[UNK]");
    s.continuing_subword_prefix = string(model, "continuing_subword_prefix", "model.continuing_subword_prefix", "##");
    if (const Value* v = member(model, "max_input_chars_per_word")) {
      s.max_input_chars_per_word = static_cast<size_t>(integer(*v, "model.max_input_chars_per_word", 1, 1 << 20));
    }

    const Value& vocab = object(model, "vocab", "model.vocab");
    constexpr int64_t kMaxId = (1 << 24) - 1;
    for (auto it = vocab.MemberBegin(); it != vocab.MemberEnd(); ++it) {
      std::string token(it->name.GetString(), it->name.GetStringLength());
      const int64_t id = integer(it->value, "model.vocab[\"" + token + "\"]", 0, kMaxId);
      if (static_cast<size_t>(id) >= m.vocab.size()) m.vocab.resize(id + 1);
      if (!m.vocab[id].empty()) {
        fail("model.vocab", "gives id " + std::to_string(id) + " to both \"" + m.vocab[id] + "\" and \"" + token + "\"");
      }
      if (token.empty()) fail("model.vocab", "has an empty token");
      m.vocab[id] = std::move(token);
    }
    if (m.vocab.empty()) fail("model.vocab", "is empty");

    if (const Value* list = member(document, "added_tokens")) {
      if (!list->IsArray()) fail("added_tokens", "must be an array");
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const std::string key = "added_tokens[" + std::to_string(i) + "]";
        const Value& item = (*list)[i];
        if (!item.IsObject() || !member(item, "id")) fail(key, "must be an object with id and content");
        detail::AddedToken t;
        t.id = static_cast<int32_t>(integer(*member(item, "id"), key + ".id", 0, kMaxId));
        t.content = string(item, "content", key + ".content", "");
        if (t.content.empty()) fail(key + ".content", "must be a non-empty string");
        t.special = boolean(item, "special", key + ".special", false);
        t.lstrip = boolean(item, "lstrip", key + ".lstrip", false);
        t.rstrip = boolean(item, "rstrip", key + ".rstrip", false);
        t.single_word = boolean(item, "single_word", key + ".single_word", false);
        if (static_cast<size_t>(t.id) >= m.vocab.size()) m.vocab.resize(t.id + 1);
        if (m.vocab[t.id].empty()) m.vocab[t.id] = t.content;
        if (m.vocab[t.id] != t.content) {
          fail(key, "gives id " + std::to_string(t.id) + " to \"" + t.content + "\", but model.vocab gives it to \"" +
                        m.vocab[t.id] + "\"");
        }
        s.special_tokens.push_back(t.content);
        added.push_back(std::move(t));
      }
    }

    if (const Value* normalizer = member(document, "normalizer")) {
      const std::string type = type_of(*normalizer, "normalizer");
      if (type != "BertNormalizer") {
        fail("normalizer.type", "is \"" + type + "\"; supported: BertNormalizer or null");
      }
      BertNormalization& n = s.normalization;
      n.clean_text = boolean(*normalizer, "clean_text", "normalizer.clean_text", true);
      n.handle_chinese_chars = boolean(*normalizer, "handle_chinese_chars", "normalizer.handle_chinese_chars", true);
      n.lowercase = boolean(*normalizer, "lowercase", "normalizer.lowercase", true);
      if (member(*normalizer, "strip_accents")) {
        n.strip_accents = boolean(*normalizer, "strip_accents", "normalizer.strip_accents", false);
      }
    } else {
      s.normalization = BertNormalization{false, false, false, false};
    }

    const Value* pre = member(document, "pre_tokenizer");
    const std::string pre_type = pre ? type_of(*pre, "pre_tokenizer") : "null";
    if (pre_type != "BertPreTokenizer") {
      fail("pre_tokenizer.type", "is \"" + pre_type + "\"; a WordPiece tokenizer here needs BertPreTokenizer");
    }
    read_post_processor(document, s);
    if (const Value* truncation = member(document, "truncation")) {
      if (!truncation->IsObject()) fail("truncation", "must be an object or null");
      if (const Value* max = member(*truncation, "max_length")) {
        s.max_length = static_cast<size_t>(integer(*max, "truncation.max_length", 1, kMaxId));
      }
    }
    return m;
  }

 private:
  std::string source_;
};

using PrettyWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void write_string(PrettyWriter& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_template_special(PrettyWriter& w, const std::string& token) {
  w.StartObject();
  w.Key("SpecialToken");
  w.StartObject();
  w.Key("id");
  write_string(w, token);
  w.Key("type_id");
  w.Int(0);
  w.EndObject();
  w.EndObject();
}

}  // namespace

WordPieceTokenizer WordPieceTokenizer::from_json(std::string_view json, const std::string& source_name) {
  std::vector<detail::AddedToken> added;
  auto m = std::make_shared<Model>(JsonReader(source_name).read(json, added));
  return WordPieceTokenizer(detail::finish_model(std::move(m), added));
}

WordPieceTokenizer WordPieceTokenizer::from_file(const std::string& path) {
  return from_json(detail::read_text_file(path), path);
}

std::string WordPieceTokenizer::to_json() const {
  const Model& m = *model_;
  const WordPieceSettings& s = m.settings;
  rapidjson::StringBuffer buffer;
  PrettyWriter w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("version");
  w.String("1.0");
  w.Key("truncation");
  if (s.max_length) {
    w.StartObject();
    w.Key("direction");
    w.String("Right");
    w.Key("max_length");
    w.Uint64(s.max_length);
    w.Key("strategy");
    w.String("LongestFirst");
    w.Key("stride");
    w.Int(0);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("padding");
  w.Null();
  w.Key("added_tokens");
  w.StartArray();
  for (const std::string& special : s.special_tokens) {
    w.StartObject();
    w.Key("id");
    w.Int(*m.find(special));
    w.Key("content");
    write_string(w, special);
    w.Key("single_word");
    w.Bool(false);
    w.Key("lstrip");
    w.Bool(false);
    w.Key("rstrip");
    w.Bool(false);
    w.Key("normalized");
    w.Bool(false);
    w.Key("special");
    w.Bool(true);
    w.EndObject();
  }
  w.EndArray();
  w.Key("normalizer");
  w.StartObject();
  w.Key("type");
  w.String("BertNormalizer");
  w.Key("clean_text");
  w.Bool(s.normalization.clean_text);
  w.Key("handle_chinese_chars");
  w.Bool(s.normalization.handle_chinese_chars);
  w.Key("strip_accents");
  if (s.normalization.strip_accents) {
    w.Bool(*s.normalization.strip_accents);
  } else {
    w.Null();
  }
  w.Key("lowercase");
  w.Bool(s.normalization.lowercase);
  w.EndObject();
  w.Key("pre_tokenizer");
  w.StartObject();
  w.Key("type");
  w.String("BertPreTokenizer");
  w.EndObject();
  w.Key("post_processor");
  if (m.cls || m.sep) {
    w.StartObject();
    w.Key("type");
    w.String("TemplateProcessing");
    w.Key("single");
    w.StartArray();
    if (m.cls) write_template_special(w, s.cls_token);
    w.StartObject();
    w.Key("Sequence");
    w.StartObject();
    w.Key("id");
    w.String("A");
    w.Key("type_id");
    w.Int(0);
    w.EndObject();
    w.EndObject();
    if (m.sep) write_template_special(w, s.sep_token);
    w.EndArray();
    w.Key("special_tokens");
    w.StartObject();
    for (const std::string* token : {&s.cls_token, &s.sep_token}) {
      if (token->empty()) continue;
      w.Key(token->c_str());
      w.StartObject();
      w.Key("id");
      write_string(w, *token);
      w.Key("ids");
      w.StartArray();
      w.Int(*m.find(*token));
      w.EndArray();
      w.Key("tokens");
      w.StartArray();
      write_string(w, *token);
      w.EndArray();
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("decoder");
  w.StartObject();
  w.Key("type");
  w.String("WordPiece");
  w.Key("prefix");
  write_string(w, s.continuing_subword_prefix);
  w.Key("cleanup");
  w.Bool(true);
  w.EndObject();
  w.Key("model");
  w.StartObject();
  w.Key("type");
  w.String("WordPiece");
  w.Key("unk_token");
  write_string(w, s.unk_token);
  w.Key("continuing_subword_prefix");
  write_string(w, s.continuing_subword_prefix);
  w.Key("max_input_chars_per_word");
  w.Uint64(s.max_input_chars_per_word);
  w.Key("vocab");
  w.StartObject();
  for (size_t id = 0; id < m.vocab.size(); ++id) {
    if (m.vocab[id].empty()) continue;
    write_string(w, m.vocab[id]);
    w.Int(static_cast<int>(id));
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace nineteen::text
