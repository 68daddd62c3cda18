// A simple classifier of requests (pure, for the synthetic-vs-organic tests): logistic regression on
// standardised features, and a lookup table on one categorical feature; both report the accuracy on
// held-out samples (trained on 70 %, tested on the other 30 %).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace request_classifier {

// Logistic regression, full-batch gradient descent with a little L2.
struct Logistic {
  std::vector<double> mean, scale, w;
  double b = 0;

  void fit(const std::vector<std::vector<double>>& x, const std::vector<int>& y) {
    const std::size_t d = x.front().size(), n = x.size();
    mean.assign(d, 0);
    scale.assign(d, 0);
    for (const auto& row : x)
      for (std::size_t j = 0; j < d; ++j) mean[j] += row[j] / n;
    for (const auto& row : x)
      for (std::size_t j = 0; j < d; ++j) scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
    for (double& s : scale) s = s > 0 ? std::sqrt(s) : 1;
    w.assign(d, 0);
    for (int epoch = 0; epoch < 400; ++epoch) {
      std::vector<double> gw(d, 0);
      double gb = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double err = probability(x[i]) - y[i];
        for (std::size_t j = 0; j < d; ++j) gw[j] += err * (x[i][j] - mean[j]) / scale[j] / n;
        gb += err / n;
      }
      for (std::size_t j = 0; j < d; ++j) w[j] -= 0.5 * (gw[j] + 1e-3 * w[j]);
      b -= 0.5 * gb;
    }
  }
  double probability(const std::vector<double>& row) const {
    double z = b;
    for (std::size_t j = 0; j < w.size(); ++j) z += w[j] * (row[j] - mean[j]) / scale[j];
    return 1 / (1 + std::exp(-z));
  }
};

// Held-out accuracy of logistic regression on `positive` (label 1) against `negative` (label 0).
inline double held_out_accuracy(const std::vector<std::vector<double>>& positive,
                                const std::vector<std::vector<double>>& negative, std::uint64_t seed = 7) {
  std::vector<std::pair<std::vector<double>, int>> all;
  for (const auto& s : positive) all.push_back({s, 1});
  for (const auto& o : negative) all.push_back({o, 0});
  std::mt19937_64 rng(seed);
  std::shuffle(all.begin(), all.end(), rng);
  const std::size_t train = all.size() * 7 / 10;
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  for (std::size_t i = 0; i < train; ++i) {
    x.push_back(all[i].first);
    y.push_back(all[i].second);
  }
  Logistic model;
  model.fit(x, y);
  std::size_t right = 0;
  for (std::size_t i = train; i < all.size(); ++i) right += (model.probability(all[i].first) > 0.5) == (all[i].second == 1);
  return static_cast<double>(right) / static_cast<double>(all.size() - train);
}

// Held-out accuracy of the best rule on one categorical feature (e.g. the exact list of keys): each
// value seen in training says the label it was seen with most; an unseen value says the majority.
inline double held_out_lookup_accuracy(const std::vector<std::string>& positive, const std::vector<std::string>& negative,
                                       std::uint64_t seed = 7) {
  std::vector<std::pair<std::string, int>> all;
  for (const auto& s : positive) all.push_back({s, 1});
  for (const auto& o : negative) all.push_back({o, 0});
  std::mt19937_64 rng(seed);
  std::shuffle(all.begin(), all.end(), rng);
  const std::size_t train = all.size() * 7 / 10;
  std::map<std::string, std::pair<int, int>> seen;  // value → (label 0 count, label 1 count)
  int ones = 0;
  for (std::size_t i = 0; i < train; ++i) {
    auto& c = seen[all[i].first];
    (all[i].second ? c.second : c.first) += 1;
    ones += all[i].second;
  }
  const int majority = 2 * ones >= static_cast<int>(train) ? 1 : 0;
  std::size_t right = 0;
  for (std::size_t i = train; i < all.size(); ++i) {
    auto it = seen.find(all[i].first);
    const int guess = it == seen.end() || it->second.first == it->second.second ? majority
                      : it->second.second > it->second.first                     ? 1
                                                                                 : 0;
    right += guess == all[i].second;
  }
  return static_cast<double>(right) / static_cast<double>(all.size() - train);
}

}  // namespace request_classifier
