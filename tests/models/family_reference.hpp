// A float64 reference of the decoder families' math, written separately from the library's
// decoder: plain loops in double over weights it decodes itself (f32, f16 and bf16 bits widened by
// hand), reading config.json with its own code and following model.safetensors.index.json itself.
// It is slow (no caching: every call recomputes the whole sequence) and only meant for tiny models.
//
// What it implements, per Hugging Face's modeling code:
//   llama   - RMSNorm, rotary (rotate_half), grouped-query attention, SwiGLU; rope_scaling
//             "llama3" / "linear"; attention_bias adds q/k/v/o biases; tied embeddings.
//   mistral - the same with sliding_window: query i sees keys j with i - window < j <= i.
//   qwen2   - q/k/v biases; the window only with use_sliding_window, on layers >= max_window_layers.
//   phi3    - qkv_proj rows are [q; k; v], gate_up_proj rows are [gate; up]; sliding_window.
#pragma once

#include <rapidjson/document.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nineteen/models/safetensors.hpp"

namespace nineteen::models::testing_support {

class FamilyReference {
 public:
  explicit FamilyReference(const std::string& dir) : dir_(dir) {
    rapidjson::Document c;
    c.Parse(read_text(dir + "/config.json").c_str());
    if (c.HasParseError() || !c.IsObject()) throw std::runtime_error("reference: bad config.json in " + dir);
    auto integer = [&](const char* key, int64_t fallback) {
      return c.HasMember(key) && c[key].IsInt64() ? c[key].GetInt64() : fallback;
    };
    auto number = [&](const char* key, double fallback) {
      return c.HasMember(key) && c[key].IsNumber() ? c[key].GetDouble() : fallback;
    };
    auto boolean = [&](const char* key, bool fallback) {
      return c.HasMember(key) && c[key].IsBool() ? c[key].GetBool() : fallback;
    };
    type_ = c.HasMember("model_type") ? c["model_type"].GetString() : "llama";
    vocab_ = integer("vocab_size", 0);
    hidden_ = integer("hidden_size", 0);
    inter_ = integer("intermediate_size", 0);
    layers_ = integer("num_hidden_layers", 0);
    heads_ = integer("num_attention_heads", 0);
    kv_heads_ = integer("num_key_value_heads", heads_);
    head_dim_ = integer("head_dim", hidden_ / heads_);
    eps_ = number("rms_norm_eps", 1e-6);
    theta_ = number("rope_theta", 10000.0);
    tied_ = boolean("tie_word_embeddings", false);
    qkv_bias_ = type_ == "qwen2" || (type_ == "llama" && boolean("attention_bias", false));
    o_bias_ = type_ == "llama" && boolean("attention_bias", false);
    int64_t window = integer("sliding_window", 0);
    window_.assign(layers_, 0);
    if (type_ == "mistral" || type_ == "phi3") {
      window_.assign(layers_, window);
    } else if (type_ == "qwen2" && boolean("use_sliding_window", false)) {
      for (int64_t l = integer("max_window_layers", 0); l < layers_; ++l) window_[l] = window;
    }
    // Inverse frequencies in double, with rope scaling as transformers' rope_utils defines it.
    for (int64_t i = 0; i < head_dim_ / 2; ++i) inv_freq_.push_back(std::pow(theta_, -2.0 * i / head_dim_));
    if (c.HasMember("rope_scaling") && c["rope_scaling"].IsObject()) {
      const auto& rs = c["rope_scaling"];
      std::string type = rs.HasMember("rope_type") ? rs["rope_type"].GetString() : rs["type"].GetString();
      double factor = rs.HasMember("factor") ? rs["factor"].GetDouble() : 1.0;
      if (type == "linear") {
        for (double& f : inv_freq_) f /= factor;
      } else if (type == "llama3") {
        double low = rs["low_freq_factor"].GetDouble(), high = rs["high_freq_factor"].GetDouble();
        double old_len = rs["original_max_position_embeddings"].GetDouble();
        for (double& f : inv_freq_) {
          double wavelen = 2 * M_PI / f;
          if (wavelen > old_len / low) {
            f = f / factor;
          } else if (wavelen >= old_len / high) {
            double smooth = (old_len / wavelen - low) / (high - low);
            f = (1 - smooth) * f / factor + smooth * f;
          }
        }
      } else if (type == "longrope" || type == "su") {
        // Phi-3.5 within its original context: each pair's frequency over short_factor[i]; cos and
        // sin scaled by sqrt(1 + ln(max / original) / ln(original)).
        const double original = rs.HasMember("original_max_position_embeddings")
                                    ? rs["original_max_position_embeddings"].GetDouble()
                                    : c["original_max_position_embeddings"].GetDouble();
        const double longest = number("max_position_embeddings", original);
        for (size_t i = 0; i < inv_freq_.size(); ++i) inv_freq_[i] /= rs["short_factor"][rapidjson::SizeType(i)].GetDouble();
        if (longest > original) rotary_scale_ = std::sqrt(1.0 + std::log(longest / original) / std::log(original));
      } else if (type == "yarn") {
        // Pair i turns position/inv... times 2π over the original context; r(i) = original ·
        // inv_freq / 2π rotations. Pairs with r above beta_fast (32) keep their frequency, below
        // beta_slow (1) are divided by factor, with a ramp over the dims between the two
        // (rounded outwards); cos and sin scaled by 0.1 ln(factor) + 1.
        const double original = rs.HasMember("original_max_position_embeddings")
                                    ? rs["original_max_position_embeddings"].GetDouble()
                                    : number("max_position_embeddings", 2048);
        const double fast = rs.HasMember("beta_fast") ? rs["beta_fast"].GetDouble() : 32.0;
        const double slow = rs.HasMember("beta_slow") ? rs["beta_slow"].GetDouble() : 1.0;
        // The dim d at which a pair turns `rotations` times: theta^(-d/D) · original = 2π · rotations.
        auto dim_for = [&](double rotations) {
          return double(head_dim_) * std::log(original / (2 * M_PI * rotations)) / (2 * std::log(theta_));
        };
        double low = std::max(0.0, std::floor(dim_for(fast)));
        double high = std::min(double(head_dim_ - 1), std::ceil(dim_for(slow)));
        if (high == low) high += 0.001;
        for (size_t i = 0; i < inv_freq_.size(); ++i) {
          double keep = 1.0 - std::min(1.0, std::max(0.0, (double(i) - low) / (high - low)));
          inv_freq_[i] = keep * inv_freq_[i] + (1.0 - keep) * inv_freq_[i] / factor;
        }
        if (factor > 1.0) rotary_scale_ = 0.1 * std::log(factor) + 1.0;
      } else if (type != "default") {
        throw std::runtime_error("reference: rope_type " + type + " not implemented");
      }
    }
    open_weights();
  }

