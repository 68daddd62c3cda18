// Everything a loaded tokenizer.json holds, shared (immutable) by every copy of a BpeTokenizer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "added_token_matcher.hpp"
#include "bpe_merger.hpp"
#include "pre_tokenizer.hpp"

namespace nineteen::text {

struct TokenizerModel {
  std::string source_name;
  std::vector<std::string> spelling;  // by id, as the file spells it ("Ġhello", "<|eot_id|>")
  std::vector<std::string> bytes;     // by id, what the token decodes to
  std::vector<bool> special;          // by id
  std::unordered_map<std::string, int32_t> id_by_spelling;  // model vocabulary and added tokens
  detail::AddedTokenMatcher added_tokens;
  detail::PreTokenizer pre_tokenizer;
  detail::BpeMerger merger;
  bool nfc = false;  // normalizer NFC: text between added tokens is composed before pre-tokenizing
};

namespace detail {
// Validates and loads a tokenizer.json; every error names source_name and the key at fault.
std::shared_ptr<const TokenizerModel> load_tokenizer_model(std::string_view json,
                                                           const std::string& source_name);
}  // namespace detail

}  // namespace nineteen::text
