// Reading an LLM task's tasks.toml table with errors that name the key.
#include "llm_task_config.hpp"

#include <filesystem>

namespace nineteen::llm {

const char* endpoint_of(LlmTaskType type) {
  return type == LlmTaskType::Chat ? "/v1/chat/completions" : "/v1/completions";
}

const char* type_name(LlmTaskType type) { return type == LlmTaskType::Chat ? "chat" : "completions"; }

LlmTaskConfig LlmTaskConfig::from_json(const sdk::JsonObject& config) {
  LlmTaskConfig c;
  config.allow_only({"type", "model_dir", "dtype", "max_context", "threads", "max_tokens_limit", "lazy", "model_name", "json_whitespace",
                     "grammar_max_states"});
  const std::string type = config.string("type");
  if (type == "chat") {
    c.type = LlmTaskType::Chat;
  } else if (type == "completions") {
    c.type = LlmTaskType::Completions;
  } else {
    throw config.bad("type", "\"chat\" or \"completions\"", config.require("type"));
  }
  c.model_dir = config.string("model_dir");
  if (c.model_dir.empty()) throw config.bad("model_dir", "a model directory", config.require("model_dir"));
  const std::string dtype = config.string_or("dtype", "f32");
  if (dtype == "f32") {
    c.dtype = models::WeightStorage::F32;
  } else if (dtype == "bf16") {
    c.dtype = models::WeightStorage::BF16;
  } else {
    throw config.bad("dtype", "\"f32\" or \"bf16\"", config.require("dtype"));
  }
  c.max_context = config.integer_or("max_context", 0, 0, int64_t(1) << 24);
  c.threads = static_cast<int>(config.integer_or("threads", 0, 0, 1024));
  c.max_tokens_limit = config.integer_or("max_tokens_limit", 0, 0, int64_t(1) << 24);
  std::string folder = std::filesystem::path(c.model_dir).lexically_normal().filename().string();
  if (folder.empty() || folder == ".") folder = std::filesystem::path(c.model_dir).lexically_normal().parent_path().filename().string();
  c.model_name = config.string_or("model_name", folder.empty() ? std::string("llm") : folder);
  c.lazy = config.boolean_or("lazy", false);
  c.grammar.json_whitespace = static_cast<int>(config.integer_or("json_whitespace", 2, 0, 20));
  c.grammar.max_states = static_cast<size_t>(config.integer_or("grammar_max_states", 100000, 1000, 10000000));
  return c;
}

}  // namespace nineteen::llm
