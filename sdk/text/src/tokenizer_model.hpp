// Everything a loaded tokenizer.json holds, shared (immutable) by every copy of a BpeTokenizer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "added_token_matcher.hpp"
#include "bpe_merger.hpp"
#include "pre_tokenizer.hpp"

namespace nineteen::text {

// SentencePiece-style BPE (Llama 2, Mistral, Phi-3 tokenizer.json): BPE over characters (not
// bytes) with spaces spelt "▁", byte_fallback tokens <0xNN> for characters outside the vocabulary.
struct NormalizerStep {
  enum Kind { Nfc, Prepend, Replace } kind = Nfc;
  std::string text;         // Prepend: what is prepended; Replace: the literal pattern
  std::string replacement;  // Replace: its content
};
struct MetaspaceStep {
  std::string replacement = "\xE2\x96\x81";  // "▁"
  enum Scheme { Always, First, Never } prepend = Always;
  bool split = true;
};

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
  // SentencePiece style (char_level): each segment between added tokens goes through
  // `normalizers`, then `metaspace` when the file has that pre-tokenizer (else it is one piece).
  bool char_level = false;
  std::vector<NormalizerStep> normalizers;
  std::optional<MetaspaceStep> metaspace;
  int strip_leading_spaces = 0;  // decoder Strip(" ", start) / Metaspace: spaces cut from the text's start
};

namespace detail {
// `text` with every `from` replaced by `to`.
std::string replace_all(std::string text, const std::string& from, const std::string& to);
// Validates and loads a tokenizer.json; every error names source_name and the key at fault.
std::shared_ptr<const TokenizerModel> load_tokenizer_model(std::string_view json,
                                                           const std::string& source_name);
}  // namespace detail

}  // namespace nineteen::text
