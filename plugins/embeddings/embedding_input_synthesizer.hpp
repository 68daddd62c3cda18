// Synthetic embeddings requests for checking miners: varied texts and batch sizes, a pure function
// of the seed (same seed -> same request on every machine).
//
// Distributions (also what organic traffic is assumed to look like):
//   inputs per request   1 with p 0.35, else uniform in 2..16 (mean ≈ 6.2)
//   encoding_format      "float" with p 0.75, else "base64"
//   each input, one of   search query (2-6 words)            p 0.25
//                        sentence                            p 0.25
//                        question                            p 0.15
//                        headline                            p 0.10
//                        review with prices and punctuation  p 0.10
//                        paragraph of 2-6 sentences          p 0.15
// over 40 topics, with place names that carry accents (Zürich, São Paulo, ...) so uncased models'
// accent stripping is exercised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "embeddings_request.hpp"

namespace nineteen::embeddings {

struct SyntheticEmbeddingsRequest {
  std::vector<std::string> inputs;
  EncodingFormat format = EncodingFormat::Float;
};

SyntheticEmbeddingsRequest synthesize_embeddings_request(uint64_t seed);

}  // namespace nineteen::embeddings
