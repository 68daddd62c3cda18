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
// SentencePiece's spelling of a space, U+2581.
const char* const kMetaspace = "\xE2\x96\x81";

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

  // The normalizer's steps: NFC (Qwen2's), and for SentencePiece-style files Prepend("▁") and
  // Replace(" " -> "▁") (Llama 2 / Phi-3), in a Sequence or alone; anything else is refused by name.
  std::vector<NormalizerStep> read_normalizer(const Value& root) const {
    std::vector<NormalizerStep> steps;
    auto it = root.FindMember("normalizer");
    if (it == root.MemberEnd() || it->value.IsNull()) return steps;
    read_normalizer_step(it->value, "normalizer", steps);
    return steps;
  }

  void read_normalizer_step(const Value& value, const std::string& key, std::vector<NormalizerStep>& steps) const {
    std::string type = value.IsObject() ? optional_string(value, "type", key + ".type") : "?";
    if (type == "NFC") {
      steps.push_back({NormalizerStep::Nfc, "", ""});
    } else if (type == "Sequence") {
      auto list = value.FindMember("normalizers");
      if (list == value.MemberEnd() || !list->value.IsArray()) fail(key + ".normalizers", "must be an array");
      for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
        read_normalizer_step(list->value[i], key + ".normalizers[" + std::to_string(i) + "]", steps);
      }
    } else if (type == "Prepend") {
      steps.push_back({NormalizerStep::Prepend, optional_string(value, "prepend", key + ".prepend"), ""});
    } else if (type == "Replace") {
      auto pattern = value.FindMember("pattern");
      if (pattern == value.MemberEnd() || !pattern->value.IsObject() || !pattern->value.HasMember("String") ||
          !pattern->value["String"].IsString() || pattern->value["String"].GetStringLength() == 0) {
        fail(key + ".pattern", "must be {\"String\": \"...\"} (a Regex pattern is not supported)");
      }
      steps.push_back({NormalizerStep::Replace, pattern->value["String"].GetString(),
                       optional_string(value, "content", key + ".content")});
    } else {
      fail(key, "is \"" + type +
                    "\"; only NFC or no normalizer (null) is supported (and for SentencePiece-style BPE, Prepend, "
                    "Replace with a String pattern and Sequence of them)");
    }
  }

  // What the decoder does beyond joining token bytes: "▁" spelt as a space (Replace, Metaspace),
  // and leading spaces cut from the text (Strip start, Metaspace with a prepend scheme).
  struct DecoderFacts {
    bool byte_level = false;
    bool byte_fallback = false;  // <0xNN> tokens decode to their byte (else to their spelling)
    bool spaces_from_replacement = false;
    int strip_leading_spaces = 0;
  };
  DecoderFacts check_decoder(const Value& root) const {
    DecoderFacts facts;
    auto it = root.FindMember("decoder");
    if (it == root.MemberEnd() || it->value.IsNull()) return facts;
    check_decoder_step(it->value, "decoder", facts);
    return facts;
  }

  // Decoding here is byte concatenation (then the leading spaces cut); these are the decoders for
  // which that is exact.
  void check_decoder_step(const Value& decoder, const std::string& key, DecoderFacts& facts) const {
    if (!decoder.IsObject()) fail(key, "must be an object");
    std::string type = optional_string(decoder, "type", key + ".type");
    if (type == "Sequence") {
      auto list = decoder.FindMember("decoders");
      if (list == decoder.MemberEnd() || !list->value.IsArray()) fail(key + ".decoders", "must be an array");
      for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
        check_decoder_step(list->value[i], key + ".decoders[" + std::to_string(i) + "]", facts);
      }
    } else if (type == "ByteLevel") {
      facts.byte_level = true;
    } else if (type == "Replace") {
      auto pattern = decoder.FindMember("pattern");
      if (pattern == decoder.MemberEnd() || !pattern->value.IsObject() || !pattern->value.HasMember("String") ||
          !pattern->value["String"].IsString() || std::string(pattern->value["String"].GetString()) != kMetaspace ||
          optional_string(decoder, "content", key + ".content") != " ") {
        fail(key, "is a Replace other than \"▁\" -> \" \", which is not supported");
      }
      facts.spaces_from_replacement = true;
    } else if (type == "Strip") {
      if (optional_string(decoder, "content", key + ".content") != " " || count(decoder, "stop", key) != 0) {
        fail(key, "is a Strip other than of leading spaces (content \" \", stop 0), which is not supported");
      }
      facts.strip_leading_spaces = static_cast<int>(count(decoder, "start", key));
    } else if (type == "Metaspace") {
      if (optional_string(decoder, "replacement", key + ".replacement") != kMetaspace) {
        fail(key + ".replacement", "must be \"▁\"");
      }
      facts.spaces_from_replacement = true;
      facts.strip_leading_spaces = prepend_scheme(decoder, key) == MetaspaceStep::Never ? 0 : 1;
    } else if (type == "ByteFallback") {
      facts.byte_fallback = true;
    } else if (type != "Fuse") {
      fail(key + ".type", "is \"" + type +
                              "\"; supported decoders are ByteLevel, ByteFallback, Fuse, Replace (\"▁\" -> \" \"), "
                              "Strip, Metaspace and Sequence");
    }
  }

  int64_t count(const Value& object, const char* name, const std::string& key) const {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || it->value.IsNull()) return 0;
    if (!it->value.IsInt64() || it->value.GetInt64() < 0 || it->value.GetInt64() > 16) {
      fail(key + "." + name, "must be an integer from 0 to 16");
    }
    return it->value.GetInt64();
  }

  // prepend_scheme "always" / "first" / "never", or the older add_prefix_space (true = always).
  MetaspaceStep::Scheme prepend_scheme(const Value& value, const std::string& key) const {
    auto scheme = value.FindMember("prepend_scheme");
    if (scheme != value.MemberEnd() && !scheme->value.IsNull()) {
      std::string name = scheme->value.IsString() ? scheme->value.GetString() : "";
      if (name == "always") return MetaspaceStep::Always;
      if (name == "first") return MetaspaceStep::First;
      if (name == "never") return MetaspaceStep::Never;
      fail(key + ".prepend_scheme", "must be \"always\", \"first\" or \"never\"");
    }
    auto add = value.FindMember("add_prefix_space");
    if (add != value.MemberEnd() && add->value.IsBool()) return add->value.GetBool() ? MetaspaceStep::Always : MetaspaceStep::Never;
    return MetaspaceStep::Always;
  }

  MetaspaceStep read_metaspace(const Value& value, const std::string& key) const {
    MetaspaceStep step;
    std::string replacement = optional_string(value, "replacement", key + ".replacement");
    if (!replacement.empty() && replacement != kMetaspace) fail(key + ".replacement", "must be \"▁\"");
    step.prepend = prepend_scheme(value, key);
    auto split = value.FindMember("split");
    step.split = split == value.MemberEnd() || split->value.IsNull() ? true : optional_bool(value, "split", key + ".split");
    return step;
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
    std::vector<NormalizerStep> normalizers = read_normalizer(document);
    const DecoderFacts decoder = check_decoder(document);
    // SentencePiece style: no ByteLevel anywhere, and spaces become "▁" (a Metaspace pre-tokenizer
    // or a Replace normalizer).
    auto pre = document.FindMember("pre_tokenizer");
    const bool no_pre = pre == document.MemberEnd() || pre->value.IsNull();
    const bool metaspace_pre = !no_pre && pre->value.IsObject() &&
                               optional_string(pre->value, "type", "pre_tokenizer.type") == "Metaspace";
    bool replaces_spaces = false;
    for (const NormalizerStep& step : normalizers) replaces_spaces = replaces_spaces || step.kind == NormalizerStep::Replace;
    const bool char_level = !decoder.byte_level && (metaspace_pre || (no_pre && replaces_spaces));
    bool nfc = false;
    for (const NormalizerStep& step : normalizers) {
      if (step.kind == NormalizerStep::Nfc) nfc = true;
      else if (!char_level) {
        fail("normalizer", "has Prepend/Replace steps, which only a SentencePiece-style tokenizer (no ByteLevel, "
                           "a Metaspace pre-tokenizer or none) uses; this file is byte-level: only NFC is supported");
      }
    }

    BpeMergerConfig config;
    config.source_name = source_;
    config.byte_token.fill(-1);
    config.byte_fallback_token.fill(-1);
    config.ignore_merges = optional_bool(model, "ignore_merges", "model.ignore_merges");
    config.fuse_unknown = optional_bool(model, "fuse_unk", "model.fuse_unk");
    config.char_level = char_level;
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
      // Byte-level files spell bytes with GPT-2's alphabet; SentencePiece-style ones spell text, "▁"
      // for a space (a space again when decoded, if the decoder says so).
      std::optional<std::string> raw = char_level ? std::optional<std::string>(name) : unspell(name);
      bytes[id] = raw ? *raw : name;
      if (char_level && decoder.spaces_from_replacement) bytes[id] = replace_all(name, kMetaspace, " ");
      int fallback_byte = byte_fallback ? parse_byte_fallback(name) : -1;
      if (fallback_byte >= 0) {
        // Byte-level files decode every token to bytes; a SentencePiece-style decoder without a
        // ByteFallback step leaves "<0xNN>" spelt out, as Hugging Face's does.
        if (!char_level || decoder.byte_fallback) bytes[id] = std::string(1, static_cast<char>(fallback_byte));
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

    std::optional<MetaspaceStep> metaspace;
    std::optional<PreTokenizer> pre_tokenizer;
    if (char_level) {
      if (metaspace_pre) metaspace = read_metaspace(pre->value, "pre_tokenizer");
    } else {
      if (no_pre) {
        fail("pre_tokenizer",
             "is missing; a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer (a SentencePiece-style one a "
             "Metaspace pre-tokenizer, or a Replace normalizer that spells spaces \"▁\")");
      }
      pre_tokenizer.emplace(PreTokenizer::from_json(pre->value, source_));
    }

    // A SentencePiece-style file has no byte-level pre-tokenizer: its slot holds an unused one.
    TokenizerModel loaded{source_, std::move(spelling), std::move(bytes), std::move(special), std::move(id_by_spelling),
                          std::move(matcher), pre_tokenizer ? std::move(*pre_tokenizer) : PreTokenizer::llama3(source_),
                          BpeMerger(std::move(config)), nfc, char_level,
                          char_level ? std::move(normalizers) : std::vector<NormalizerStep>{}, metaspace,
                          char_level ? decoder.strip_leading_spaces : 0};
    return std::make_shared<const TokenizerModel>(std::move(loaded));
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

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::shared_ptr<const TokenizerModel> load_tokenizer_model(std::string_view json,
                                                           const std::string& source_name) {
  return Loader(source_name).load(json);
}

}  // namespace nineteen::text::detail
