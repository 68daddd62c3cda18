// Leftmost-longest matching of added tokens, with Hugging Face's lstrip / rstrip / single_word.
#include "added_token_matcher.hpp"

#include <algorithm>

namespace nineteen::text::detail {
namespace {

// Hugging Face uses Unicode whitespace and \w here; ASCII covers every real tokenizer's use
// (lstrip on "<mask>"-style tokens), and any byte >= 0x80 counts as part of a word.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_word_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_';
}

}  // namespace

void AddedTokenMatcher::add(AddedToken token) {
  if (token.content.empty()) return;  // would match everywhere; loaders reject it with a message
  auto first = static_cast<unsigned char>(token.content[0]);
  tokens_.push_back(std::move(token));
  auto& bucket = by_first_byte_[first];
  bucket.push_back(static_cast<uint32_t>(tokens_.size() - 1));
  std::stable_sort(bucket.begin(), bucket.end(), [&](uint32_t a, uint32_t b) {
    return tokens_[a].content.size() > tokens_[b].content.size();
  });
}

void AddedTokenMatcher::split(std::string_view text, bool match_special,
                              std::vector<TextSegment>& segments) const {
  size_t plain_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const AddedToken* found = nullptr;
    for (uint32_t index : by_first_byte_[static_cast<unsigned char>(text[pos])]) {
      const AddedToken& token = tokens_[index];
      if (token.special && !match_special) continue;
      if (text.compare(pos, token.content.size(), token.content) != 0) continue;
      size_t end = pos + token.content.size();
      if (token.single_word &&
          ((pos > 0 && is_word_byte(text[pos - 1])) || (end < text.size() && is_word_byte(text[end])))) {
        continue;
      }
      found = &token;
      break;
    }
    if (!found) {
      ++pos;
      continue;
    }
    size_t start = pos;
    size_t end = pos + found->content.size();
    if (found->lstrip)
      while (start > plain_start && is_space(text[start - 1])) --start;
    if (found->rstrip)
      while (end < text.size() && is_space(text[end])) ++end;
    if (start > plain_start) segments.push_back({text.substr(plain_start, start - plain_start), -1});
    segments.push_back({text.substr(start, end - start), found->id});
    pos = plain_start = end;
  }
  if (plain_start < text.size()) segments.push_back({text.substr(plain_start), -1});
}

}  // namespace nineteen::text::detail
