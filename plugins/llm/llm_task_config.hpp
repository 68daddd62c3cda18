// One LLM task's settings, read from its tasks.toml table (as the JSON object the host passes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "structured_output.hpp"

#include <nineteen/models/llama_model.hpp>
#include <nineteen/sdk/json.hpp>

namespace nineteen::llm {

enum class LlmTaskType { Chat, Completions };

// A checking backend: an inference engine that scores prompt + answer tokens for the checker
// (check_backend.hpp). Only the check uses it; the task then loads no weights.
enum class CheckBackendKind { Vllm, Sglang };

struct CheckBackendConfig {
  std::string url;                         // check_backend, e.g. "http://127.0.0.1:8000"
  CheckBackendKind kind = CheckBackendKind::Vllm;  // check_backend_kind
  std::string model;                       // check_backend_model: the name the engine serves; default model_name
  int timeout_s = 120;                     // check_backend_timeout_s: one scoring request, end to end
  int max_batch = 16;                      // check_backend_batch: sequences per request
};

struct LlmTaskConfig {
  LlmTaskType type = LlmTaskType::Chat;
  // The Hugging Face model directory, used exactly as given: an absolute path, or one relative to
  // the working directory of the process that loads the plugin (the plugin only sees this JSON).
  std::string model_dir;
  models::WeightStorage dtype = models::WeightStorage::F32;
  int64_t max_context = 0;       // prompt + generated tokens; 0 = the model's max_position_embeddings
  int threads = 0;               // libtorch intra-op threads (process-wide); 0 = leave as it is
  int64_t max_tokens_limit = 0;  // largest max_tokens a request may ask for; 0 = max_context
  std::string model_name;        // what answers and the descriptor call the model; default: the folder name
  bool lazy = false;             // test networks only: answer random tokens without running the model
  std::optional<CheckBackendConfig> check_backend;  // absent: the check runs the model in this process
  std::string device;  // "cpu", "cuda", "cuda:N"; empty: the build's default (NINETEEN_TORCH_DEVICE)
  // Structured outputs: json_whitespace (0–20, default 2) and grammar_max_states (1000–10^7,
  // default 100000); pinned per task so a miner and its checker build the same token masks.
  GrammarSettings grammar;
  // Continuous batching (batch_scheduler.hpp): `batch` is the most requests on this model decoded
  // together, one forward pass per step for all of them (default 8; 0 or 1: off, each request
  // runs its own decode loop). `prefill_chunk`: most prompt tokens prefilled per step (default 256).
  int batch = 8;
  int64_t prefill_chunk = 256;
  // `kv_cache_mb`: the most memory the shared batch's key/value cache may take (it holds `batch`
  // sequences of max_context tokens, allocated at the first request). 0, the default: a quarter of
  // this machine's physical memory. A batch that would not fit is made smaller, or off.
  int64_t kv_cache_mb = 0;

  // Reads and validates `config`; errors name the task and the key, e.g.
  // `task "chat-x" config key "dtype": expected "f32", "bf16" or "q8", got "fp8"`.
  static LlmTaskConfig from_json(const sdk::JsonObject& config);
};

const char* endpoint_of(LlmTaskType type);
const char* type_name(LlmTaskType type);

}  // namespace nineteen::llm
