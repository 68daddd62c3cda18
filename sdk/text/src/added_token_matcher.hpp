// Finds added (and special) tokens in raw text before pre-tokenization: leftmost, longest first.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::text::detail {

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool special = false;
  bool lstrip = false;       // the match swallows whitespace on its left
  bool rstrip = false;       // ... and on its right
  bool single_word = false;  // only matches between non-word characters
};

struct TextSegment {
  std::string_view text;
  int32_t added_token_id;  // -1: ordinary text for the pre-tokenizer
};

class AddedTokenMatcher {
 public:
  void add(AddedToken token);  // a token with empty content is ignored
  // Cuts text into ordinary stretches and added tokens. With match_special = false only
  // non-special added tokens are looked for. Views point into `text`.
  void split(std::string_view text, bool match_special, std::vector<TextSegment>& segments) const;
  bool empty() const { return tokens_.empty(); }

 private:
  std::vector<AddedToken> tokens_;
  // Indices into tokens_ by first byte, longest content first.
  std::array<std::vector<uint32_t>, 256> by_first_byte_;
};

}  // namespace nineteen::text::detail
