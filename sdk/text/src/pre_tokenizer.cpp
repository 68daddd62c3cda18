// Split / ByteLevel / Sequence pre-tokenization, following Hugging Face tokenizers' semantics.
#include "pre_tokenizer.hpp"

#include "nineteen/sdk/error.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::text::detail {

const char* const kLlama3SplitPattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char* const kGpt2SplitPattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

namespace {

sdk::Error bad(const std::string& where, const std::string& key, const std::string& what) {
  return sdk::Error(NT_INVALID_ARGUMENT, where + ": " + key + " " + what);
}

bool optional_bool(const rapidjson::Value& object, const char* name, bool fallback, const std::string& where,
                   const std::string& key) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return fallback;
  if (!it->value.IsBool()) {
    throw bad(where, key + "." + name,
              std::string("must be true or false, got ") + sdk::json_type_name(it->value));
  }
  return it->value.GetBool();
}

SplitBehavior parse_behavior(const rapidjson::Value& object, const std::string& where,
                             const std::string& key) {
  auto it = object.FindMember("behavior");
  if (it == object.MemberEnd()) return SplitBehavior::Isolated;
  std::string name = it->value.IsString() ? it->value.GetString() : "";
  if (name == "Removed") return SplitBehavior::Removed;
  if (name == "Isolated") return SplitBehavior::Isolated;
  if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (name == "Contiguous") return SplitBehavior::Contiguous;
  throw bad(
      where, key + ".behavior",
      "is \"" + name + "\"; expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous");
}

struct Span {
  size_t start, end;
  bool is_delimiter;
};

// Hugging Face's SplitDelimiterBehavior applied to a covering list of spans.
std::vector<Span> apply_behavior(const std::vector<Span>& spans, SplitBehavior behavior) {
  std::vector<Span> out;
  bool previous_delimiter = false;
  switch (behavior) {
    case SplitBehavior::Isolated:
      return spans;
    case SplitBehavior::Removed:
      for (const Span& s : spans)
        if (!s.is_delimiter) out.push_back(s);
      return out;
    case SplitBehavior::Contiguous:
      for (const Span& s : spans) {
        if (!out.empty() && s.is_delimiter == previous_delimiter) {
          out.back().end = s.end;
        } else {
          out.push_back(s);
        }
        previous_delimiter = s.is_delimiter;
      }
      return out;
    case SplitBehavior::MergedWithPrevious:
      for (const Span& s : spans) {
        if (s.is_delimiter && !previous_delimiter && !out.empty()) {
          out.back().end = s.end;
        } else {
          out.push_back(s);
        }
        previous_delimiter = s.is_delimiter;
      }
      return out;
    case SplitBehavior::MergedWithNext:
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_delimiter && !previous_delimiter && !out.empty()) {
          out.back().start = it->start;
        } else {
          out.push_back(*it);
        }
        previous_delimiter = it->is_delimiter;
      }
      return std::vector<Span>(out.rbegin(), out.rend());
  }
  return out;
}

}  // namespace

PreTokenizer PreTokenizer::from_json(const rapidjson::Value& value, const std::string& where) {
  PreTokenizer pre_tokenizer;
  bool seen_byte_level = false;
  pre_tokenizer.add_step(value, where, "pre_tokenizer", seen_byte_level);
  if (!seen_byte_level) {
    throw bad(where, "pre_tokenizer",
              "has no ByteLevel step; only byte-level BPE tokenizers (GPT-2 / Llama 3 family) are supported");
  }
  return pre_tokenizer;
}

PreTokenizer PreTokenizer::llama3(const std::string& where) {
  PreTokenizer pre_tokenizer;
  Step split;
  split.regex.emplace(kLlama3SplitPattern, false, where);
  pre_tokenizer.steps_.push_back(std::move(split));
  pre_tokenizer.steps_.push_back(Step{});  // ByteLevel, no regex, no prefix space: only respells bytes
  return pre_tokenizer;
}

