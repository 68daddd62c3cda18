// One embeddings task's settings, read from its tasks.toml table (as the JSON object the host passes).
#pragma once

#include <cstdint>
#include <string>

#include <nineteen/models/llama_model.hpp>  // WeightStorage
#include <nineteen/sdk/json.hpp>

namespace nineteen::embeddings {

struct EmbeddingsTaskConfig {
  // A sentence-transformers or Hugging Face BERT folder, used exactly as given: absolute, or
  // relative to the working directory of the process that loads the plugin.
  std::string model_dir;
  models::WeightStorage dtype = models::WeightStorage::F32;
  int threads = 0;               // libtorch intra-op threads (process-wide); 0 = leave as it is
  int64_t max_batch = 32;        // inputs per forward pass
  int64_t max_input_tokens = 0;  // longer inputs are truncated; 0 = the model's limit
  int64_t max_inputs = 2048;     // inputs one request may carry (OpenAI's limit)
  std::string model_name;        // what answers and the descriptor call the model; default: the folder name

  // Reads and validates `config`; errors name the task and the key, e.g.
  // `task "embed-x" config key "dtype": expected "f32" or "bf16", got "fp8"`. Unknown keys are refused.
  static EmbeddingsTaskConfig from_json(const sdk::JsonObject& config);
};

}  // namespace nineteen::embeddings
