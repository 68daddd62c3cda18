// Writing a BERT encoder with seeded random weights in the Hugging Face layout (config.json and
// model.safetensors): the weight half of the tiny-bert maker; tests use it for odd shapes.
#pragma once

#include <cstdint>
#include <string>

#include "nineteen/models/bert_config.hpp"
#include "nineteen/models/safetensors.hpp"

namespace nineteen::models {

struct RandomBertOptions {
  uint64_t seed = 0;
  DType dtype = DType::F32;  // F32 or BF16
  // Prepended to every tensor name: "" (BertModel / sentence-transformers) or "bert." (as in
  // BertForMaskedLM checkpoints), which the encoder also reads.
  std::string name_prefix;
};

// Writes <dir>/config.json and <dir>/model.safetensors (with the pooler, which sentence
// embeddings ignore). Scales are chosen so attention is neither uniform nor one-hot and texts get
// clearly different vectors. The same config and options always give byte-identical files.
// Throws sdk::Error naming the path on an I/O failure, or for an unsupported dtype.
void write_random_bert(const std::string& dir, const BertConfig& config, const RandomBertOptions& options);

}  // namespace nineteen::models
