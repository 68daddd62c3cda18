// The sentence-transformers layout around a BERT encoder: which folder holds the transformer,
// how token states are pooled into one vector, whether it is L2-normalised, the token limit.
#pragma once

#include <cstdint>
#include <string>

namespace nineteen::models {

// LastToken: the state of each sequence's last real token (for decoder-style embedding models).
enum class BertPooling { Cls, Mean, Max, MeanSqrtLength, LastToken };

// The sentence-transformers key spelling: "cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens",
// "lasttoken".
const char* pooling_name(BertPooling pooling);

struct SentenceEmbeddingLayout {
  std::string transformer_dir;  // where config.json, *.safetensors and tokenizer.json are
  BertPooling pooling = BertPooling::Mean;
  bool normalize = false;
  int64_t max_seq_length = 0;          // sentence_bert_config.json; 0 = not given
  bool do_lower_case = false;          // sentence_bert_config.json: lowercase text before the tokenizer
  int64_t word_embedding_dimension = 0;  // 1_Pooling/config.json; 0 = not given
  bool from_modules_json = false;      // false: a plain Hugging Face model (mean pooling, as
                                       // sentence-transformers does for one)

  // Reads <dir>/modules.json when present: a Transformer module (its path, usually ""), a Pooling
  // module (its config.json: exactly one pooling_mode_* true, of cls_token, mean_tokens,
  // max_tokens, mean_sqrt_len_tokens, lasttoken) and an optional Normalize module; any other module type is
  // refused, naming it. Then <transformer_dir>/sentence_bert_config.json when present. Errors
  // (sdk::Error) name the file and key.
  static SentenceEmbeddingLayout from_model_dir(const std::string& dir);

  // Writes <dir>/modules.json, <dir>/1_Pooling/config.json and <dir>/sentence_bert_config.json
  // for a transformer stored in <dir> itself (and an empty 2_Normalize/ when normalize is set).
  void write(const std::string& dir, int64_t dimension) const;
};

}  // namespace nineteen::models
