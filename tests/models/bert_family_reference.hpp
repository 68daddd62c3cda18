// A float64 reference of a sentence-transformers BERT model, written separately from the library:
// it reads config.json, modules.json, 1_Pooling/config.json and the weights with its own code
// (f32 and bf16 bits widened by hand) and runs BertModel's math in plain loops: embeddings (word +
// position + token type 0) and LayerNorm; per layer self-attention, dense + residual + LayerNorm,
// GELU (erf, or tanh for gelu_new / gelu_pytorch_tanh) MLP + residual + LayerNorm; then the pooling
// the Pooling module names (cls, mean, max, mean_sqrt_len, lasttoken) and L2 normalisation when a
// Normalize module is listed. One sequence at a time (no padding).
#pragma once

#include <rapidjson/document.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "nineteen/models/safetensors.hpp"

namespace nineteen::models::testing_support {

class BertFamilyReference {
 public:
  explicit BertFamilyReference(const std::string& dir) {
    rapidjson::Document c = parse(dir + "/config.json");
    hidden_ = c["hidden_size"].GetInt64();
    heads_ = c["num_attention_heads"].GetInt64();
    layers_ = c["num_hidden_layers"].GetInt64();
    eps_ = c.HasMember("layer_norm_eps") ? c["layer_norm_eps"].GetDouble() : 1e-12;
    const std::string act = c.HasMember("hidden_act") ? c["hidden_act"].GetString() : "gelu";
    tanh_gelu_ = act == "gelu_new" || act == "gelu_pytorch_tanh";
    pooling_ = "mean_tokens";
    if (std::filesystem::exists(dir + "/modules.json")) {
      rapidjson::Document modules = parse(dir + "/modules.json");
      for (const auto& m : modules.GetArray()) {
        const std::string type = m["type"].GetString();
        const std::string path = dir + "/" + m["path"].GetString();
        if (type.find("Normalize") != std::string::npos) normalize_ = true;
        if (type.find("Pooling") != std::string::npos) {
          rapidjson::Document p = parse(path + "/config.json");
          for (const char* mode : {"cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens", "lasttoken"}) {
            const std::string key = std::string("pooling_mode_") + mode;
            if (p.HasMember(key.c_str()) && p[key.c_str()].GetBool()) pooling_ = mode;
          }
        }
      }
    }
    SafetensorsFile file = SafetensorsFile::open(dir + "/model.safetensors");
    for (const TensorView& t : file.tensors()) {
      std::vector<double>& out = weights_[t.name.rfind("bert.", 0) == 0 ? t.name.substr(5) : t.name];
      out.resize(static_cast<size_t>(t.element_count()));
      for (size_t i = 0; i < out.size(); ++i) {
        float f;
        if (t.dtype == DType::F32) {
          std::memcpy(&f, t.data + 4 * i, 4);
        } else if (t.dtype == DType::BF16) {
          uint16_t bits;
          std::memcpy(&bits, t.data + 2 * i, 2);
          uint32_t wide = uint32_t(bits) << 16;
          std::memcpy(&f, &wide, 4);
        } else {
          throw std::runtime_error("reference: dtype not handled");
        }
        out[i] = f;
      }
    }
  }

  const std::string& pooling() const { return pooling_; }
  bool normalize() const { return normalize_; }

