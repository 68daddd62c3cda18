// Reads a Hugging Face tokenizer.json into a TokenizerModel, checking every key it relies on.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "byte_level_alphabet.hpp"
#include "json_file.hpp"
#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"
#include "tokenizer_model.hpp"

namespace nineteen::text::detail {
namespace {

using rapidjson::Value;

// Generous for any real vocabulary (Llama 3 has 128k), small enough that a corrupt id cannot
// make us allocate gigabytes.
constexpr int64_t kMaxTokenId = (1 << 24) - 1;

class Loader {
 public:
  explicit Loader(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw sdk::Error(NT_INVALID_ARGUMENT, source_ + ": " + key + " " + what);
  }

  const Value& required_member(const Value& object, const char* name, const std::string& key) const {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd())
      fail(key, "is missing; expected a Hugging Face tokenizer.json with a BPE model");
    return it->value;
  }

  bool optional_bool(const Value& object, const char* name, const std::string& key) const {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || it->value.IsNull()) return false;
    if (!it->value.IsBool())
      fail(key, std::string("must be true or false, got ") + sdk::json_type_name(it->value));
    return it->value.GetBool();
  }

  std::string optional_string(const Value& object, const char* name, const std::string& key) const {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || it->value.IsNull()) return "";
    if (!it->value.IsString())
      fail(key, std::string("must be a string, got ") + sdk::json_type_name(it->value));
    return it->value.GetString();
  }

  int32_t token_id(const Value& value, const std::string& key) const {
    if (!value.IsInt64() || value.GetInt64() < 0 || value.GetInt64() > kMaxTokenId) {
      fail(key, "must be a token id (an integer from 0 to " + std::to_string(kMaxTokenId) + ")");
    }
    return static_cast<int32_t>(value.GetInt64());
  }

  // True for NFC (Qwen2's normalizer), false for none; anything else is refused by name.
  bool check_normalizer(const Value& root) const {
    auto it = root.FindMember("normalizer");
    if (it == root.MemberEnd() || it->value.IsNull()) return false;
    std::string type = it->value.IsObject() ? optional_string(it->value, "type", "normalizer.type") : "?";
    if (type == "NFC") return true;
    fail("normalizer", "is \"" + type + "\"; only NFC or no normalizer (null) is supported");
    return false;
  }

  void check_decoder(const Value& root) const {
    auto it = root.FindMember("decoder");
    if (it == root.MemberEnd() || it->value.IsNull()) return;
    check_decoder_step(it->value, "decoder");
  }

  // Decoding here is byte concatenation; these are the decoders for which that is exact.
  void check_decoder_step(const Value& decoder, const std::string& key) const {
    if (!decoder.IsObject()) fail(key, "must be an object");
    std::string type = optional_string(decoder, "type", key + ".type");
    if (type == "Sequence") {
      auto list = decoder.FindMember("decoders");
      if (list == decoder.MemberEnd() || !list->value.IsArray()) fail(key + ".decoders", "must be an array");
      for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
        check_decoder_step(list->value[i], key + ".decoders[" + std::to_string(i) + "]");
      }
    } else if (type != "ByteLevel" && type != "ByteFallback" && type != "Fuse") {
      fail(key + ".type",
           "is \"" + type + "\"; supported decoders are ByteLevel, ByteFallback, Fuse and Sequence");
    }
  }

  std::shared_ptr<const TokenizerModel> load(std::string_view json) {
    rapidjson::Document document = parse_json_object(json, source_);
    const Value& model = required_member(document, "model", "key \"model\"");
    if (!model.IsObject()) fail("model", std::string("must be an object, got ") + sdk::json_type_name(model));
    auto type = model.FindMember("type");
    if (type != model.MemberEnd()) {  // old GPT-2 files omit the type
      std::string name = type->value.IsString() ? type->value.GetString() : sdk::json_type_name(type->value);
      if (name != "BPE") {
        fail("model.type",
             "is \"" + name + "\"; only \"BPE\" (byte-level, GPT-2 / Llama 3 family) is supported");
      }
    }
    if (!optional_string(model, "continuing_subword_prefix", "model.continuing_subword_prefix").empty() ||
        !optional_string(model, "end_of_word_suffix", "model.end_of_word_suffix").empty()) {
      fail("model",
           "uses continuing_subword_prefix or end_of_word_suffix, which byte-level BPE does not; "
           "set them to null");
    }
    const bool nfc = check_normalizer(document);
    check_decoder(document);

    BpeMergerConfig config;
    config.source_name = source_;
    config.byte_token.fill(-1);
    config.byte_fallback_token.fill(-1);
    config.ignore_merges = optional_bool(model, "ignore_merges", "model.ignore_merges");
    config.fuse_unknown = optional_bool(model, "fuse_unk", "model.fuse_unk");
    bool byte_fallback = optional_bool(model, "byte_fallback", "model.byte_fallback");

    // Vocabulary.
    const Value& vocab = required_member(model, "vocab", "key \"model.vocab\"");
    if (!vocab.IsObject())
      fail("model.vocab", std::string("must be an object of token: id, got ") + sdk::json_type_name(vocab));
    int32_t max_id = -1;
    for (auto it = vocab.MemberBegin(); it != vocab.MemberEnd(); ++it) {
      max_id =
          std::max(max_id, token_id(it->value, "model.vocab[\"" + std::string(it->name.GetString()) + "\"]"));
    }
    const Value* added = nullptr;
    if (auto it = document.FindMember("added_tokens"); it != document.MemberEnd() && !it->value.IsNull()) {
      if (!it->value.IsArray()) fail("added_tokens", "must be an array");
      added = &it->value;
      for (rapidjson::SizeType i = 0; i < added->Size(); ++i) {
        const Value& token = (*added)[i];
        std::string key = "added_tokens[" + std::to_string(i) + "]";
        if (!token.IsObject()) fail(key, "must be an object with id and content");
        max_id = std::max(max_id, token_id(required_member(token, "id", key + ".id"), key + ".id"));
      }
    }
    if (max_id < 0) fail("model.vocab", "is empty");

    size_t size = static_cast<size_t>(max_id) + 1;
    std::vector<std::string> spelling(size), bytes(size);
    std::vector<bool> special(size, false);
    std::unordered_map<std::string, int32_t> id_by_spelling;
    id_by_spelling.reserve(size);
    config.id_by_bytes.reserve(size);
    for (auto it = vocab.MemberBegin(); it != vocab.MemberEnd(); ++it) {
      int32_t id = it->value.GetInt();
      std::string name(it->name.GetString(), it->name.GetStringLength());
      std::optional<std::string> raw = unspell(name);
      bytes[id] = raw ? *raw : name;
      int fallback_byte = byte_fallback ? parse_byte_fallback(name) : -1;
      if (fallback_byte >= 0) {
        bytes[id] = std::string(1, static_cast<char>(fallback_byte));
        config.byte_fallback_token[fallback_byte] = id;
      }
      // Keyed like Hugging Face's lookup of a piece's spelling: only spellable entries can match.
      if (raw) config.id_by_bytes.emplace(*raw, id);
      id_by_spelling.emplace(name, id);
      spelling[id] = std::move(name);
    }
    for (int b = 0; b < 256; ++b) {
      auto it = id_by_spelling.find(spell_bytes(std::string(1, static_cast<char>(b))));
      if (it != id_by_spelling.end()) config.byte_token[b] = it->second;
    }
    std::string unk = optional_string(model, "unk_token", "model.unk_token");
    if (!unk.empty()) {
      auto it = id_by_spelling.find(unk);
      if (it == id_by_spelling.end()) fail("model.unk_token", "\"" + unk + "\" is not in model.vocab");
      config.unknown_token = it->second;
    }

    load_merges(required_member(model, "merges", "key \"model.merges\""), id_by_spelling, config);

    AddedTokenMatcher matcher;
    if (added) {
      for (rapidjson::SizeType i = 0; i < added->Size(); ++i) {
        const Value& token = (*added)[i];
        std::string key = "added_tokens[" + std::to_string(i) + "]";
        AddedToken t;
        t.id = token.FindMember("id")->value.GetInt();
        t.content = optional_string(token, "content", key + ".content");
        if (t.content.empty()) fail(key + ".content", "must be a non-empty string");
        t.special = optional_bool(token, "special", key + ".special");
        t.lstrip = optional_bool(token, "lstrip", key + ".lstrip");
        t.rstrip = optional_bool(token, "rstrip", key + ".rstrip");
        t.single_word = optional_bool(token, "single_word", key + ".single_word");
        spelling[t.id] = t.content;
        bytes[t.id] = t.content;
        special[t.id] = t.special;
        id_by_spelling[t.content] = t.id;
        matcher.add(std::move(t));
      }
    }

    auto pre = document.FindMember("pre_tokenizer");
    if (pre == document.MemberEnd() || pre->value.IsNull()) {
      fail("pre_tokenizer", "is missing; a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer");
    }
    PreTokenizer pre_tokenizer = PreTokenizer::from_json(pre->value, source_);

    return std::make_shared<const TokenizerModel>(TokenizerModel{
        source_, std::move(spelling), std::move(bytes), std::move(special), std::move(id_by_spelling),
        std::move(matcher), std::move(pre_tokenizer), BpeMerger(std::move(config)), nfc});
  }

 private:
  // "<0x0A>" -> 10; -1 for anything else.
  static int parse_byte_fallback(const std::string& name) {
    unsigned value = 0;
    char tail = 0;
    if (name.size() != 6 || name.compare(0, 3, "<0x") != 0) return -1;
    if (std::sscanf(name.c_str(), "<0x%2X%c", &value, &tail) != 2 || tail != '>') return -1;
    return static_cast<int>(value);
  }

  void load_merges(const Value& merges, const std::unordered_map<std::string, int32_t>& id_by_spelling,
                   BpeMergerConfig& config) const {
    if (!merges.IsArray())
      fail("model.merges", "must be an array of \"left right\" strings or [left, right] pairs");
    config.merges.reserve(merges.Size());
    for (rapidjson::SizeType i = 0; i < merges.Size(); ++i) {
      std::string key = "model.merges[" + std::to_string(i) + "]";
      const Value& merge = merges[i];
      std::string left, right;
      if (merge.IsString()) {
        std::string text(merge.GetString(), merge.GetStringLength());
        size_t space = text.find(' ');
        if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
          fail(key, "\"" + text + "\" must be two tokens separated by one space");
        }
        left = text.substr(0, space);
        right = text.substr(space + 1);
      } else if (merge.IsArray() && merge.Size() == 2 && merge[0].IsString() && merge[1].IsString()) {
        left = merge[0].GetString();
        right = merge[1].GetString();
      } else {
        fail(key, "must be a \"left right\" string or a [\"left\", \"right\"] pair");
      }
      int32_t ids[3];
      const std::string parts[3] = {left, right, left + right};
      for (int k = 0; k < 3; ++k) {
        auto it = id_by_spelling.find(parts[k]);
        if (it == id_by_spelling.end())
          fail(key, "needs token \"" + parts[k] + "\", which is not in model.vocab");
        ids[k] = it->second;
      }
      // A repeated pair takes its last rank, as Hugging Face's map building does.
      config.merges.insert_or_assign(pair_key(ids[0], ids[1]), MergeRule{static_cast<int32_t>(i), ids[2]});
    }
  }

  std::string source_;
};

}  // namespace

std::shared_ptr<const TokenizerModel> load_tokenizer_model(std::string_view json,
                                                           const std::string& source_name) {
  return Loader(source_name).load(json);
}

}  // namespace nineteen::text::detail
