// What the WordPiece model takes from BertNormalizer and BertPreTokenizer (bert_normalizer.cpp).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace nineteen::text::detail {

// Decodes one UTF-8 code point at `i` and advances it; a malformed sequence yields U+FFFD.
char32_t next_code_point(std::string_view s, size_t& i);
// Calls word(bytes) for each pre-tokenized word of normalized text until it returns false.
void for_each_bert_word(std::string_view normalized_text, const std::function<bool(std::string_view)>& word);

}  // namespace nineteen::text::detail
