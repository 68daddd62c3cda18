// The diffusers tensor names and shapes of CLIPTextModel, UNet2DConditionModel and AutoencoderKL
// for the configs this toolkit runs, in the order the modules use them.
#include "nineteen/models/diffusion_weight_layout.hpp"

namespace nineteen::models {
namespace {

class LayoutBuilder {
 public:
  void linear(const std::string& name, int64_t out, int64_t in, bool bias = true) {
    tensors.push_back({name + ".weight", {out, in}, WeightRole::Matrix, in});
    if (bias) tensors.push_back({name + ".bias", {out}, WeightRole::Bias, in});
  }
  void conv(const std::string& name, int64_t out, int64_t in, int64_t kernel) {
    tensors.push_back({name + ".weight", {out, in, kernel, kernel}, WeightRole::Matrix, in * kernel * kernel});
    tensors.push_back({name + ".bias", {out}, WeightRole::Bias, in * kernel * kernel});
  }
  void norm(const std::string& name, int64_t channels) {
    tensors.push_back({name + ".weight", {channels}, WeightRole::NormScale, 1});
    tensors.push_back({name + ".bias", {channels}, WeightRole::NormShift, 1});
  }
  // ResnetBlock2D; time_channels 0 for the VAE's blocks, which take no time embedding.
  void resnet(const std::string& name, int64_t in, int64_t out, int64_t time_channels) {
    norm(name + ".norm1", in);
    conv(name + ".conv1", out, in, 3);
    if (time_channels > 0) linear(name + ".time_emb_proj", out, time_channels);
    norm(name + ".norm2", out);
    conv(name + ".conv2", out, out, 3);
    if (in != out) conv(name + ".conv_shortcut", out, in, 1);
  }
  // Transformer2DModel with one BasicTransformerBlock (GEGLU feed-forward); proj_in/proj_out are
  // 1x1 convolutions (SD 1.x) or Linear layers (use_linear_projection, SD 2.x).
  void transformer(const std::string& name, int64_t channels, int64_t context, bool linear_projection) {
    auto projection = [&](const std::string& n) {
      if (linear_projection) linear(n, channels, channels);
      else conv(n, channels, channels, 1);
    };
    norm(name + ".norm", channels);
    projection(name + ".proj_in");
    const std::string block = name + ".transformer_blocks.0";
    for (int a = 1; a <= 2; ++a) {
      const std::string attn = block + ".attn" + std::to_string(a);
      norm(block + ".norm" + std::to_string(a), channels);
      linear(attn + ".to_q", channels, channels, false);
      linear(attn + ".to_k", channels, a == 1 ? channels : context, false);
      linear(attn + ".to_v", channels, a == 1 ? channels : context, false);
      linear(attn + ".to_out.0", channels, channels);
    }
    norm(block + ".norm3", channels);
    linear(block + ".ff.net.0.proj", channels * 8, channels);
    linear(block + ".ff.net.2", channels, channels * 4);
    projection(name + ".proj_out");
  }
  // The VAE mid-block's single-head Attention (residual_connection, biases on q/k/v).
  void vae_attention(const std::string& name, int64_t channels) {
    norm(name + ".group_norm", channels);
    for (const char* proj : {".to_q", ".to_k", ".to_v", ".to_out.0"}) linear(name + proj, channels, channels);
  }
  std::vector<LaidOutTensor> tensors;
};

}  // namespace

std::vector<LaidOutTensor> text_encoder_layout(const ClipTextConfig& c) {
  LayoutBuilder b;
  const int64_t h = c.hidden_size;
  b.tensors.push_back({"text_model.embeddings.token_embedding.weight", {c.vocab_size, h}, WeightRole::Embedding, 1});
  b.tensors.push_back({"text_model.embeddings.position_embedding.weight", {c.max_position_embeddings, h},
                       WeightRole::Embedding, 1});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string layer = "text_model.encoder.layers." + std::to_string(l);
    b.norm(layer + ".layer_norm1", h);
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) b.linear(layer + ".self_attn." + proj, h, h);
    b.norm(layer + ".layer_norm2", h);
    b.linear(layer + ".mlp.fc1", c.intermediate_size, h);
    b.linear(layer + ".mlp.fc2", h, c.intermediate_size);
  }
  b.norm("text_model.final_layer_norm", h);
  return b.tensors;
}

