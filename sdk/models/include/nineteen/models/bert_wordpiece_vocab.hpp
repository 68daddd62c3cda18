// Learning a WordPiece vocabulary from text, as Hugging Face's WordPieceTrainer does: BPE merges
// over the normalised, pre-tokenized words, a piece inside a word carrying the "##" prefix.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nineteen/text/wordpiece_tokenizer.hpp"

namespace nineteen::models {

// Returns the vocabulary in id order: special_tokens, then every character seen (first the
// word-initial forms, then the "##" forms, each in byte order), then one token per merge, most
// frequent pair first (ties to the pair made earliest), until vocab_size tokens or no pair is
// left. The same input always gives the same vocabulary.
std::vector<std::string> learn_wordpiece_vocab(std::string_view corpus, size_t vocab_size,
                                               const text::BertNormalization& normalization,
                                               const std::vector<std::string>& special_tokens,
                                               const std::string& continuing_subword_prefix = "##");

}  // namespace nineteen::models
