// MECHANISM.md §6 text rules over plain numbers (no model here, so every rule is tested with worked values).
#include "text_quality.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nineteen::llm {
namespace {

std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", x);
  return buffer;
}

}  // namespace

int64_t rank_limit(double temperature, const TextQualityRules& rules) {
  if (temperature <= rules.greedy_temperature) return 10;
  return static_cast<int64_t>(10 + 120 * (temperature - 0.5));
}

double avoided_stop_ratio(double temperature, const TextQualityRules& rules) {
  if (temperature <= rules.greedy_temperature) return rules.avoided_stop_ratio;
  return rules.avoided_stop_ratio * std::pow(10.0, 2.0 * (temperature - rules.greedy_temperature));
}

double early_stop_rank_limit(double temperature, const TextQualityRules& rules) {
  double s = temperature <= rules.greedy_temperature ? 0.5 : 3 * (temperature - 0.5);
  return rules.early_stop_rank_base + rules.early_stop_rank_per_s * s;
}

TextQuality text_quality(const TextAnswerEvidence& e, const TextQualityRules& rules) {
  // 1. Rank rule.
  const int64_t limit = rank_limit(e.temperature, rules);
  int bad = 0;
  for (const ScoredPosition& p : e.tokens) bad += p.rank >= limit ? 1 : 0;
  if (bad > rules.max_bad_tokens) {
    return {0.0, std::to_string(bad) + " of " + std::to_string(e.tokens.size()) + " tokens ranked >= " +
                     std::to_string(limit) + " by the reference (more than " + std::to_string(rules.max_bad_tokens) +
                     " allowed at temperature " + number(e.temperature) + ")"};
  }
  // 2. Early stop: the miner ended where the reference would rarely have.
  if (e.stop_rank && !e.reached_max_tokens) {
    double stop_limit = early_stop_rank_limit(e.temperature, rules);
    if (static_cast<double>(*e.stop_rank) > stop_limit) {
      return {rules.early_stop_penalty, "early stop: the reference ranks the stop token " +
                                            std::to_string(*e.stop_rank) + " after token " +
                                            std::to_string(e.tokens.size()) + " (limit " + number(stop_limit) + ")"};
    }
  }
  // 3. Avoided stop: the reference clearly wanted to stop and the miner went on.
  const double ratio_log = std::log(avoided_stop_ratio(e.temperature, rules));
  for (size_t i = 0; i < e.tokens.size(); ++i) {
    const ScoredPosition& p = e.tokens[i];
    if (p.reference_top_is_stop && p.rank > 0 && p.reference_top_logprob - p.reference_logprob > ratio_log) {
      return {0.0, "avoided stop at token " + std::to_string(i) + ": the reference's stop token is " +
                       number(std::exp(p.reference_top_logprob - p.reference_logprob)) +
                       " times more likely than the miner's token"};
    }
  }
  // 4. Distance between the reported and the reference probabilities.
  double sum = 0;
  size_t outside = 0;
  for (const ScoredPosition& p : e.tokens) {
    double d = 1.0;
    if (p.in_reference_top) {
      d = std::fabs(std::exp(p.reference_logprob) - std::exp(p.miner_logprob));
      if (!std::isfinite(d)) d = 1.0;
      d = std::min(d, 1.0);
    } else {
      ++outside;
    }
    sum += d;
  }
  const double D = e.tokens.empty() ? 0.0 : sum / static_cast<double>(e.tokens.size());
  std::string detail = " over " + std::to_string(e.tokens.size()) + " tokens" +
                       (outside ? " (" + std::to_string(outside) + " outside the reference top)" : "");
  if (D <= rules.distance_full_up_to) {
    return {1.0, "distance " + number(D) + " <= " + number(rules.distance_full_up_to) + detail};
  }
  if (D <= rules.distance_zero_above) {
    double span = rules.distance_zero_above - rules.distance_full_up_to;
    double q = 1 - 0.5 * (D - rules.distance_full_up_to) / span;
    return {q, "distance " + number(D) + " between " + number(rules.distance_full_up_to) + " and " +
                   number(rules.distance_zero_above) + detail};
  }
  return {0.0, "distance " + number(D) + " > " + number(rules.distance_zero_above) + detail};
}

}  // namespace nineteen::llm
