// Loading an embedding model directory, and sharing it between tasks.
#include "loaded_encoder.hpp"

#include <filesystem>

#include <nineteen/sdk/error.hpp>

namespace nineteen::embeddings {

namespace fs = std::filesystem;
using sdk::Error;

std::shared_ptr<const LoadedEncoder> LoadedEncoder::load(const std::string& dir, const models::LoadOptions& options) {
  std::error_code ec;
  const std::string resolved = fs::absolute(dir, ec).lexically_normal().string();
  if (!fs::is_directory(dir, ec)) {
    throw Error(NT_NOT_FOUND, "model_dir \"" + dir + "\" (resolved to " + resolved +
                                  ") is not a directory; point model_dir at a sentence-transformers or Hugging Face "
                                  "BERT folder (config.json, *.safetensors, tokenizer.json), e.g. one made by "
                                  "`nineteen-models make tiny-bert --out DIR`; relative paths start at the working "
                                  "directory");
  }
  models::BertEncoder encoder = models::BertEncoder::load(dir, options);
  const std::string tokenizer_path = (fs::path(encoder.layout().transformer_dir) / "tokenizer.json").string();
  text::WordPieceTokenizer tokenizer = text::WordPieceTokenizer::from_file(tokenizer_path);
  if (static_cast<int64_t>(tokenizer.vocab_size()) > encoder.config().vocab_size) {
    throw Error(NT_INVALID_ARGUMENT, tokenizer_path + " assigns ids up to " + std::to_string(tokenizer.vocab_size() - 1) +
                                         " but config.json's vocab_size is " +
                                         std::to_string(encoder.config().vocab_size) +
                                         ": the tokenizer does not belong to this model");
  }
  return std::make_shared<const LoadedEncoder>(LoadedEncoder{dir, std::move(encoder), std::move(tokenizer)});
}

std::vector<int32_t> LoadedEncoder::encode(std::string_view text, int64_t max_tokens) const {
  if (encoder.layout().do_lower_case) {
    text::BertNormalization lowercase_only{false, false, false, true};
    return tokenizer.encode(text::bert_normalize(text, lowercase_only), static_cast<size_t>(max_tokens));
  }
  return tokenizer.encode(text, static_cast<size_t>(max_tokens));
}

std::shared_ptr<const LoadedEncoder> EncoderCache::get(const std::string& dir, const models::LoadOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto key = std::make_pair(dir, static_cast<int>(options.storage));
  if (auto shared = loaded_[key].lock()) return shared;
  std::shared_ptr<const LoadedEncoder> fresh = LoadedEncoder::load(dir, options);
  loaded_[key] = fresh;
  return fresh;
}

}  // namespace nineteen::embeddings
