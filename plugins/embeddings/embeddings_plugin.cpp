// Plugin-wide state of the embeddings plugin: the task type and the shared model cache.
#include "embeddings_plugin.hpp"

#include "embeddings_task.hpp"
#include "embeddings_task_config.hpp"

namespace nineteen::embeddings {

std::vector<sdk::TaskType> EmbeddingsPlugin::task_types() const {
  return {{"embeddings", "OpenAI embeddings (/v1/embeddings) on a BERT-family sentence encoder (sentence-transformers "
                         "or Hugging Face layout); keys: model_dir, dtype (f32|bf16), threads, max_batch, "
                         "max_input_tokens, max_inputs, model_name"}};
}

std::unique_ptr<sdk::Task> EmbeddingsPlugin::create_task(const std::string& name, const sdk::JsonObject& config) {
  EmbeddingsTaskConfig c = EmbeddingsTaskConfig::from_json(config);
  models::LoadOptions options;
  options.storage = c.dtype;
  options.threads = c.threads;
  if (std::string warning = threads_.request("embeddings", name, c.threads); !warning.empty()) host().warn(warning);
  std::shared_ptr<const LoadedEncoder> model;
  try {
    model = models_.get(c.model_dir, options);
  } catch (const sdk::Error& e) {
    throw sdk::Error(e.code(), "task \"" + name + "\": " + e.what());
  }
  return std::make_unique<EmbeddingsTask>(name, std::move(c), std::move(model));
}

}  // namespace nineteen::embeddings
