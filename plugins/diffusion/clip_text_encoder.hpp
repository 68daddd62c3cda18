// CLIPTextModel: prompt → token ids (CLIP's BPE from tokenizer/vocab.json + merges.txt, start/end
// tokens, padded with the pad token) → hidden states.
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

#include <nineteen/models/diffusion_config.hpp>
#include <nineteen/models/diffusion_clip_tokenizer.hpp>

#include "module_weights.hpp"

namespace nineteen::diffusion {

class ClipTextEncoder {
 public:
  ClipTextEncoder(const std::string& model_dir, const models::ClipTextConfig& config);

  // [bos] + tokens (cut to fit) + [eos], padded with the pad token to max_position_embeddings.
  std::vector<int64_t> token_ids(const std::string& prompt) const;
  // The last hidden state [prompts, max_position_embeddings, hidden] (causal attention, final norm).
  torch::Tensor encode(const std::vector<std::string>& prompts) const;

 private:
  models::ClipTextConfig config_;
  models::ClipTokenizer tokenizer_;
  ModuleWeights weights_;
};

}  // namespace nineteen::diffusion