  const std::string& model_type() const { return type_; }
  int64_t vocab() const { return vocab_; }

  // Log-probabilities (log-softmax of the logits) at every position: [tokens.size()][vocab].
  // window_override >= 0 replaces every layer's window (0 = full attention), to show a test
  // that the window changes the answer.
  std::vector<std::vector<double>> logprobs(const std::vector<int32_t>& tokens, int64_t window_override = -1) const {
    const int64_t n = static_cast<int64_t>(tokens.size()), D = head_dim_, H = heads_, Hkv = kv_heads_;
    const Matrix& embed = weight("model.embed_tokens.weight");
    std::vector<std::vector<double>> x(n);
    for (int64_t t = 0; t < n; ++t) x[t] = embed.row(tokens[t]);
    for (int64_t l = 0; l < layers_; ++l) {
      const std::string p = "model.layers." + std::to_string(l) + ".";
      const int64_t window = window_override >= 0 ? window_override : window_[l];
      std::vector<std::vector<double>> q(n), k(n), v(n);
      for (int64_t t = 0; t < n; ++t) {
        std::vector<double> h = rms_norm(x[t], weight(p + "input_layernorm.weight").data);
        if (type_ == "phi3") {
          std::vector<double> qkv = weight(p + "self_attn.qkv_proj.weight").times(h);
          q[t].assign(qkv.begin(), qkv.begin() + H * D);
          k[t].assign(qkv.begin() + H * D, qkv.begin() + (H + Hkv) * D);
          v[t].assign(qkv.begin() + (H + Hkv) * D, qkv.end());
        } else {
          q[t] = weight(p + "self_attn.q_proj.weight").times(h);
          k[t] = weight(p + "self_attn.k_proj.weight").times(h);
          v[t] = weight(p + "self_attn.v_proj.weight").times(h);
        }
        if (qkv_bias_) {
          add(q[t], weight(p + "self_attn.q_proj.bias").data);
          add(k[t], weight(p + "self_attn.k_proj.bias").data);
          add(v[t], weight(p + "self_attn.v_proj.bias").data);
        }
        rotate(q[t], H, t);
        rotate(k[t], Hkv, t);
      }
      for (int64_t t = 0; t < n; ++t) {
        std::vector<double> attn(H * D, 0.0);
        for (int64_t head = 0; head < H; ++head) {
          const int64_t kvh = head / (H / Hkv);
          std::vector<double> score;
          int64_t first = 0;
          if (window > 0) first = std::max<int64_t>(0, t - window + 1);
          double best = -INFINITY;
          for (int64_t j = first; j <= t; ++j) {
            double s = 0;
            for (int64_t d = 0; d < D; ++d) s += q[t][head * D + d] * k[j][kvh * D + d];
            score.push_back(s / std::sqrt(double(D)));
            best = std::max(best, score.back());
          }
          double total = 0;
          for (double& s : score) total += (s = std::exp(s - best));
          for (int64_t j = first; j <= t; ++j) {
            for (int64_t d = 0; d < D; ++d) attn[head * D + d] += score[j - first] / total * v[j][kvh * D + d];
          }
        }
        std::vector<double> o = weight(p + "self_attn.o_proj.weight").times(attn);
        if (o_bias_) add(o, weight(p + "self_attn.o_proj.bias").data);
        add(x[t], o);
        std::vector<double> h = rms_norm(x[t], weight(p + "post_attention_layernorm.weight").data);
        std::vector<double> gate, up;
        if (type_ == "phi3") {
          std::vector<double> gu = weight(p + "mlp.gate_up_proj.weight").times(h);
          gate.assign(gu.begin(), gu.begin() + inter_);
          up.assign(gu.begin() + inter_, gu.end());
        } else {
          gate = weight(p + "mlp.gate_proj.weight").times(h);
          up = weight(p + "mlp.up_proj.weight").times(h);
        }
        for (int64_t i = 0; i < inter_; ++i) gate[i] = gate[i] / (1 + std::exp(-gate[i])) * up[i];
        add(x[t], weight(p + "mlp.down_proj.weight").times(gate));
      }
    }
    const Matrix& head = has("lm_head.weight") || !tied_ ? weight("lm_head.weight") : embed;
    std::vector<std::vector<double>> out(n);
    for (int64_t t = 0; t < n; ++t) {
      std::vector<double> logits = head.times(rms_norm(x[t], weight("model.norm.weight").data));
      double best = -INFINITY, total = 0;
      for (double z : logits) best = std::max(best, z);
      for (double z : logits) total += std::exp(z - best);
      for (double& z : logits) z -= best + std::log(total);
      out[t] = std::move(logits);
    }
    return out;
  }

