// BPE tokenizer read from a Hugging Face tokenizer.json: byte-level (GPT-2 / Llama 3 / Qwen2
// family) or SentencePiece-style (Llama 2 / Mistral / Phi-3: characters, "▁", byte_fallback).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::text {

struct TokenizerModel;  // the loaded vocabulary, merges and pre-tokenizer (src/tokenizer_model.hpp)

// Immutable after loading; copies share the loaded model. encode/decode may be called concurrently
// from any number of threads (the merge cache inside is locked).
//
// What it does, in Hugging Face terms: added tokens are split out first (leftmost, longest match);
// the rest goes through the normalizer (none, or NFC as Qwen2 has), the pre-tokenizer (Split / ByteLevel / Sequence) and the BPE model (merge
// ranks, ignore_merges, byte fallback). SentencePiece-style files instead take the normalizers
// Prepend("▁") / Replace(" " -> "▁") (Llama 2, Phi-3) or a Metaspace pre-tokenizer (prepend_scheme
// always / first / never, split; Mistral v0.3), BPE over UTF-8 characters whose misses become
// <0xNN> byte tokens (else unk, fused), and decode with "▁" as a space and the decoder's Strip /
// Metaspace leading space cut. It applies no post-processor: encode never adds BOS/EOS
// (a chat template's rendered text carries its own BOS). decode returns raw bytes, which may be
// invalid UTF-8 when ids end mid-character (Hugging Face would put U+FFFD there).
class BpeTokenizer {
 public:
  // Reads and validates a tokenizer.json. Throws sdk::Error: NT_NOT_FOUND when the file cannot be
  // read, NT_INVALID_ARGUMENT when its content is wrong; every message names the file and the key.
  static BpeTokenizer from_file(const std::string& tokenizer_json_path);
  // The same from text; source_name stands in for the file name in messages.
  static BpeTokenizer from_json(std::string_view json, const std::string& source_name);

  // parse_special = false treats special added tokens' text as ordinary text (non-special added
  // tokens are still matched, as in Hugging Face's split_special_tokens). Any bytes, valid UTF-8
  // or not, are accepted.
  std::vector<int32_t> encode(std::string_view text, bool parse_special = true) const;
  // Throws sdk::Error(NT_INVALID_ARGUMENT) for an id outside [0, vocab_size()).
  std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;
  // The raw bytes of one token; may be a partial UTF-8 character.
  std::string decode_token(int32_t id) const;
  // The token as the vocabulary spells it, e.g. "Ġhello"; empty for an id the file never assigns.
  const std::string& token_string(int32_t id) const;
  std::optional<int32_t> token_id(std::string_view token_string) const;
  // Highest assigned id + 1, added tokens included (the size of a model's embedding table).
  size_t vocab_size() const;
  bool is_special(int32_t id) const;
  // A SentencePiece-style file (Llama 2, Mistral, Phi-3): BPE over characters, spaces spelt "▁",
  // byte_fallback tokens; false for byte-level BPE (GPT-2, Llama 3, Qwen2).
  bool sentencepiece_style() const;

 private:
  explicit BpeTokenizer(std::shared_ptr<const TokenizerModel> model);
  void check_id(int32_t id) const;

  std::shared_ptr<const TokenizerModel> model_;
};

}  // namespace nineteen::text
