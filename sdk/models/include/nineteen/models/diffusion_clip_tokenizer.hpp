// CLIP's BPE tokenizer as Stable Diffusion's tokenizer/ folder holds it (CLIPTokenizer: vocab.json,
// merges.txt, special_tokens_map.json / tokenizer_config.json), and a trainer that writes such a
// folder for the tiny test model.
//
// What encode does, as the Hugging Face CLIP tokenizer (tokenizer.json of openai/clip-vit-large-patch14)
// does it: normalise (NFC, every run of Unicode white space → one space, Unicode lower case), split
// with CLIP's pattern  <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// (white space dropped), spell each piece's UTF-8 bytes in GPT-2's byte alphabet, and run BPE over
// the piece with "</w>" appended to its last symbol. Ids missing from vocab.json fall back to the
// unknown token (<|endoftext|>), as CLIP's does.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nineteen::models {

class ClipTokenizer {
 public:
  // Reads `dir`/vocab.json and `dir`/merges.txt, and the pad token from tokenizer_config.json or
  // special_tokens_map.json when present (SD 1.5: "<|endoftext|>", SD 2: "!"). Throws sdk::Error
  // naming the file: NT_NOT_FOUND when vocab.json or merges.txt is missing, else NT_INVALID_ARGUMENT.
  static ClipTokenizer from_dir(const std::string& dir);

  // The ids of `text` without start/end tokens (special-token text is ordinary text).
  std::vector<int32_t> encode(std::string_view text) const;
  // <|startoftext|> + encode(text) cut to fit + <|endoftext|>, padded with the pad token to
  // `length` ids: the input of CLIPTextModel in Stable Diffusion's pipelines.
  std::vector<int64_t> encode_padded(std::string_view text, size_t length) const;

  int32_t bos_id() const { return bos_id_; }
  int32_t eos_id() const { return eos_id_; }
  int32_t pad_id() const { return pad_id_; }
  // Highest id + 1.
  size_t vocab_size() const { return vocab_size_; }
  size_t merge_count() const { return ranks_.size(); }

  // The pieces CLIP's pattern splits normalised text into (exposed for tests).
  static std::vector<std::string> pre_tokenize(std::string_view text);
  // NFC, white-space runs → " ", lower case.
  static std::string normalize(std::string_view text);

 private:
  std::vector<std::string> bpe(const std::string& piece) const;

  std::unordered_map<std::string, int32_t> vocab_;
  std::map<std::pair<std::string, std::string>, size_t> ranks_;
  int32_t bos_id_ = 0, eos_id_ = 0, pad_id_ = 0;
  size_t vocab_size_ = 0;
};

// Learns `merges` CLIP-style merges (symbols end-of-word-marked with "</w>") from `corpus` and
// writes vocab.json (256 byte symbols, the same with "</w>", the merges' results, then
// <|startoftext|> and <|endoftext|>, as CLIP's vocabulary is ordered), merges.txt (with its
// "#version: 0.2" header), special_tokens_map.json and tokenizer_config.json into `dir`.
// Returns the vocabulary size.
size_t write_clip_tokenizer(const std::string& dir, std::string_view corpus, size_t merges);

}  // namespace nineteen::models
