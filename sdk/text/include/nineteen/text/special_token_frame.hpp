// The special tokens a model's tokenizer puts around a plain text: what Hugging Face's
// `tokenizer(text)` (add_special_tokens=True) adds, and so what vLLM and llama.cpp put in front of
// a /v1/completions prompt. A chat prompt gets none: its template writes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nineteen/text/bpe_tokenizer.hpp"

namespace nineteen::text {

struct SpecialTokenFrame {
  std::vector<int32_t> prefix;  // before the text (a BOS)
  std::vector<int32_t> suffix;  // after it (an EOS, for a tokenizer that adds one)
  std::string rule;             // where the frame came from, in words (for `nineteen-models inspect`)

  // The rule Python transformers follows (vLLM loads tokenizers with it):
  //  - tokenizer_class LlamaTokenizer(Fast), CodeLlamaTokenizer(Fast) or GemmaTokenizer(Fast) in
  //    tokenizer_config.json: BOS when add_bos_token (default true), EOS when add_eos_token
  //    (default false), whatever tokenizer.json says (the fast class rebuilds its post-processor
  //    from these two keys when it loads);
  //  - otherwise tokenizer.json's post_processor: TemplateProcessing's "single" template (special
  //    tokens before $A are the prefix, after it the suffix), RobertaProcessing/BertProcessing's
  //    cls and sep, a Sequence of these, ByteLevel (adds none), or null (adds none).
  // Throws sdk::Error(NT_INVALID_ARGUMENT) naming the file and key for a post-processor type this
  // code does not know or a special token the tokenizer lacks.
  static SpecialTokenFrame from_model_dir(const std::string& dir, const BpeTokenizer& tokenizer);
  // The same from the two files' text (tokenizer_config may be empty: no such file).
  static SpecialTokenFrame from_json(const std::string& tokenizer_json, const std::string& tokenizer_config_json,
                                     const BpeTokenizer& tokenizer, const std::string& source_name);

  // prefix + text_ids + suffix.
  std::vector<int32_t> frame(const std::vector<int32_t>& text_ids) const;
};

}  // namespace nineteen::text