std::vector<LaidOutTensor> unet_layout(const UNetConfig& c) {
  LayoutBuilder b;
  const auto& ch = c.block_out_channels;
  const int64_t blocks = static_cast<int64_t>(ch.size()), time = c.time_embed_dim();
  b.conv("conv_in", ch[0], c.in_channels, 3);
  b.linear("time_embedding.linear_1", time, ch[0]);
  b.linear("time_embedding.linear_2", time, time);
  for (int64_t i = 0; i < blocks; ++i) {
    const std::string block = "down_blocks." + std::to_string(i);
    for (int64_t j = 0; j < c.layers_per_block; ++j) {
      const int64_t in = j == 0 ? ch[std::max<int64_t>(i - 1, 0)] : ch[i];
      b.resnet(block + ".resnets." + std::to_string(j), in, ch[i], time);
      if (c.cross_attention_blocks[i]) {
        b.transformer(block + ".attentions." + std::to_string(j), ch[i], c.cross_attention_dim, c.use_linear_projection);
      }
    }
    if (i + 1 < blocks) b.conv(block + ".downsamplers.0.conv", ch[i], ch[i], 3);
  }
  b.resnet("mid_block.resnets.0", ch.back(), ch.back(), time);
  b.transformer("mid_block.attentions.0", ch.back(), c.cross_attention_dim, c.use_linear_projection);
  b.resnet("mid_block.resnets.1", ch.back(), ch.back(), time);
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t down = blocks - 1 - i;  // the down block this up block mirrors
    const std::string block = "up_blocks." + std::to_string(i);
    const int64_t out = ch[down], prev = ch[std::min(down + 1, blocks - 1)], input = ch[std::max<int64_t>(down - 1, 0)];
    for (int64_t j = 0; j <= c.layers_per_block; ++j) {
      const int64_t skip = j == c.layers_per_block ? input : out;
      b.resnet(block + ".resnets." + std::to_string(j), (j == 0 ? prev : out) + skip, out, time);
      if (c.cross_attention_blocks[down]) {
        b.transformer(block + ".attentions." + std::to_string(j), out, c.cross_attention_dim, c.use_linear_projection);
      }
    }
    if (i + 1 < blocks) b.conv(block + ".upsamplers.0.conv", out, out, 3);
  }
  b.norm("conv_norm_out", ch[0]);
  b.conv("conv_out", c.out_channels, ch[0], 3);
  return b.tensors;
}

std::vector<LaidOutTensor> vae_layout(const VaeConfig& c) {
  LayoutBuilder b;
  const auto& ch = c.block_out_channels;
  const int64_t blocks = static_cast<int64_t>(ch.size());
  b.conv("encoder.conv_in", ch[0], c.in_channels, 3);
  for (int64_t i = 0; i < blocks; ++i) {
    const std::string block = "encoder.down_blocks." + std::to_string(i);
    for (int64_t j = 0; j < c.layers_per_block; ++j) {
      b.resnet(block + ".resnets." + std::to_string(j), j == 0 ? ch[std::max<int64_t>(i - 1, 0)] : ch[i], ch[i], 0);
    }
    if (i + 1 < blocks) b.conv(block + ".downsamplers.0.conv", ch[i], ch[i], 3);
  }
  b.resnet("encoder.mid_block.resnets.0", ch.back(), ch.back(), 0);
  if (c.mid_block_attention) b.vae_attention("encoder.mid_block.attentions.0", ch.back());
  b.resnet("encoder.mid_block.resnets.1", ch.back(), ch.back(), 0);
  b.norm("encoder.conv_norm_out", ch.back());
  b.conv("encoder.conv_out", 2 * c.latent_channels, ch.back(), 3);
  b.conv("quant_conv", 2 * c.latent_channels, 2 * c.latent_channels, 1);
  b.conv("post_quant_conv", c.latent_channels, c.latent_channels, 1);
  b.conv("decoder.conv_in", ch.back(), c.latent_channels, 3);
  b.resnet("decoder.mid_block.resnets.0", ch.back(), ch.back(), 0);
  if (c.mid_block_attention) b.vae_attention("decoder.mid_block.attentions.0", ch.back());
  b.resnet("decoder.mid_block.resnets.1", ch.back(), ch.back(), 0);
  for (int64_t i = 0; i < blocks; ++i) {
    const std::string block = "decoder.up_blocks." + std::to_string(i);
    const int64_t out = ch[blocks - 1 - i], prev = ch[blocks - 1 - std::max<int64_t>(i - 1, 0)];
    for (int64_t j = 0; j <= c.layers_per_block; ++j) {
      b.resnet(block + ".resnets." + std::to_string(j), j == 0 ? prev : out, out, 0);
    }
    if (i + 1 < blocks) b.conv(block + ".upsamplers.0.conv", out, out, 3);
  }
  b.norm("decoder.conv_norm_out", ch[0]);
  b.conv("decoder.conv_out", c.out_channels, ch[0], 3);
  return b.tensors;
}

std::string legacy_vae_attention_name(const std::string& name) {
  static const std::pair<const char*, const char*> renames[] = {
      {".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}};
  if (name.find("mid_block.attentions.") == std::string::npos) return "";
  for (const auto& [now, before] : renames) {
    const size_t at = name.find(now);
    if (at != std::string::npos) return name.substr(0, at) + before + name.substr(at + std::string(now).size());
  }
  return "";
}

}  // namespace nineteen::models
