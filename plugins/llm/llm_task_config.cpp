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
  config.allow_only({"type", "model_dir", "dtype", "max_context", "threads", "max_tokens_limit", "lazy", "model_name",
                     "json_whitespace", "grammar_max_states", "check_backend", "check_backend_kind",
                     "check_backend_model", "check_backend_timeout_s", "check_backend_batch", "device", "batch",
                     "prefill_chunk", "kv_cache_mb"});
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
  } else if (dtype == "q8") {
    c.dtype = models::WeightStorage::Q8;
  } else {
    throw config.bad("dtype", "\"f32\", \"bf16\" or \"q8\"", config.require("dtype"));
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
  c.batch = static_cast<int>(config.integer_or("batch", 8, 0, 256));
  c.prefill_chunk = config.integer_or("prefill_chunk", 256, 1, int64_t(1) << 20);
  c.kv_cache_mb = config.integer_or("kv_cache_mb", 0, 0, int64_t(1) << 30);
  c.device = config.string_or("device", "");
  if (!c.device.empty() && c.device != "cpu" && c.device != "cuda" &&
      (c.device.rfind("cuda:", 0) != 0 || c.device.size() == 5 ||
       c.device.find_first_not_of("0123456789", 5) != std::string::npos)) {
    throw config.bad("device", "\"cpu\", \"cuda\" or \"cuda:N\"", config.require("device"));
  }
  const std::string backend = config.string_or("check_backend", "");
  if (backend.empty()) {
    for (const char* key : {"check_backend_kind", "check_backend_model", "check_backend_timeout_s", "check_backend_batch"}) {
      if (config.has(key)) {
        throw config.bad(key, "to be set only with \"check_backend\" (the engine's URL)", config.require(key));
      }
    }
    return c;
  }
  CheckBackendConfig b;
  if (backend.rfind("http://", 0) != 0 || backend.size() <= 7) {
    throw config.bad("check_backend", "an http:// URL of a vLLM or SGLang server, e.g. \"http://127.0.0.1:8000\"",
                     config.require("check_backend"));
  }
  b.url = backend;
  while (b.url.size() > 7 && b.url.back() == '/') b.url.pop_back();
  const std::string kind = config.string_or("check_backend_kind", "vllm");
  if (kind == "vllm") {
    b.kind = CheckBackendKind::Vllm;
  } else if (kind == "sglang") {
    b.kind = CheckBackendKind::Sglang;
  } else if (kind == "llama.cpp") {
    throw config.bad("check_backend_kind",
                     "\"vllm\" or \"sglang\" (llama.cpp's server gives log-probabilities only for the tokens it "
                     "generates, n_probs, never for a prompt's tokens, so it cannot score a miner's answer "
                     "teacher-forced; check through vLLM or SGLang, or leave check_backend out to check in this process)",
                     config.require("check_backend_kind"));
  } else {
    throw config.bad("check_backend_kind", "\"vllm\" (also a Nineteen node) or \"sglang\"",
                     config.require("check_backend_kind"));
  }
  b.model = config.string_or("check_backend_model", c.model_name);
  b.timeout_s = static_cast<int>(config.integer_or("check_backend_timeout_s", b.timeout_s, 1, 3600));
  b.max_batch = static_cast<int>(config.integer_or("check_backend_batch", b.max_batch, 1, 4096));
  if (c.lazy) throw config.bad("lazy", "false with \"check_backend\" (a lazy task serves, it does not check)", config.require("lazy"));
  c.check_backend = b;
  return c;
}

}  // namespace nineteen::llm
