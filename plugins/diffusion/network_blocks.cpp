// ResnetBlock2D, Transformer2DModel and attention in libtorch, over diffusers-named weights.
#include "network_blocks.hpp"

#include <cmath>

namespace nineteen::diffusion {

namespace F = torch::nn::functional;

torch::Tensor group_norm(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, int64_t groups,
                         double eps) {
  return torch::group_norm(x, groups, w(name + ".weight"), w(name + ".bias"), eps);
}

torch::Tensor conv2d(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, int64_t stride,
                     int64_t padding) {
  return torch::conv2d(x, w(name + ".weight"), w(name + ".bias"), {stride, stride}, {padding, padding});
}

torch::Tensor linear(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, bool bias) {
  return bias ? torch::linear(x, w(name + ".weight"), w(name + ".bias")) : torch::linear(x, w(name + ".weight"));
}

torch::Tensor resnet_block(const ModuleWeights& w, const std::string& name, const torch::Tensor& x,
                           const std::optional<torch::Tensor>& temb, int64_t groups, double eps) {
  torch::Tensor h = conv2d(w, name + ".conv1", torch::silu(group_norm(w, name + ".norm1", x, groups, eps)));
  if (temb) h = h + linear(w, name + ".time_emb_proj", torch::silu(*temb)).unsqueeze(-1).unsqueeze(-1);
  h = conv2d(w, name + ".conv2", torch::silu(group_norm(w, name + ".norm2", h, groups, eps)));
  torch::Tensor shortcut = x.size(1) == h.size(1) ? x : conv2d(w, name + ".conv_shortcut", x, 1, 0);
  return shortcut + h;
}

torch::Tensor multi_head_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   int64_t heads, bool causal) {
  const int64_t b = q.size(0), n = q.size(1), m = k.size(1), d = q.size(2) / heads;
  auto split = [&](const torch::Tensor& t, int64_t len) { return t.reshape({b, len, heads, d}).transpose(1, 2); };
  torch::Tensor scores = torch::matmul(split(q, n), split(k, m).transpose(-1, -2)) / std::sqrt(double(d));
  if (causal) {
    torch::Tensor mask = torch::ones({n, m}, torch::kBool).triu(1);
    scores = scores.masked_fill(mask, -std::numeric_limits<float>::infinity());
  }
  return torch::matmul(torch::softmax(scores, -1), split(v, m)).transpose(1, 2).reshape({b, n, heads * d});
}

namespace {

torch::Tensor attention(const ModuleWeights& w, const std::string& name, const torch::Tensor& x,
                        const torch::Tensor& context, int64_t heads) {
  torch::Tensor q = linear(w, name + ".to_q", x, false);
  torch::Tensor k = linear(w, name + ".to_k", context, false);
  torch::Tensor v = linear(w, name + ".to_v", context, false);
  return linear(w, name + ".to_out.0", multi_head_attention(q, k, v, heads));
}

torch::Tensor layer_norm(const ModuleWeights& w, const std::string& name, const torch::Tensor& x) {
  return torch::layer_norm(x, {x.size(-1)}, w(name + ".weight"), w(name + ".bias"), 1e-5);
}

}  // namespace

torch::Tensor transformer_2d(const ModuleWeights& w, const std::string& name, const torch::Tensor& x,
                             const torch::Tensor& context, int64_t heads, int64_t groups, bool linear_projection) {
  const int64_t b = x.size(0), c = x.size(1), hgt = x.size(2), wid = x.size(3);
  torch::Tensor h = group_norm(w, name + ".norm", x, groups, 1e-6);
  if (!linear_projection) h = conv2d(w, name + ".proj_in", h, 1, 0);
  h = h.permute({0, 2, 3, 1}).reshape({b, hgt * wid, c});
  if (linear_projection) h = linear(w, name + ".proj_in", h);
  const std::string block = name + ".transformer_blocks.0";
  torch::Tensor n1 = layer_norm(w, block + ".norm1", h);
  h = h + attention(w, block + ".attn1", n1, n1, heads);
  h = h + attention(w, block + ".attn2", layer_norm(w, block + ".norm2", h), context, heads);
  torch::Tensor projected = linear(w, block + ".ff.net.0.proj", layer_norm(w, block + ".norm3", h));
  auto halves = projected.chunk(2, -1);
  h = h + linear(w, block + ".ff.net.2", halves[0] * torch::gelu(halves[1]));
  if (linear_projection) h = linear(w, name + ".proj_out", h);
  h = h.reshape({b, hgt, wid, c}).permute({0, 3, 1, 2});
  if (!linear_projection) h = conv2d(w, name + ".proj_out", h.contiguous(), 1, 0);
  return h + x;
}

torch::Tensor vae_attention(const ModuleWeights& w, const std::string& name, const torch::Tensor& x, int64_t groups,
                            double eps) {
  const int64_t b = x.size(0), c = x.size(1), hgt = x.size(2), wid = x.size(3);
  torch::Tensor h = group_norm(w, name + ".group_norm", x, groups, eps);
  h = h.reshape({b, c, hgt * wid}).transpose(1, 2);
  torch::Tensor a = multi_head_attention(linear(w, name + ".to_q", h), linear(w, name + ".to_k", h),
                                         linear(w, name + ".to_v", h), 1);
  h = linear(w, name + ".to_out.0", a);
  return h.transpose(1, 2).reshape({b, c, hgt, wid}) + x;
}

}  // namespace nineteen::diffusion
