// The WordPiece model's state, shared by the model (wordpiece_tokenizer.cpp) and its tokenizer.json
// reader and writer (wordpiece_tokenizer_json.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "added_token_matcher.hpp"
#include "nineteen/text/wordpiece_tokenizer.hpp"

namespace nineteen::text {

struct WordPieceTokenizer::Model {
  std::string source;
  WordPieceSettings settings;
  std::vector<std::string> vocab;  // by id; "" where the file assigns no token
  std::unordered_map<std::string, int32_t> ids;
  int32_t unk = -1;
  std::optional<int32_t> cls, sep;
  int32_t pad = 0;
  size_t longest_token = 0;  // bytes, to skip lookups that cannot match
  detail::AddedTokenMatcher added;

  std::optional<int32_t> find(std::string_view token) const {
    auto it = ids.find(std::string(token));
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
};

namespace detail {

// Throws NT_INVALID_ARGUMENT "<source>: <key> <what>".
[[noreturn]] void wordpiece_fail(const std::string& source, const std::string& key, const std::string& what);
// Fills the derived fields of a model whose vocab and settings are set; checks every named token.
std::shared_ptr<const WordPieceTokenizer::Model> finish_model(std::shared_ptr<WordPieceTokenizer::Model> m,
                                                             const std::vector<AddedToken>& added);

}  // namespace detail
}  // namespace nineteen::text
