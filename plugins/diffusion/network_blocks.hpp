// The building blocks UNet2DConditionModel and AutoencoderKL share, as functions over named weights
// (diffusers' ResnetBlock2D, Transformer2DModel with one BasicTransformerBlock, Down/Upsample2D).
#pragma once

#include <optional>
#include <string>

#include <torch/torch.h>

#include "module_weights.hpp"

namespace nineteen::diffusion {

torch::Tensor group_norm(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, int64_t groups,
                         double eps);
torch::Tensor conv2d(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, int64_t stride = 1,
                     int64_t padding = 1);
torch::Tensor linear(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, bool bias = true);

// ResnetBlock2D: norm1 → SiLU → conv1 (+ time_emb_proj(SiLU(temb))) → norm2 → SiLU → conv2, plus
// the input (through conv_shortcut when the channels change). `temb` absent for the VAE.
torch::Tensor resnet_block(const ModuleWeights& w, const std::string& name, const torch::Tensor& x,
                           const std::optional<torch::Tensor>& temb, int64_t groups, double eps);

// Transformer2DModel: GroupNorm, proj_in (1x1 convolution, or Linear with use_linear_projection),
// self-attention, cross-attention to `context` [batch, tokens, dim] and a GEGLU feed-forward over
// the pixels as tokens, proj_out, plus the input.
torch::Tensor transformer_2d(const ModuleWeights& w, const std::string& name, const torch::Tensor& x,
                             const torch::Tensor& context, int64_t heads, int64_t groups, bool linear_projection);

// The VAE mid-block's Attention: GroupNorm, one head over the pixels (q/k/v with biases), to_out.0,
// plus the input.
torch::Tensor vae_attention(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, int64_t groups,
                            double eps);

// Multi-head scaled dot-product attention of q [b, n, d] over k, v [b, m, d]; `causal` masks later keys.
torch::Tensor multi_head_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   int64_t heads, bool causal = false);

}  // namespace nineteen::diffusion
