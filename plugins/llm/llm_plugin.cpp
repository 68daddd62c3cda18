// Plugin-wide state of the llm plugin: the task types and the shared model cache.
#include "llm_plugin.hpp"

#include "llm_task.hpp"
#include "llm_task_config.hpp"

namespace nineteen::llm {

std::vector<sdk::TaskType> LlmPlugin::task_types() const {
  return {{"chat", "OpenAI chat completions (/v1/chat/completions) on a Hugging Face Llama-family model; "
                   "keys: model_dir, dtype (f32|bf16|q8), max_context, threads, max_tokens_limit, model_name, "
                   "check_backend, check_backend_kind (vllm|sglang), check_backend_model, check_backend_timeout_s, "
                   "check_backend_batch, device (cpu|cuda|cuda:N), batch (streams decoded together; 0 or 1: off), "
                   "prefill_chunk, kv_cache_mb (the shared batch's cache; default a quarter of memory)"},
          {"completions", "OpenAI completions (/v1/completions) on a Hugging Face Llama-family model; same keys"}};
}

std::unique_ptr<sdk::Task> LlmPlugin::create_task(const std::string& name, const sdk::JsonObject& config) {
  LlmTaskConfig c = LlmTaskConfig::from_json(config);
  models::LoadOptions options;
  options.storage = c.dtype;
  options.threads = c.threads;
  options.device = c.device;
  if (std::string warning = threads_.request("llm", name, c.threads); !warning.empty()) host().warn(warning);
  std::shared_ptr<const LoadedModel> model;
  try {
    // Checked through an engine: config.json and the tokenizer only, never the weights.
    model = models_.get(c.model_dir, options, /*weights=*/!c.check_backend.has_value());
  } catch (const sdk::Error& e) {
    throw sdk::Error(e.code(), "task \"" + name + "\": " + e.what());
  }
  auto task = std::make_unique<LlmTask>(name, std::move(c), std::move(model), &schedulers_);
  if (!task->batching_note().empty()) host().warn(task->batching_note());
  return task;
}

}  // namespace nineteen::llm
