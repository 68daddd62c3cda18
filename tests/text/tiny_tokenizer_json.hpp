// Hand-made tokenizer.json texts for known-answer tests (small enough to check by eye).
#pragma once

#include <string>

namespace nineteen::text::testing {

// Byte tokens: h e l o w r d Ġ(space) !; merges build "hello" and "Ġworld" and "or"; added tokens
// <|eot_id|> (special), <|end|> and <|end|>!! (special, one a prefix of the other) and "hi!"
// (not special). Ids are listed next to each entry.
inline std::string tiny_tokenizer_json(const std::string& merges_json = "", bool ignore_merges = false) {
  std::string merges = merges_json.empty() ? R"([
      "h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d"])"
                                           : merges_json;
  return R"({
  "version": "1.0",
  "added_tokens": [
    {"id": 20, "content": "<|eot_id|>", "special": true},
    {"id": 21, "content": "<|end|>", "special": true},
    {"id": 22, "content": "<|end|>!!", "special": true},
    {"id": 23, "content": "hi!", "special": false}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
     "behavior": "Isolated", "invert": false},
    {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
  "decoder": {"type": "ByteLevel"},
  "model": {
    "type": "BPE", "dropout": null, "unk_token": null, "byte_fallback": false,
    "ignore_merges": )" +
         std::string(ignore_merges ? "true" : "false") + R"(,
    "vocab": {
      "h": 0, "e": 1, "l": 2, "o": 3, "w": 4, "r": 5, "d": 6, "Ġ": 7, "!": 8,
      "he": 9, "ll": 10, "hell": 11, "hello": 12, "Ġw": 13, "or": 14, "Ġwor": 15, "Ġworl": 16,
      "Ġworld": 17, "lo": 18
    },
    "merges": )" +
         merges + R"(
  }
})";
}

}  // namespace nineteen::text::testing
