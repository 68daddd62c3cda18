// Learns a byte-level BPE vocabulary from a corpus and writes it as a Hugging Face tokenizer.json.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::text {

// Deterministic: the same corpus and arguments always give the same text. The corpus is split with
// the Llama 3 pre-tokenizer; ids 0..255 are the 256 single bytes (always present), then one token
// per merge, most frequent pair first (ties: the lexicographically smallest pair of byte strings),
// then special_tokens in the given order as added_tokens. vocab_size counts all three; learning
// stops early when no pair occurs at least twice. Throws sdk::Error(NT_INVALID_ARGUMENT) when
// vocab_size < 256 + special_tokens.size(), or a special token is empty or repeated.
//
// The output has model.type "BPE", a Sequence pre-tokenizer (Split with the Llama 3 regex,
// Isolated; ByteLevel without regex) and a ByteLevel decoder: BpeTokenizer and Hugging Face
// tokenizers both read it. With a bos_token (one of special_tokens) its post_processor puts that
// token in front of every text, as Llama 3's does; without, it is null (adds nothing).
std::string train_bpe_tokenizer_json(std::string_view corpus, size_t vocab_size,
                                     const std::vector<std::string>& special_tokens,
                                     const std::string& bos_token = "");

}  // namespace nineteen::text
