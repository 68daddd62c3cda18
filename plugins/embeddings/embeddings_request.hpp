// An OpenAI /v1/embeddings request, read with errors that name the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::embeddings {

enum class EncodingFormat { Float, Base64 };

struct EmbeddingsRequest {
  std::vector<std::string> inputs;  // one per vector asked for, in order
  bool single_string = false;       // "input" was a string rather than a list
  EncodingFormat format = EncodingFormat::Float;
  std::string model;                // as sent (may be empty); answers name the task's model

  // Keys: input (a non-empty string, or a list of 1..max_inputs non-empty strings), model (a
  // string), encoding_format ("float", the default, or "base64"), dimensions (must equal the
  // model's `dimension` when given), user (ignored). Other keys are ignored, as OpenAI-compatible
  // servers do. Throws sdk::Error(NT_INVALID_ARGUMENT) naming the key, e.g.
  // `request key "input": item 2: expected a non-empty string, got 5`.
  static EmbeddingsRequest parse(std::string_view json, int64_t max_inputs, int64_t dimension);
};

}  // namespace nineteen::embeddings