  std::vector<double> embed(const std::vector<int32_t>& ids) const {
    const int64_t n = static_cast<int64_t>(ids.size()), h = hidden_, H = heads_, D = h / H;
    std::vector<std::vector<double>> x(n, std::vector<double>(h));
    for (int64_t t = 0; t < n; ++t) {
      for (int64_t i = 0; i < h; ++i) {
        x[t][i] = w("embeddings.word_embeddings.weight")[ids[t] * h + i] +
                  w("embeddings.position_embeddings.weight")[t * h + i] + w("embeddings.token_type_embeddings.weight")[i];
      }
      x[t] = layer_norm(x[t], "embeddings.LayerNorm");
    }
    for (int64_t l = 0; l < layers_; ++l) {
      const std::string p = "encoder.layer." + std::to_string(l) + ".";
      std::vector<std::vector<double>> q(n), k(n), v(n);
      for (int64_t t = 0; t < n; ++t) {
        q[t] = dense(x[t], p + "attention.self.query");
        k[t] = dense(x[t], p + "attention.self.key");
        v[t] = dense(x[t], p + "attention.self.value");
      }
      std::vector<std::vector<double>> next(n);
      for (int64_t t = 0; t < n; ++t) {
        std::vector<double> context(h, 0.0);
        for (int64_t head = 0; head < H; ++head) {
          std::vector<double> score(n);
          double best = -INFINITY, total = 0;
          for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (int64_t d = 0; d < D; ++d) s += q[t][head * D + d] * k[j][head * D + d];
            score[j] = s / std::sqrt(double(D));
            best = std::max(best, score[j]);
          }
          for (double& s : score) total += (s = std::exp(s - best));
          for (int64_t j = 0; j < n; ++j)
            for (int64_t d = 0; d < D; ++d) context[head * D + d] += score[j] / total * v[j][head * D + d];
        }
        std::vector<double> a = dense(context, p + "attention.output.dense");
        for (int64_t i = 0; i < h; ++i) a[i] += x[t][i];
        a = layer_norm(a, p + "attention.output.LayerNorm");
        std::vector<double> inner = dense(a, p + "intermediate.dense");
        for (double& u : inner) {
          u = tanh_gelu_ ? 0.5 * u * (1 + std::tanh(std::sqrt(2 / M_PI) * (u + 0.044715 * u * u * u)))
                         : 0.5 * u * (1 + std::erf(u / std::sqrt(2.0)));
        }
        std::vector<double> o = dense(inner, p + "output.dense");
        for (int64_t i = 0; i < h; ++i) o[i] += a[i];
        next[t] = layer_norm(o, p + "output.LayerNorm");
      }
      x = std::move(next);
    }
    std::vector<double> pooled(h, 0.0);
    if (pooling_ == "cls_token") {
      pooled = x[0];
    } else if (pooling_ == "lasttoken") {
      pooled = x[n - 1];
    } else if (pooling_ == "max_tokens") {
      pooled.assign(h, -INFINITY);
      for (int64_t t = 0; t < n; ++t)
        for (int64_t i = 0; i < h; ++i) pooled[i] = std::max(pooled[i], x[t][i]);
    } else {
      for (int64_t t = 0; t < n; ++t)
        for (int64_t i = 0; i < h; ++i) pooled[i] += x[t][i];
      const double divisor = pooling_ == "mean_tokens" ? double(n) : std::sqrt(double(n));
      for (double& value : pooled) value /= divisor;
    }
    if (normalize_) {
      double norm = 0;
      for (double value : pooled) norm += value * value;
      norm = std::max(std::sqrt(norm), 1e-12);
      for (double& value : pooled) value /= norm;
    }
    return pooled;
  }

 private:
  static rapidjson::Document parse(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("reference: cannot read " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    rapidjson::Document d;
    d.Parse(text.c_str());
    if (d.HasParseError()) throw std::runtime_error("reference: bad JSON in " + path);
    return d;
  }

  const std::vector<double>& w(const std::string& name) const {
    auto it = weights_.find(name);
    if (it == weights_.end()) throw std::runtime_error("reference: no tensor " + name);
    return it->second;
  }

  std::vector<double> dense(const std::vector<double>& x, const std::string& name) const {
    const std::vector<double>& weight = w(name + ".weight");
    const std::vector<double>& bias = w(name + ".bias");
    const size_t cols = x.size(), rows = bias.size();
    std::vector<double> y(bias);
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < cols; ++c) y[r] += weight[r * cols + c] * x[c];
    return y;
  }

  std::vector<double> layer_norm(const std::vector<double>& x, const std::string& name) const {
    double mean = 0, var = 0;
    for (double v : x) mean += v;
    mean /= double(x.size());
    for (double v : x) var += (v - mean) * (v - mean);
    var /= double(x.size());
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      y[i] = (x[i] - mean) / std::sqrt(var + eps_) * w(name + ".weight")[i] + w(name + ".bias")[i];
    }
    return y;
  }

  int64_t hidden_ = 0, heads_ = 0, layers_ = 0;
  double eps_ = 1e-12;
  bool tanh_gelu_ = false, normalize_ = false;
  std::string pooling_;
  std::map<std::string, std::vector<double>> weights_;
};

}  // namespace nineteen::models::testing_support
