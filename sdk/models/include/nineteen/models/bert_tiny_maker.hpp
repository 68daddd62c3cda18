// Making the project's own small BERT sentence-embedding models: a WordPiece vocabulary learnt
// from built-in text, seeded random weights, and the Hugging Face + sentence-transformers files.
// No libtorch needed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "nineteen/models/bert_config.hpp"
#include "nineteen/models/bert_sentence_layout.hpp"
#include "nineteen/models/safetensors.hpp"

namespace nineteen::models {

struct TinyBertOptions {
  int64_t hidden = 64;
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t intermediate = 256;
  // Vocabulary the WordPiece learner aims for (fewer when the built-in text runs out of pairs;
  // config.json's vocab_size is what was learnt).
  int64_t vocab = 1024;
  int64_t max_position_embeddings = 512;
  int64_t max_seq_length = 256;  // sentence_bert_config.json: the token limit of an input
  bool lowercase = true;         // uncased (lowercase + strip accents) or cased
  BertPooling pooling = BertPooling::Mean;
  bool normalize = true;
  // A different variant gives different weights of the same shape and the same tokenizer (the
  // "wrong model" for checking tests).
  uint64_t variant = 0;
  DType dtype = DType::F32;  // F32 or BF16
  // Receives a line of progress for each step. May be empty.
  std::function<void(const std::string&)> progress;

  // Throws sdk::Error naming the option when a size is not positive, heads do not divide hidden,
  // max_seq_length exceeds max_position_embeddings or the vocabulary is too small.
  void validate() const;
};

// Writes config.json, model.safetensors, tokenizer.json, vocab.txt, tokenizer_config.json,
// modules.json, 1_Pooling/config.json, sentence_bert_config.json (and 2_Normalize/) into out_dir,
// creating it. The same options always write byte-identical files. Returns the model's config.
BertConfig make_tiny_bert(const std::string& out_dir, const TinyBertOptions& options);

// The text the vocabulary is learnt from: the tiny models' English prose plus a few lines with
// accents and CJK characters.
std::string tiny_bert_corpus();

}  // namespace nineteen::models
