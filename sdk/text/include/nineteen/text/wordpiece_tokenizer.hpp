// WordPiece tokenizer (BERT family, cased and uncased) read from a Hugging Face tokenizer.json.
//
// What it does, in Hugging Face terms: special added tokens are split out of the raw text first
// (leftmost, longest match); the rest goes through the BertNormalizer (clean text, isolate CJK
// ideographs, strip accents, lowercase), the BertPreTokenizer (split on whitespace, isolate each
// punctuation character) and the WordPiece model (greedy longest match, "##" continuations, one
// [UNK] for a word that cannot be spelt or is longer than max_input_chars_per_word). The
// post-processor ([CLS] … [SEP]) is applied by encode; truncation keeps the specials.
//
// Limits of the Unicode handling (no ICU; documented so a difference is never a surprise):
//  - Accent stripping (NFD, then drop nonspacing marks) uses a built-in table of the precomposed
//    letters of Latin-1, Latin Extended-A/B, IPA, Greek, Cyrillic, Latin Extended Additional,
//    Greek Extended, letterlike and mathematical symbols and kana, plus Hangul syllables
//    (decomposed algorithmically into jamo). Precomposed characters elsewhere (e.g. Indic vowel
//    signs, CJK compatibility ideographs) are kept as they are, where NFD would change them.
//    Canonical reordering of spacing marks is not done.
//  - Lowercasing maps each character on its own (as the Rust tokenizers do), from Unicode 14
//    tables; U+0130 becomes "i" + U+0307.
//  - Character classes (control, punctuation, nonspacing mark) come from PCRE2's Unicode tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::text {

// The BertNormalizer's settings, as tokenizer.json spells them.
struct BertNormalization {
  bool clean_text = true;            // drop control characters, turn whitespace into ' '
  bool handle_chinese_chars = true;  // put spaces around CJK ideographs (each becomes a word)
  std::optional<bool> strip_accents; // absent: follow lowercase
  bool lowercase = true;

  bool strips_accents() const { return strip_accents.value_or(lowercase); }
};

// The normalizer alone (any bytes accepted; malformed UTF-8 counts as U+FFFD, which clean_text drops).
std::string bert_normalize(std::string_view text, const BertNormalization& normalization);
// The BertPreTokenizer alone: words split on Unicode whitespace, each punctuation character
// (ASCII punctuation or Unicode category P) a word of its own.
std::vector<std::string> bert_pre_tokenize(std::string_view normalized_text);

// Everything needed to write or rebuild a tokenizer besides its vocabulary.
struct WordPieceSettings {
  BertNormalization normalization;
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  size_t max_input_chars_per_word = 100;
  // Post-processor: encode puts these around the text ("" for none).
  std::string cls_token = "[CLS]";
  std::string sep_token = "[SEP]";
  // Special tokens matched in the raw text (the post-processor's and [PAD]/[MASK] typically).
  std::vector<std::string> special_tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  // tokenizer.json's "truncation.max_length"; 0 = none. encode's own limit takes precedence.
  size_t max_length = 0;
};

// Immutable after loading; copies share the loaded vocabulary. Every method may be called
// concurrently from any number of threads.
class WordPieceTokenizer {
 public:
  // Reads and validates a tokenizer.json with a WordPiece model. Throws sdk::Error:
  // NT_NOT_FOUND when the file cannot be read, NT_INVALID_ARGUMENT when its content is wrong or
  // unsupported; every message names the file and the key.
  static WordPieceTokenizer from_file(const std::string& tokenizer_json_path);
  // The same from text; source_name stands in for the file name in messages.
  static WordPieceTokenizer from_json(std::string_view json, const std::string& source_name);
  // From a vocabulary in id order (vocab.txt's lines). Throws sdk::Error(NT_INVALID_ARGUMENT) when
  // a token repeats, or the unk, cls, sep or a special token is missing from it.
  static WordPieceTokenizer from_vocab(std::vector<std::string> vocab, WordPieceSettings settings);

  // The token ids of `text`, with the post-processor's [CLS]/[SEP]. max_length > 0 caps the total
  // (specials included) by dropping tokens from the end of the text; 0 uses settings().max_length
  // (0 there = no cap). Work stops once the cap is reached, so a huge text costs no more than its
  // normalisation. Any bytes are accepted.
  std::vector<int32_t> encode(std::string_view text, size_t max_length = 0) const;
  // The WordPiece pieces of one pre-tokenized word (no normalisation), e.g. "playing" ->
  // {"play", "##ing"}; {unk_token} when it cannot be spelt.
  std::vector<int32_t> encode_word(std::string_view word) const;

  // tokenizer.json text in Hugging Face's layout (BertNormalizer, BertPreTokenizer, WordPiece,
  // TemplateProcessing, WordPiece decoder). The same tokenizer always gives the same bytes.
  std::string to_json() const;

  const std::string& token_string(int32_t id) const;  // empty for an id outside the vocabulary
  std::optional<int32_t> token_id(std::string_view token) const;
  size_t vocab_size() const;
  const std::vector<std::string>& vocabulary() const;
  const WordPieceSettings& settings() const;
  int32_t unk_id() const;
  std::optional<int32_t> cls_id() const;
  std::optional<int32_t> sep_id() const;
  // [PAD]'s id when the vocabulary has one, else 0 (what Hugging Face pads with by default).
  int32_t pad_id() const;
  // How many tokens encode adds around the text (2 for BERT).
  size_t special_token_count() const;

  struct Model;  // the loaded vocabulary and settings (defined in src/wordpiece_model.hpp)

 private:
  explicit WordPieceTokenizer(std::shared_ptr<const Model> model);
  std::shared_ptr<const Model> model_;
};

}  // namespace nineteen::text