  // Greedy continuation: `count` tokens, each the argmax of the full recomputation.
  std::vector<int32_t> greedy(std::vector<int32_t> tokens, int count) const {
    std::vector<int32_t> out;
    for (int i = 0; i < count; ++i) {
      std::vector<double> last = logprobs(tokens).back();
      int32_t best = 0;
      for (int32_t v = 1; v < static_cast<int32_t>(last.size()); ++v) {
        if (last[v] > last[best]) best = v;
      }
      out.push_back(best);
      tokens.push_back(best);
    }
    return out;
  }

 private:
  struct Matrix {
    std::vector<int64_t> shape;
    std::vector<double> data;
    std::vector<double> row(int64_t r) const {
      const int64_t cols = shape.back();
      return std::vector<double>(data.begin() + r * cols, data.begin() + (r + 1) * cols);
    }
    std::vector<double> times(const std::vector<double>& x) const {
      const int64_t rows = shape[0], cols = shape[1];
      if (static_cast<int64_t>(x.size()) != cols) throw std::runtime_error("reference: shape mismatch");
      std::vector<double> y(rows, 0.0);
      for (int64_t r = 0; r < rows; ++r) {
        double s = 0;
        for (int64_t c = 0; c < cols; ++c) s += data[r * cols + c] * x[c];
        y[r] = s;
      }
      return y;
    }
  };

