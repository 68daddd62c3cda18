// Reading an embeddings task's tasks.toml table with errors that name the key.
#include "embeddings_task_config.hpp"

#include <filesystem>

namespace nineteen::embeddings {

EmbeddingsTaskConfig EmbeddingsTaskConfig::from_json(const sdk::JsonObject& config) {
  EmbeddingsTaskConfig c;
  config.allow_only(
      {"type", "model_dir", "dtype", "threads", "max_batch", "max_input_tokens", "max_inputs", "model_name"});
  if (config.has("type") && config.string("type") != "embeddings") {
    throw config.bad("type", "\"embeddings\"", config.require("type"));
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
  c.threads = static_cast<int>(config.integer_or("threads", 0, 0, 1024));
  c.max_batch = config.integer_or("max_batch", 32, 1, 4096);
  c.max_input_tokens = config.integer_or("max_input_tokens", 0, 0, int64_t(1) << 20);
  c.max_inputs = config.integer_or("max_inputs", 2048, 1, 1 << 20);
  const std::filesystem::path dir = std::filesystem::path(c.model_dir).lexically_normal();
  std::string folder = dir.filename().string();
  if (folder.empty() || folder == ".") folder = dir.parent_path().filename().string();
  c.model_name = config.string_or("model_name", folder.empty() ? std::string("embeddings") : folder);
  return c;
}

}  // namespace nineteen::embeddings
