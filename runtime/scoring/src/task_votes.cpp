// Stake-weighted task votes: the median of the published votes, clipped to the catalogue's bounds.
#include "nineteen/scoring/task_votes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace nineteen::scoring {

double stake_weighted_median(const std::vector<double>& values, const std::vector<double>& stakes) {
  std::vector<std::pair<double, double>> pairs;
  double total = 0;
  for (std::size_t i = 0; i < values.size() && i < stakes.size(); ++i) {
    if (!(stakes[i] > 0) || !std::isfinite(values[i])) continue;
    pairs.emplace_back(values[i], stakes[i]);
    total += stakes[i];
  }
  if (pairs.empty()) return 0;
  std::sort(pairs.begin(), pairs.end());
  double cumulative = 0;
  for (const auto& [value, stake] : pairs) {
    cumulative += stake;
    // A relative tolerance: 0.3 + 0.2 stake shares must reach a half of 1.0.
    if (cumulative >= total * 0.5 * (1 - 1e-12)) return value;
  }
  return pairs.back().first;
}

std::map<std::string, double> clip_to_bounds(const std::map<std::string, double>& shares,
                                             const std::vector<TaskWeightBounds>& bounds) {
  std::map<std::string, double> out;
  std::map<std::string, bool> fixed;
  double total = 0;
  for (const auto& b : bounds) {
    auto it = shares.find(b.task);
    double v = it == shares.end() ? 0 : std::max(0.0, it->second);
    out[b.task] = v;
    fixed[b.task] = false;
    total += v;
  }
  if (bounds.empty()) return out;
  if (!(total > 0)) {
    for (auto& [task, v] : out) v = 1.0 / static_cast<double>(out.size());
    total = 1;
  }
  for (auto& [task, v] : out) v /= total;
  // Water-filling: clip the tasks out of bounds, share what is left among the others in proportion, repeat.
  for (std::size_t round = 0; round <= bounds.size(); ++round) {
    double fixed_sum = 0, free_sum = 0;
    for (const auto& b : bounds) (fixed[b.task] ? fixed_sum : free_sum) += out[b.task];
    const double room = 1 - fixed_sum;
    bool changed = false;
    for (const auto& b : bounds) {
      if (fixed[b.task]) continue;
      double v = free_sum > 0 ? out[b.task] * room / free_sum : 0;
      out[b.task] = v;
    }
    for (const auto& b : bounds) {
      if (fixed[b.task]) continue;
      double& v = out[b.task];
      if (v < b.min - 1e-12) {
        v = b.min;
        fixed[b.task] = changed = true;
      } else if (v > b.max + 1e-12) {
        v = b.max;
        fixed[b.task] = changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

EffectiveTaskWeights effective_task_weights(const std::vector<TaskWeightBounds>& catalogue,
                                            const std::vector<TaskVote>& votes) {
  EffectiveTaskWeights result;
  double default_total = 0;
  for (const auto& t : catalogue) default_total += std::max(0.0, t.weight);
  std::map<std::string, double> defaults;
  for (const auto& t : catalogue)
    defaults[t.task] = default_total > 0 ? std::max(0.0, t.weight) / default_total : 1.0 / catalogue.size();

  // 1. Each counted vote as shares over the catalogue.
  std::vector<std::map<std::string, double>> shares;
  std::vector<double> stakes;
  for (const auto& vote : votes) {
    if (!(vote.stake > 0) || !std::isfinite(vote.stake)) continue;
    std::map<std::string, double> row;
    bool names_one = false;
    double sum = 0;
    for (const auto& t : catalogue) {
      auto it = vote.weights.find(t.task);
      double v = defaults[t.task];
      if (it != vote.weights.end() && std::isfinite(it->second) && it->second >= 0) {
        v = it->second;
        names_one = true;
      }
      row[t.task] = v;
      sum += v;
    }
    if (!names_one || !(sum > 0)) continue;
    for (auto& [task, v] : row) v /= sum;
    shares.push_back(std::move(row));
    stakes.push_back(vote.stake);
    result.stake_counted += vote.stake;
  }
  result.votes_counted = shares.size();
  if (shares.empty()) {
    result.weight = clip_to_bounds(defaults, catalogue);
    return result;
  }
  // 2. The stake-weighted median per task.
  for (const auto& t : catalogue) {
    std::vector<double> values;
    for (const auto& row : shares) values.push_back(row.at(t.task));
    result.median[t.task] = stake_weighted_median(values, stakes);
  }
  // 3. Normalised and clipped to the catalogue's bounds.
  result.weight = clip_to_bounds(result.median, catalogue);
  result.from_votes = true;
  return result;
}

std::string encode_task_votes(const std::map<std::string, double>& weights) {
  std::string out = "tv1";
  for (const auto& [task, value] : weights) {
    char number[32];
    std::snprintf(number, sizeof number, "%.4g", value);
    out += " " + task + "=" + number;
  }
  return out;
}

std::optional<std::map<std::string, double>> decode_task_votes(const std::string& text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<std::map<std::string, double>> {
    if (error) *error = why;
    return std::nullopt;
  };
  std::istringstream in(text);
  std::string tag;
  if (!(in >> tag) || tag != "tv1") return fail("not a task vote: it does not start with \"tv1\"");
  std::map<std::string, double> out;
  std::string pair;
  while (in >> pair) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) return fail("\"" + pair + "\" is not task=weight");
    std::string task = pair.substr(0, eq), number = pair.substr(eq + 1);
    char* end = nullptr;
    double value = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(value) || value < 0)
      return fail("task \"" + task + "\": \"" + number + "\" is not a finite number >= 0");
    if (!out.emplace(task, value).second) return fail("task \"" + task + "\" appears twice");
  }
  return out;
}

}  // namespace nineteen::scoring