  static std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("reference: cannot read " + path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  static double half_to_double(uint16_t h) {
    const int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    double v = exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(1024 + mantissa, exponent - 25);
    return (h & 0x8000) ? -v : v;
  }

  void open_weights() {
    std::vector<std::string> files;
    const std::string index = dir_ + "/model.safetensors.index.json";
    if (std::filesystem::exists(index)) {
      rapidjson::Document d;
      d.Parse(read_text(index).c_str());
      std::map<std::string, bool> seen;
      for (auto it = d["weight_map"].MemberBegin(); it != d["weight_map"].MemberEnd(); ++it) {
        if (!seen[it->value.GetString()]) files.push_back(dir_ + "/" + it->value.GetString());
        seen[it->value.GetString()] = true;
      }
    } else {
      files.push_back(dir_ + "/model.safetensors");
    }
    for (const std::string& path : files) {
      SafetensorsFile file = SafetensorsFile::open(path);
      for (const TensorView& t : file.tensors()) {
        Matrix m;
        m.shape = t.shape;
        const size_t count = static_cast<size_t>(t.element_count());
        m.data.resize(count);
        for (size_t i = 0; i < count; ++i) {
          if (t.dtype == DType::F32) {
            float f;
            std::memcpy(&f, t.data + 4 * i, 4);
            m.data[i] = f;
          } else {
            uint16_t bits;
            std::memcpy(&bits, t.data + 2 * i, 2);
            if (t.dtype == DType::F16) {
              m.data[i] = half_to_double(bits);
            } else {
              uint32_t wide = uint32_t(bits) << 16;
              float f;
              std::memcpy(&f, &wide, 4);
              m.data[i] = f;
            }
          }
        }
        weights_[t.name] = std::move(m);
      }
    }
  }

  bool has(const std::string& name) const { return weights_.count(name) > 0; }
  const Matrix& weight(const std::string& name) const {
    auto it = weights_.find(name);
    if (it == weights_.end()) throw std::runtime_error("reference: no tensor " + name + " in " + dir_);
    return it->second;
  }

  std::vector<double> rms_norm(const std::vector<double>& x, const std::vector<double>& w) const {
    double sum = 0;
    for (double v : x) sum += v * v;
    const double inv = 1.0 / std::sqrt(sum / double(x.size()) + eps_);
    std::vector<double> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] * inv * w[i];
    return out;
  }

  static void add(std::vector<double>& x, const std::vector<double>& y) {
    for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
  }

  // rotate_half: element i pairs with i + D/2 in each head.
  void rotate(std::vector<double>& x, int64_t heads, int64_t position) const {
    const int64_t D = head_dim_, half = D / 2;
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t i = 0; i < half; ++i) {
        const double angle = double(position) * inv_freq_[i];
        const double a = x[h * D + i], b = x[h * D + half + i];
        x[h * D + i] = rotary_scale_ * (a * std::cos(angle) - b * std::sin(angle));
        x[h * D + half + i] = rotary_scale_ * (b * std::cos(angle) + a * std::sin(angle));
      }
    }
  }

  std::string dir_, type_;
  int64_t vocab_ = 0, hidden_ = 0, inter_ = 0, layers_ = 0, heads_ = 0, kv_heads_ = 0, head_dim_ = 0;
  double eps_ = 1e-6, theta_ = 10000.0;
  bool tied_ = false, qkv_bias_ = false, o_bias_ = false;
  std::vector<int64_t> window_;
  std::vector<double> inv_freq_;
  double rotary_scale_ = 1.0;  // longrope's and yarn's attention factor on cos and sin
  std::map<std::string, Matrix> weights_;
};

}  // namespace nineteen::models::testing_support
