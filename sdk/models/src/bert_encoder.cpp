// The BERT encoder in libtorch: weight loading, post-norm layers with masked attention, pooling.
#include "nineteen/models/bert_encoder.hpp"

#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "nineteen/models/safetensors.hpp"
#include "torch_weights.hpp"
#include "nineteen/sdk/error.hpp"

namespace nineteen::models {

using sdk::Error;
using torch::Tensor;

namespace {

// Reads tensors under one name prefix, checking each shape against config.json's.
class WeightReader {
 public:
  WeightReader(const SafetensorsSet& set, std::string prefix) : set_(set), prefix_(std::move(prefix)) {}

  Tensor read(const std::string& name, std::vector<int64_t> expected, c10::ScalarType target) const {
    return detail::read_weight(set_, prefix_ + name, std::move(expected), target);
  }

 private:
  const SafetensorsSet& set_;
  std::string prefix_;
};

struct Norm {
  Tensor weight, bias;  // [hidden], f32
};

struct EncoderLayer {
  Tensor qkv, qkv_bias;  // [3·hidden, hidden], [3·hidden]: query, key and value fused
  Tensor attention_out, attention_out_bias;
  Norm attention_norm;
  Tensor intermediate, intermediate_bias;
  Tensor output, output_bias;
  Norm output_norm;
};

}  // namespace

struct BertEncoder::Weights {
  BertConfig config;
  SentenceEmbeddingLayout layout;
  WeightStorage storage = WeightStorage::F32;
  Tensor word, position, token_type;  // f32 tables
  Norm embedding_norm;
  std::vector<EncoderLayer> layers;

  // x [..., in] · weightᵀ + bias, rows split over libtorch's threads (each a single-threaded gemm).
  Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) const {
    if (storage == WeightStorage::BF16) {
      return torch::linear(x.to(torch::kBFloat16), weight).to(torch::kFloat).add_(bias);
    }
    const int64_t in = x.size(-1), out = weight.size(0), rows = x.numel() / in;
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = out;
    Tensor x2 = x.reshape({rows, in});
    Tensor y = torch::empty({rows, out});
    Tensor wt = weight.t();
    // Under ~4M multiply-adds per thread, waking another thread costs more than it saves.
    const int64_t threads = std::min<int64_t>(at::get_num_threads(), std::max<int64_t>(1, rows * in * out >> 22));
    const int64_t block = std::max<int64_t>(8, (rows + threads - 1) / threads);
    at::parallel_for(0, rows, block, [&](int64_t begin, int64_t end) {
      Tensor y_rows = y.narrow(0, begin, end - begin);
      torch::addmm_out(y_rows, bias, x2.narrow(0, begin, end - begin), wt);
    });
    return y.view(shape);
  }

  Tensor layer_norm(const Tensor& x, const Norm& n) const {
    return torch::layer_norm(x, {config.hidden_size}, n.weight, n.bias, config.layer_norm_eps);
  }

  // ids [B, n] right-padded; lengths[b] real tokens. Returns the last layer's states [B, n, hidden].
  Tensor run(const Tensor& ids, const std::vector<int64_t>& lengths) const {
    const BertConfig& c = config;
    const int64_t B = ids.size(0), n = ids.size(1), h = c.hidden_size, H = c.num_attention_heads, D = c.head_dim();
    Tensor x = word.index_select(0, ids.reshape({-1})).view({B, n, h});
    x.add_(position.narrow(0, 0, n).unsqueeze(0)).add_(token_type[0]);
    x = layer_norm(x, embedding_norm);

    // Keys past a sequence's length are padding: -inf before the softmax, so they get weight 0.
    Tensor mask;
    if (std::any_of(lengths.begin(), lengths.end(), [&](int64_t l) { return l != n; })) {
      std::vector<int64_t> limit(lengths);
      Tensor limit_t = torch::from_blob(limit.data(), {B, 1, 1, 1}, torch::kLong).clone();
      Tensor key_pos = torch::arange(n, torch::kLong).view({1, 1, 1, n});
      mask = torch::zeros({B, 1, 1, n}).masked_fill(key_pos >= limit_t, -std::numeric_limits<float>::infinity());
    }
    const double scale = 1.0 / std::sqrt(double(D));
    for (const EncoderLayer& layer : layers) {
      Tensor qkv = linear(x, layer.qkv, layer.qkv_bias);
      Tensor q = qkv.narrow(-1, 0, h).view({B, n, H, D}).transpose(1, 2);
      Tensor k = qkv.narrow(-1, h, h).view({B, n, H, D}).transpose(1, 2);
      Tensor v = qkv.narrow(-1, 2 * h, h).view({B, n, H, D}).transpose(1, 2);
      Tensor scores = torch::matmul(q, k.transpose(-1, -2)).mul_(scale);
      if (mask.defined()) scores.add_(mask);
      Tensor context = torch::matmul(torch::softmax(scores, -1), v).transpose(1, 2).reshape({B, n, h});
      x = layer_norm(linear(context, layer.attention_out, layer.attention_out_bias).add_(x), layer.attention_norm);
      Tensor inner = linear(x, layer.intermediate, layer.intermediate_bias);
      inner = c.hidden_act == BertActivation::GeluErf ? torch::gelu(inner) : torch::gelu(inner, "tanh");
      x = layer_norm(linear(inner, layer.output, layer.output_bias).add_(x), layer.output_norm);
    }
    return x;
  }

