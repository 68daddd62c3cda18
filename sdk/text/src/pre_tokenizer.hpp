// The pre-tokenizer of a tokenizer.json: cuts text into pieces that BPE then merges within.
#pragma once

#include <rapidjson/document.h>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unicode_regex.hpp"

namespace nineteen::text::detail {

// Llama 3's Split regex (digits in runs of at most three, contractions case-insensitive).
extern const char* const kLlama3SplitPattern;
// GPT-2's regex, used by a ByteLevel pre-tokenizer with use_regex = true.
extern const char* const kGpt2SplitPattern;

// Hugging Face's SplitDelimiterBehavior.
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

class PreTokenizer {
 public:
  // Supports Split (Regex or String pattern, any behavior, invert), ByteLevel (add_prefix_space,
  // use_regex) and Sequence of those. `where` names the file. Throws sdk::Error(NT_INVALID_ARGUMENT)
  // naming the key for any other type, for a Split after a ByteLevel (its regex would see the
  // byte-level spelling, which this byte-based implementation does not build), or when no ByteLevel
  // step is present (the vocabulary would not be byte-level).
  static PreTokenizer from_json(const rapidjson::Value& value, const std::string& where);
  // Split(Llama 3 regex, Isolated) then ByteLevel without regex: what the trainer writes.
  static PreTokenizer llama3(const std::string& where);

  // Cuts one segment (text between added tokens) into non-empty pieces of raw bytes. Pieces view
  // `segment`, or `storage` where a step had to add a prefix space.
  void split(std::string_view segment, std::vector<std::string_view>& pieces,
             std::deque<std::string>& storage) const;

 private:
  struct Step {
    std::optional<UnicodeRegex> regex;  // none: a ByteLevel step without regex
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
    bool add_prefix_space = false;
  };

  void add_step(const rapidjson::Value& value, const std::string& where, const std::string& key,
                bool& seen_byte_level);

  std::vector<Step> steps_;
};

}  // namespace nineteen::text::detail