void PreTokenizer::add_step(const rapidjson::Value& value, const std::string& where, const std::string& key,
                            bool& seen_byte_level) {
  if (!value.IsObject())
    throw bad(where, key, std::string("must be an object, got ") + sdk::json_type_name(value));
  auto type_it = value.FindMember("type");
  std::string type =
      type_it != value.MemberEnd() && type_it->value.IsString() ? type_it->value.GetString() : "";
  if (type == "Sequence") {
    auto list = value.FindMember("pretokenizers");
    if (list == value.MemberEnd() || !list->value.IsArray()) {
      throw bad(where, key + ".pretokenizers", "must be an array of pre-tokenizers");
    }
    for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
      add_step(list->value[i], where, key + ".pretokenizers[" + std::to_string(i) + "]", seen_byte_level);
    }
  } else if (type == "Split") {
    if (seen_byte_level) {
      throw bad(where, key, "is a Split after a ByteLevel step; only Split before ByteLevel is supported");
    }
    auto pattern = value.FindMember("pattern");
    if (pattern == value.MemberEnd() || !pattern->value.IsObject()) {
      throw bad(where, key + ".pattern", "must be {\"Regex\": \"...\"} or {\"String\": \"...\"}");
    }
    auto regex = pattern->value.FindMember("Regex");
    auto literal = pattern->value.FindMember("String");
    Step step;
    if (regex != pattern->value.MemberEnd() && regex->value.IsString()) {
      step.regex.emplace(regex->value.GetString(), false, where + ": " + key + ".pattern.Regex");
    } else if (literal != pattern->value.MemberEnd() && literal->value.IsString()) {
      step.regex.emplace(literal->value.GetString(), true, where + ": " + key + ".pattern.String");
    } else {
      throw bad(where, key + ".pattern", "must be {\"Regex\": \"...\"} or {\"String\": \"...\"}");
    }
    step.behavior = parse_behavior(value, where, key);
    step.invert = optional_bool(value, "invert", false, where, key);
    steps_.push_back(std::move(step));
  } else if (type == "ByteLevel") {
    seen_byte_level = true;
    Step step;
    step.add_prefix_space = optional_bool(value, "add_prefix_space", true, where, key);
    if (optional_bool(value, "use_regex", true, where, key)) {
      step.regex.emplace(kGpt2SplitPattern, false, where + ": " + key);
    }
    steps_.push_back(std::move(step));
  } else {
    throw bad(where, key + ".type",
              "is \"" + type + "\"; supported pre-tokenizers are Split, ByteLevel and Sequence");
  }
}

void PreTokenizer::split(std::string_view segment, std::vector<std::string_view>& pieces,
                         std::deque<std::string>& storage) const {
  std::vector<std::string_view> current{segment};
  std::vector<std::string_view> next;
  std::vector<ByteRange> matches;
  std::vector<Span> spans;
  for (const Step& step : steps_) {
    next.clear();
    for (std::string_view piece : current) {
      if (step.add_prefix_space && (piece.empty() || piece[0] != ' ')) {
        storage.push_back(" " + std::string(piece));
        piece = storage.back();
      }
      if (!step.regex) {
        next.push_back(piece);
        continue;
      }
      matches.clear();
      step.regex->find_all(piece, matches);
      spans.clear();
      size_t previous_end = 0;
      for (const ByteRange& m : matches) {
        if (m.first > previous_end) spans.push_back({previous_end, m.first, step.invert});
        spans.push_back({m.first, m.second, !step.invert});
        previous_end = m.second;
      }
      if (previous_end < piece.size()) spans.push_back({previous_end, piece.size(), step.invert});
      for (const Span& s : apply_behavior(spans, step.behavior)) {
        if (s.end > s.start) next.push_back(piece.substr(s.start, s.end - s.start));
      }
    }
    current.swap(next);
  }
  for (std::string_view piece : current) {
    if (!piece.empty()) pieces.push_back(piece);
  }
}

}  // namespace nineteen::text::detail