  // Pools states [B, n, hidden] over each sequence's real tokens, then normalises as configured.
  Tensor pool(const Tensor& states, const std::vector<int64_t>& lengths) const {
    const int64_t B = states.size(0), n = states.size(1);
    std::vector<float> valid(B * n, 0.0f);
    for (int64_t b = 0; b < B; ++b) std::fill_n(valid.begin() + b * n, lengths[b], 1.0f);
    Tensor mask = torch::from_blob(valid.data(), {B, n, 1}, torch::kFloat).clone();
    Tensor counts = torch::tensor(std::vector<float>(lengths.begin(), lengths.end())).view({B, 1});
    Tensor pooled;
    switch (layout.pooling) {
      case BertPooling::Cls: pooled = states.select(1, 0); break;
      case BertPooling::Mean: pooled = (states * mask).sum(1).div_(counts); break;
      case BertPooling::MeanSqrtLength: pooled = (states * mask).sum(1).div_(counts.sqrt()); break;
      // sentence-transformers fills padding with -1e9 before taking the maximum.
      case BertPooling::Max: pooled = std::get<0>(states.masked_fill(mask == 0, -1e9).max(1)); break;
      case BertPooling::LastToken: {
        std::vector<int64_t> rows;
        for (int64_t b = 0; b < B; ++b) rows.push_back(b * n + lengths[b] - 1);
        pooled = states.reshape({B * n, -1}).index_select(0, torch::tensor(rows, torch::kLong));
        break;
      }
    }
    if (layout.normalize) {
      pooled = pooled.div(pooled.norm(2, {1}, true).clamp_min(1e-12));
    }
    return pooled.contiguous();
  }

  // Checks ids and packs sequences into a zero-padded [B, n] tensor.
  Tensor pack(const std::vector<const std::vector<int32_t>*>& sequences, std::vector<int64_t>& lengths) const {
    int64_t n = 0;
    for (const auto* s : sequences) n = std::max<int64_t>(n, static_cast<int64_t>(s->size()));
    Tensor ids = torch::full({static_cast<int64_t>(sequences.size()), n}, config.pad_token_id, torch::kLong);
    auto acc = ids.accessor<int64_t, 2>();
    lengths.clear();
    for (size_t b = 0; b < sequences.size(); ++b) {
      for (size_t i = 0; i < sequences[b]->size(); ++i) acc[b][i] = (*sequences[b])[i];
      lengths.push_back(static_cast<int64_t>(sequences[b]->size()));
    }
    return ids;
  }

  void check_sequence(const std::vector<int32_t>& tokens, size_t index) const {
    if (tokens.empty()) {
      throw Error(NT_INVALID_ARGUMENT, "BERT encoder: sequence " + std::to_string(index) + " has no tokens");
    }
    if (static_cast<int64_t>(tokens.size()) > config.max_position_embeddings) {
      throw Error(NT_INVALID_ARGUMENT, "BERT encoder: sequence " + std::to_string(index) + " has " +
                                           std::to_string(tokens.size()) + " tokens, more than max_position_embeddings " +
                                           std::to_string(config.max_position_embeddings) + "; truncate it");
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i] < 0 || tokens[i] >= config.vocab_size) {
        throw Error(NT_INVALID_ARGUMENT, "BERT encoder: token id " + std::to_string(tokens[i]) + " at position " +
                                             std::to_string(i) + " of sequence " + std::to_string(index) +
                                             " is outside the vocabulary [0, " + std::to_string(config.vocab_size) +
                                             ")");
      }
    }
  }
};

BertEncoder::BertEncoder(std::unique_ptr<Weights> weights) : w_(std::move(weights)) {}
BertEncoder::BertEncoder(BertEncoder&&) noexcept = default;
BertEncoder& BertEncoder::operator=(BertEncoder&&) noexcept = default;
BertEncoder::~BertEncoder() = default;

const BertConfig& BertEncoder::config() const { return w_->config; }
const SentenceEmbeddingLayout& BertEncoder::layout() const { return w_->layout; }
WeightStorage BertEncoder::storage() const { return w_->storage; }
int64_t BertEncoder::dimension() const { return w_->config.hidden_size; }

int64_t BertEncoder::max_tokens() const {
  const int64_t positions = w_->config.max_position_embeddings;
  const int64_t given = w_->layout.max_seq_length;
  return given > 0 ? std::min(given, positions) : positions;
}

BertEncoder BertEncoder::load(const std::string& dir, const LoadOptions& options) {
  SentenceEmbeddingLayout layout = SentenceEmbeddingLayout::from_model_dir(dir);
  BertConfig config = BertConfig::from_model_dir(layout.transformer_dir);
  SafetensorsSet weights = SafetensorsSet::open_dir(layout.transformer_dir);
  return from_weights(config, weights, layout, options);
}

