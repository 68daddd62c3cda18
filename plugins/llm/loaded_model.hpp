// A model directory loaded once: decoder, tokenizer, chat template and the tokens that end generation.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nineteen/models/llama_model.hpp>
#include <nineteen/text/bpe_tokenizer.hpp>
#include <nineteen/text/special_token_frame.hpp>
#include <nineteen/text/chat_template.hpp>

namespace nineteen::llm {

// Immutable after load; shared by every task on the same directory and dtype, used from many threads.
struct LoadedModel {
  std::string dir;
  models::LlamaConfig config;  // config.json (+ generation_config.json)
  // The decoder; null when loaded for a task checked through a check_backend (config and tokenizer
  // only: a 70B model's weights need not be on the validator's machine).
  std::unique_ptr<const models::LlamaModel> model;
  text::BpeTokenizer tokenizer;
  // Absent for a model without a recognised chat template; chat_template_error then says why.
  std::optional<text::ChatTemplate> chat_template;
  std::string chat_template_error;
  // Every token that ends generation: config/generation_config eos ids and the template's end of turn.
  std::vector<int32_t> stop_tokens;
  std::optional<int32_t> end_of_turn;  // the chat template's end-of-turn token, when the vocabulary has it
  // The special tokens around a completions prompt (a chat prompt's come from its template).
  text::SpecialTokenFrame completion_frame;

  // Reads <dir>. Errors name the directory as given and as resolved from the working directory.
  // With weights = false only config.json, generation_config.json and the tokenizer files are read.
  static std::shared_ptr<const LoadedModel> load(const std::string& dir, const models::LoadOptions& options,
                                                 bool weights = true);

  bool is_stop(int32_t token) const;
  // The stop token a chat (end of turn when there is one) or a completion (the first eos id) ends on;
  // the checker scores this one when an answer says it stopped without naming its stop token.
  int32_t default_stop(bool chat) const;
  // A token's bytes ("" for ids the model has but the tokenizer never assigns).
  std::string token_bytes(int32_t token) const;
  // What a client sees of a token: its bytes, but nothing for special tokens (as vLLM's
  // skip_special_tokens) and unassigned ids.
  std::string visible_bytes(int32_t token) const;
  int64_t vocab() const { return config.vocab_size; }
  int64_t max_positions() const { return config.max_position_embeddings; }
};

// Loads each (directory, dtype) once and hands out shared copies while any task holds one, so
// chat and completions tasks on one model cost one load. Thread-safe.
class ModelCache {
 public:
  std::shared_ptr<const LoadedModel> get(const std::string& dir, const models::LoadOptions& options,
                                         bool weights = true);

 private:
  std::mutex mutex_;
  std::map<std::tuple<std::string, int, bool>, std::weak_ptr<const LoadedModel>> loaded_;
};

}  // namespace nineteen::llm
