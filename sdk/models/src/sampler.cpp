// Token sampling: greedy, temperature, top-k and top-p over a per-request generator.
#include "nineteen/models/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "nineteen/sdk/error.hpp"

namespace nineteen::models {

using sdk::Error;

void SamplingParams::validate() const {
  if (!(temperature >= 0.0 && temperature <= 100.0)) {
    throw Error(NT_INVALID_ARGUMENT, "sampling: temperature must be a number from 0 to 100, got " +
                                         std::to_string(temperature));
  }
  if (!(top_p > 0.0 && top_p <= 1.0)) {
    throw Error(NT_INVALID_ARGUMENT, "sampling: top_p must be in (0, 1], got " + std::to_string(top_p));
  }
  if (top_k < 0) throw Error(NT_INVALID_ARGUMENT, "sampling: top_k must be >= 0 (0 = off), got " + std::to_string(top_k));
  if (top_logprobs < 0 || top_logprobs > 1000) {
    throw Error(NT_INVALID_ARGUMENT, "sampling: top_logprobs must be from 0 to 1000, got " +
                                         std::to_string(top_logprobs));
  }
}

Sampler::Sampler(const SamplingParams& params) : params_(params), generator_(params.seed) { params_.validate(); }

TokenChoice Sampler::next(const float* logits, int64_t vocab) {
  if (vocab < 1) throw Error(NT_INVALID_ARGUMENT, "sampler: empty logits");
  // Raw distribution: log-softmax in double so that the reported logprobs do not depend on order.
  double max_logit = -std::numeric_limits<double>::infinity();
  int32_t argmax = -1;
  for (int64_t i = 0; i < vocab; ++i) {
    if (std::isfinite(logits[i]) && logits[i] > max_logit) {
      max_logit = logits[i];
      argmax = static_cast<int32_t>(i);
    }
  }
  if (argmax < 0) throw Error(NT_INTERNAL, "sampler: every logit is NaN or infinite");
  double sum = 0.0;
  for (int64_t i = 0; i < vocab; ++i) {
    if (std::isfinite(logits[i])) sum += std::exp(double(logits[i]) - max_logit);
  }
  const double log_z = max_logit + std::log(sum);
  auto raw_logprob = [&](int32_t id) { return static_cast<float>(double(logits[id]) - log_z); };
  auto better = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };

  TokenChoice choice;
  if (params_.temperature == 0.0) {
    choice.token = argmax;
  } else {
    // Candidates, best first where top-k or top-p needs an order.
    order_.clear();
    for (int64_t i = 0; i < vocab; ++i) {
      if (std::isfinite(logits[i])) order_.push_back(static_cast<int32_t>(i));
    }
    size_t keep = order_.size();
    if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < keep) {
      keep = static_cast<size_t>(params_.top_k);
      std::partial_sort(order_.begin(), order_.begin() + keep, order_.end(), better);
      order_.resize(keep);
    } else if (params_.top_p < 1.0) {
      std::sort(order_.begin(), order_.end(), better);
    }
    const double inv_t = 1.0 / params_.temperature;
    weights_.resize(keep);
    double total = 0.0;
    for (size_t j = 0; j < keep; ++j) {
      weights_[j] = std::exp((double(logits[order_[j]]) - max_logit) * inv_t);
      total += weights_[j];
    }
    if (params_.top_p < 1.0) {
      // Smallest prefix of the sorted candidates whose tempered mass reaches top_p.
      double mass = 0.0;
      size_t j = 0;
      while (j < keep) {
        mass += weights_[j++];
        if (mass >= params_.top_p * total) break;
      }
      keep = j;
      total = mass;
    }
    // 53 random bits → a uniform double in [0, 1), the same on every platform (unlike
    // std::uniform_real_distribution, whose algorithm the standard leaves open).
    double u = double(generator_() >> 11) * (1.0 / 9007199254740992.0);
    double target = u * total, acc = 0.0;
    choice.token = order_[keep - 1];
    for (size_t j = 0; j < keep; ++j) {
      acc += weights_[j];
      if (target < acc) {
        choice.token = order_[j];
        break;
      }
    }
  }
  choice.logprob = raw_logprob(choice.token);
  if (params_.top_logprobs > 0) {
    order_.clear();
    for (int64_t i = 0; i < vocab; ++i) {
      if (std::isfinite(logits[i])) order_.push_back(static_cast<int32_t>(i));
    }
    size_t n = std::min<size_t>(static_cast<size_t>(params_.top_logprobs), order_.size());
    std::partial_sort(order_.begin(), order_.begin() + n, order_.end(), better);
    for (size_t j = 0; j < n; ++j) choice.top.push_back({order_[j], raw_logprob(order_[j])});
  }
  return choice;
}

}  // namespace nineteen::models
