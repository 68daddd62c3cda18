// A BERT-family sentence encoder (libtorch, CPU) loaded from a Hugging Face or sentence-transformers
// model directory: token ids in, one pooled (and, as configured, L2-normalised) vector per text out.
//
// Keeps libtorch out of the header, like llama_model.hpp. Typical use:
//   BertEncoder encoder = BertEncoder::load(dir, options);
//   text::WordPieceTokenizer tokenizer = text::WordPieceTokenizer::from_file(
//       encoder.layout().transformer_dir + "/tokenizer.json");
//   SentenceEmbeddings e = encoder.embed({tokenizer.encode(a, encoder.max_tokens()),
//                                         tokenizer.encode(b, encoder.max_tokens())});
//   const float* first = e.row(0);  // encoder.dimension() floats
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nineteen/models/bert_config.hpp"
#include "nineteen/models/bert_sentence_layout.hpp"
#include "nineteen/models/llama_model.hpp"  // LoadOptions, WeightStorage

namespace nineteen::models {

class SafetensorsSet;

// Row-major count × dimension floats, one row per input sequence in input order.
struct SentenceEmbeddings {
  int64_t dimension = 0;
  std::vector<float> values;

  size_t count() const { return dimension ? values.size() / static_cast<size_t>(dimension) : 0; }
  const float* row(size_t i) const { return values.data() + i * static_cast<size_t>(dimension); }
};

// Immutable after load; embed may run concurrently from several threads.
class BertEncoder {
 public:
  // Reads the sentence-transformers layout when <dir>/modules.json exists (else a plain HF model
  // with mean pooling), then config.json and the safetensors weights of the transformer folder.
  // Tensor names are BertModel's ("embeddings.word_embeddings.weight", ...), optionally under a
  // "bert." prefix. Errors (sdk::Error) name the file and, for weights, the tensor with expected
  // and actual shape.
  static BertEncoder load(const std::string& dir, const LoadOptions& options = {});
  static BertEncoder from_weights(const BertConfig& config, const SafetensorsSet& weights,
                                  const SentenceEmbeddingLayout& layout, const LoadOptions& options = {});

  BertEncoder(BertEncoder&&) noexcept;
  BertEncoder& operator=(BertEncoder&&) noexcept;
  ~BertEncoder();

  const BertConfig& config() const;
  const SentenceEmbeddingLayout& layout() const;
  WeightStorage storage() const;
  int64_t dimension() const;
  // The most tokens one input may have: sentence_bert_config's max_seq_length when given (and
  // within the position table), else max_position_embeddings.
  int64_t max_tokens() const;

  // One vector per sequence (token ids with their [CLS]/[SEP]). Sequences are grouped by length
  // into passes of at most max_batch (0 = all in one pass), right-padded and masked, so results
  // do not depend on the grouping beyond rounding. Throws sdk::Error(NT_INVALID_ARGUMENT) for an
  // empty sequence, one longer than max_position_embeddings, or an id outside the vocabulary.
  SentenceEmbeddings embed(const std::vector<std::vector<int32_t>>& sequences, int64_t max_batch = 0) const;
  // The last layer's token states (tokens × hidden, row-major) of one sequence, before pooling.
  std::vector<float> token_states(const std::vector<int32_t>& tokens) const;

 private:
  struct Weights;
  explicit BertEncoder(std::unique_ptr<Weights> weights);
  std::unique_ptr<Weights> w_;
};

}  // namespace nineteen::models
