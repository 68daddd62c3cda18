// The CLIP text transformer (pre-norm, quick-GELU, causal self-attention) over diffusers names.
#include "clip_text_encoder.hpp"

#include <filesystem>

#include <nineteen/sdk/error.hpp>

#include "network_blocks.hpp"

namespace nineteen::diffusion {

ClipTextEncoder::ClipTextEncoder(const std::string& model_dir, const models::ClipTextConfig& config)
    : config_(config),
      tokenizer_(models::ClipTokenizer::from_dir((std::filesystem::path(model_dir) / "tokenizer").string())),
      weights_(ModuleWeights::load((std::filesystem::path(model_dir) / models::kTextEncoderWeights).string(),
                                   models::text_encoder_layout(config))) {
  if (int64_t(tokenizer_.vocab_size()) > config_.vocab_size) {
    throw sdk::Error(NT_INVALID_ARGUMENT, model_dir + "/tokenizer/vocab.json has ids up to " +
                                              std::to_string(tokenizer_.vocab_size() - 1) + " but text_encoder vocab_size is " +
                                              std::to_string(config_.vocab_size) + ": the tokenizer does not belong to this model");
  }
}

std::vector<int64_t> ClipTextEncoder::token_ids(const std::string& prompt) const {
  return tokenizer_.encode_padded(prompt, size_t(config_.max_position_embeddings));
}

torch::Tensor ClipTextEncoder::encode(const std::vector<std::string>& prompts) const {
  const int64_t length = config_.max_position_embeddings, hidden = config_.hidden_size;
  std::vector<int64_t> flat;
  for (const std::string& p : prompts) {
    std::vector<int64_t> ids = token_ids(p);
    flat.insert(flat.end(), ids.begin(), ids.end());
  }
  torch::Tensor ids = torch::tensor(flat, torch::kInt64).reshape({int64_t(prompts.size()), length});
  const ModuleWeights& w = weights_;
  torch::Tensor x = torch::embedding(w("text_model.embeddings.token_embedding.weight"), ids) +
                    w("text_model.embeddings.position_embedding.weight").unsqueeze(0);
  auto norm = [&](const std::string& name, const torch::Tensor& t) {
    return torch::layer_norm(t, {hidden}, w(name + ".weight"), w(name + ".bias"), config_.layer_norm_eps);
  };
  for (int64_t l = 0; l < config_.num_hidden_layers; ++l) {
    const std::string layer = "text_model.encoder.layers." + std::to_string(l);
    torch::Tensor h = norm(layer + ".layer_norm1", x);
    torch::Tensor a = multi_head_attention(linear(w, layer + ".self_attn.q_proj", h), linear(w, layer + ".self_attn.k_proj", h),
                                           linear(w, layer + ".self_attn.v_proj", h), config_.num_attention_heads, true);
    x = x + linear(w, layer + ".self_attn.out_proj", a);
    h = linear(w, layer + ".mlp.fc1", norm(layer + ".layer_norm2", x));
    h = config_.quick_gelu ? h * torch::sigmoid(1.702 * h) : torch::gelu(h);
    x = x + linear(w, layer + ".mlp.fc2", h);
  }
  return norm("text_model.final_layer_norm", x);
}

}  // namespace nineteen::diffusion
