// The OpenAI embeddings answer: written by serve, read back (strictly) by check and work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "embeddings_request.hpp"

namespace nineteen::embeddings {

// {"object":"list","data":[{"object":"embedding","index":i,"embedding":[...] or "base64"}],
//  "model":model,"usage":{"prompt_tokens":n,"total_tokens":n}}. Floats are written in their
// shortest form that reads back to the same float32. Throws sdk::Error(NT_INTERNAL) for a
// non-finite value (JSON cannot carry one).
std::string write_embeddings_answer(const std::vector<float>& values, size_t dimension, EncodingFormat format,
                                    const std::string& model, int64_t prompt_tokens);

struct MinerEmbeddings {
  std::vector<float> values;  // count × dimension, in input order (by each item's "index")
  std::string problem;        // empty when the answer was read; else why it was refused
};

// Reads a miner's answer, given as the JSON array of its chunks: exactly one chunk, the response
// object, whose "data" holds exactly `count` items with indices 0..count-1 (any order), each an
// "embedding" of `dimension` finite numbers in the requested format. Never throws.
MinerEmbeddings read_embeddings_answer(std::string_view chunks_json, size_t count, size_t dimension,
                                       EncodingFormat format);

}  // namespace nineteen::embeddings
