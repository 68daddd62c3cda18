// A model directory loaded once: the BERT encoder and its WordPiece tokenizer, shared by tasks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nineteen/models/bert_encoder.hpp>
#include <nineteen/text/wordpiece_tokenizer.hpp>

namespace nineteen::embeddings {

// Immutable after load; used from many threads.
struct LoadedEncoder {
  std::string dir;
  models::BertEncoder encoder;
  text::WordPieceTokenizer tokenizer;

  // Reads <dir> (sentence-transformers or plain Hugging Face layout; tokenizer.json beside the
  // transformer's config.json). Errors name the directory as given and as resolved.
  static std::shared_ptr<const LoadedEncoder> load(const std::string& dir, const models::LoadOptions& options);

  // The token ids of one input with [CLS]/[SEP], at most max_tokens of them (the rest of the
  // text is cut, as sentence-transformers does), lowercased first when sentence_bert_config says so.
  std::vector<int32_t> encode(std::string_view text, int64_t max_tokens) const;
};

// Loads each (directory, dtype) once while any task holds it. Thread-safe.
class EncoderCache {
 public:
  std::shared_ptr<const LoadedEncoder> get(const std::string& dir, const models::LoadOptions& options);

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::weak_ptr<const LoadedEncoder>> loaded_;
};

}  // namespace nineteen::embeddings