BertEncoder BertEncoder::from_weights(const BertConfig& c, const SafetensorsSet& set,
                                      const SentenceEmbeddingLayout& layout, const LoadOptions& options) {
  if (layout.word_embedding_dimension > 0 && layout.word_embedding_dimension != c.hidden_size) {
    throw Error(NT_INVALID_ARGUMENT, "the Pooling module's word_embedding_dimension " +
                                         std::to_string(layout.word_embedding_dimension) +
                                         " differs from config.json's hidden_size " + std::to_string(c.hidden_size));
  }
  detail::set_compute_threads(options.threads);
  c10::InferenceMode guard;
  auto w = std::make_unique<Weights>();
  w->config = c;
  w->layout = layout;
  if (options.storage == WeightStorage::Q8) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "BERT encoder: weight storage q8 is for the Llama decoder; use f32 or bf16");
  }
  w->storage = options.storage;
  std::string prefix;
  if (!set.find("embeddings.word_embeddings.weight") && set.find("bert.embeddings.word_embeddings.weight")) {
    prefix = "bert.";
  }
  const WeightReader r(set, prefix);
  const auto matrix = options.storage == WeightStorage::BF16 ? torch::kBFloat16 : torch::kFloat;
  const auto f32 = torch::kFloat;
  const int64_t h = c.hidden_size, I = c.intermediate_size;
  auto norm = [&](const std::string& name) {
    return Norm{r.read(name + ".weight", {h}, f32), r.read(name + ".bias", {h}, f32)};
  };
  w->word = r.read("embeddings.word_embeddings.weight", {c.vocab_size, h}, f32);
  w->position = r.read("embeddings.position_embeddings.weight", {c.max_position_embeddings, h}, f32);
  w->token_type = r.read("embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}, f32);
  w->embedding_norm = norm("embeddings.LayerNorm");
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    EncoderLayer layer;
    layer.qkv = torch::cat({r.read(p + "attention.self.query.weight", {h, h}, matrix),
                            r.read(p + "attention.self.key.weight", {h, h}, matrix),
                            r.read(p + "attention.self.value.weight", {h, h}, matrix)});
    layer.qkv_bias = torch::cat({r.read(p + "attention.self.query.bias", {h}, f32),
                                 r.read(p + "attention.self.key.bias", {h}, f32),
                                 r.read(p + "attention.self.value.bias", {h}, f32)});
    layer.attention_out = r.read(p + "attention.output.dense.weight", {h, h}, matrix);
    layer.attention_out_bias = r.read(p + "attention.output.dense.bias", {h}, f32);
    layer.attention_norm = norm(p + "attention.output.LayerNorm");
    layer.intermediate = r.read(p + "intermediate.dense.weight", {I, h}, matrix);
    layer.intermediate_bias = r.read(p + "intermediate.dense.bias", {I}, f32);
    layer.output = r.read(p + "output.dense.weight", {h, I}, matrix);
    layer.output_bias = r.read(p + "output.dense.bias", {h}, f32);
    layer.output_norm = norm(p + "output.LayerNorm");
    w->layers.push_back(std::move(layer));
  }
  return BertEncoder(std::move(w));
}

SentenceEmbeddings BertEncoder::embed(const std::vector<std::vector<int32_t>>& sequences, int64_t max_batch) const {
  for (size_t i = 0; i < sequences.size(); ++i) w_->check_sequence(sequences[i], i);
  SentenceEmbeddings out;
  out.dimension = dimension();
  out.values.resize(sequences.size() * static_cast<size_t>(out.dimension));
  if (sequences.empty()) return out;
  // Similar lengths share a pass, so little of it is padding.
  std::vector<size_t> order(sequences.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sequences[a].size() < sequences[b].size(); });
  const size_t batch = max_batch > 0 ? static_cast<size_t>(max_batch) : sequences.size();
  c10::InferenceMode guard;
  for (size_t begin = 0; begin < order.size(); begin += batch) {
    const size_t end = std::min(order.size(), begin + batch);
    std::vector<const std::vector<int32_t>*> group;
    for (size_t i = begin; i < end; ++i) group.push_back(&sequences[order[i]]);
    std::vector<int64_t> lengths;
    Tensor ids = w_->pack(group, lengths);
    Tensor pooled = w_->pool(w_->run(ids, lengths), lengths);
    const float* data = pooled.data_ptr<float>();
    for (size_t i = begin; i < end; ++i) {
      std::copy_n(data + (i - begin) * out.dimension, out.dimension, out.values.begin() + order[i] * out.dimension);
    }
  }
  return out;
}

std::vector<float> BertEncoder::token_states(const std::vector<int32_t>& tokens) const {
  w_->check_sequence(tokens, 0);
  c10::InferenceMode guard;
  std::vector<int64_t> lengths;
  Tensor states = w_->run(w_->pack({&tokens}, lengths), lengths).contiguous();
  return std::vector<float>(states.data_ptr<float>(), states.data_ptr<float>() + states.numel());
}

}  // namespace nineteen::models
