// What a model folder is and whether a task can serve it, without loading it into libtorch:
// the family (from config.json / modules.json / model_index.json), each expected tensor checked
// against the safetensors files (missing, wrong shape, unexpected), dtypes and sizes, and the side
// files the task needs (tokenizer, chat template). `nineteen-models inspect DIR` prints it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nineteen/models/bert_config.hpp"
#include "nineteen/models/llama_config.hpp"

namespace nineteen::models {

struct ExpectedTensor {
  std::string name;
  std::vector<int64_t> shape;
};

// Every tensor the decoder reads for this config, with the family's names (Phi-3 fused, Qwen2
// q/k/v biases, lm_head unless tied).
std::vector<ExpectedTensor> llama_expected_tensors(const LlamaConfig& config);
// Every tensor the BERT encoder reads, each name after `prefix` ("" or "bert.").
std::vector<ExpectedTensor> bert_expected_tensors(const BertConfig& config, const std::string& prefix);

struct ModelInspection {
  std::string dir;
  std::string task;    // the task kind that serves it: "llm", "embeddings" or "image"
  std::string family;  // e.g. "llama (LlamaForCausalLM)", "bert (sentence-transformers, mean pooling)"
  std::vector<std::string> facts;  // one line each: sizes, settings
  size_t files = 0, tensors = 0, bytes = 0;
  std::map<std::string, size_t> dtypes;  // "BF16" -> tensor count
  std::vector<std::string> missing;      // "name (expected [a, b])"
  std::vector<std::string> wrong_shape;  // "name: [a, b] in FILE, expected [c, d]"
  std::vector<std::string> unexpected;   // names no loader reads (ignored when serving)
  std::vector<std::string> problems;     // anything else that stops the task from serving it
  std::vector<std::string> notes;        // what works with limits (e.g. no chat template)

  bool servable() const { return missing.empty() && wrong_shape.empty() && problems.empty(); }
  // The report `nineteen-models inspect` prints.
  std::string text() const;
};

// Throws sdk::Error when the folder cannot even be identified: it is not a directory, has neither
// config.json nor model_index.json, or config.json is unreadable / lacks a key the family needs
// (the message names the file and the key). Everything else is reported in the result.
ModelInspection inspect_model_dir(const std::string& dir);

}  // namespace nineteen::models
