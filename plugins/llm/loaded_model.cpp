// Loading a model directory for the LLM tasks, and sharing it between tasks.
#include "loaded_model.hpp"

#include <algorithm>
#include <filesystem>

#include <nineteen/sdk/error.hpp>

namespace nineteen::llm {

namespace fs = std::filesystem;
using sdk::Error;

std::shared_ptr<const LoadedModel> LoadedModel::load(const std::string& dir, const models::LoadOptions& options,
                                                     bool weights) {
  std::error_code ec;
  const std::string resolved = fs::absolute(dir, ec).lexically_normal().string();
  if (!fs::is_directory(dir, ec)) {
    throw Error(NT_NOT_FOUND, "model_dir \"" + dir + "\" (resolved to " + resolved +
                                  ") is not a directory; point model_dir at a Hugging Face Llama folder "
                                  "(config.json, *.safetensors, tokenizer.json), e.g. one made by "
                                  "`nineteen-models make tiny-llama --out DIR`; relative paths start at the "
                                  "working directory");
  }
  std::unique_ptr<const models::LlamaModel> decoder;
  if (weights) decoder = std::make_unique<const models::LlamaModel>(models::LlamaModel::load(dir, options));
  auto loaded = std::make_shared<LoadedModel>(LoadedModel{
      dir, decoder ? decoder->config() : models::LlamaConfig::from_model_dir(dir), std::move(decoder),
      text::BpeTokenizer::from_file((fs::path(dir) / "tokenizer.json").string()), std::nullopt, "", {}, std::nullopt, {}});
  const auto& config = loaded->config;
  if (static_cast<int64_t>(loaded->tokenizer.vocab_size()) > config.vocab_size) {
    throw Error(NT_INVALID_ARGUMENT, resolved + "/tokenizer.json assigns ids up to " +
                                         std::to_string(loaded->tokenizer.vocab_size() - 1) +
                                         " but config.json's vocab_size is " + std::to_string(config.vocab_size) +
                                         ": the tokenizer does not belong to this model");
  }
  loaded->completion_frame = text::SpecialTokenFrame::from_model_dir(dir, loaded->tokenizer);
  try {
    loaded->chat_template = text::ChatTemplate::from_model_dir(dir);
  } catch (const Error& e) {
    loaded->chat_template_error = e.what();
  }
  for (int32_t id : config.eos_token_ids) {
    if (id >= 0 && id < config.vocab_size) loaded->stop_tokens.push_back(id);
  }
  if (loaded->chat_template) {
    loaded->end_of_turn = loaded->tokenizer.token_id(loaded->chat_template->end_of_turn());
    if (loaded->end_of_turn && !loaded->is_stop(*loaded->end_of_turn)) loaded->stop_tokens.push_back(*loaded->end_of_turn);
  }
  if (loaded->stop_tokens.empty()) {
    throw Error(NT_INVALID_ARGUMENT, resolved + ": no eos_token_id in config.json or generation_config.json and no "
                                                "chat template end-of-turn token, so generation could never stop");
  }
  return loaded;
}

bool LoadedModel::is_stop(int32_t token) const {
  return std::find(stop_tokens.begin(), stop_tokens.end(), token) != stop_tokens.end();
}

std::string LoadedModel::token_bytes(int32_t token) const {
  if (token < 0 || static_cast<size_t>(token) >= tokenizer.vocab_size()) return {};
  return tokenizer.decode_token(token);
}

std::string LoadedModel::visible_bytes(int32_t token) const {
  if (token < 0 || static_cast<size_t>(token) >= tokenizer.vocab_size() || tokenizer.is_special(token)) return {};
  return tokenizer.decode_token(token);
}

int32_t LoadedModel::default_stop(bool chat) const {
  if (chat && end_of_turn) return *end_of_turn;
  return stop_tokens.front();
}

std::shared_ptr<const LoadedModel> ModelCache::get(const std::string& dir, const models::LoadOptions& options,
                                               bool weights) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto key = std::make_tuple(dir + "\n" + options.device, static_cast<int>(options.storage), weights);
  if (auto shared = loaded_[key].lock()) return shared;
  std::shared_ptr<const LoadedModel> fresh = LoadedModel::load(dir, options, weights);
  loaded_[key] = fresh;
  return fresh;
}

}  // namespace nineteen::llm
