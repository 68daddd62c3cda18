// Checks an override of the mechanism's settings, naming every bad value and what was expected.
#include "nineteen/scoring/mechanism_settings.hpp"

#include <cmath>
#include <cstdio>

namespace nineteen::scoring {

namespace {

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

class ProblemList {
 public:
  void require(bool ok, const std::string& path, const std::string& expected, const std::string& got) {
    if (!ok) problems.push_back("scoring setting \"" + path + "\": expected " + expected + ", got " + got);
  }
  // Inclusive range [low, high]; NaN and infinities fail it.
  void in_range(double value, double low, double high, const std::string& path) {
    require(std::isfinite(value) && value >= low && value <= high, path,
            "a number in [" + number_text(low) + ", " + number_text(high) + "]", number_text(value));
  }
  void positive(double value, const std::string& path) {
    require(std::isfinite(value) && value > 0, path, "a finite number > 0", number_text(value));
  }
  void non_negative(double value, const std::string& path) {
    require(std::isfinite(value) && value >= 0, path, "a finite number >= 0", number_text(value));
  }
  std::vector<std::string> problems;
};

}  // namespace

std::vector<std::string> settings_problems(const MechanismSettings& s) {
  ProblemList check;

  double probability_sum = 0;
  for (std::size_t i = 0; i < s.capacity_draw.scored_shares.size(); ++i) {
    const auto& choice = s.capacity_draw.scored_shares[i];
    const std::string path = "capacity_draw.scored_shares[" + std::to_string(i) + "]";
    check.non_negative(choice.share, path + ".share");
    check.non_negative(choice.probability, path + ".probability");
    if (std::isfinite(choice.probability) && choice.probability > 0) probability_sum += choice.probability;
  }
  check.require(probability_sum > 0, "capacity_draw.scored_shares",
                "at least one choice with probability > 0",
                std::to_string(s.capacity_draw.scored_shares.size()) + " choice(s), none usable");
  check.non_negative(s.capacity_draw.synthetic_multiplier, "capacity_draw.synthetic_multiplier");

  check.positive(s.synthetic_schedule.period_seconds, "synthetic_schedule.period_seconds");
  check.require(s.synthetic_schedule.max_requests_per_contender >= 1,
                "synthetic_schedule.max_requests_per_contender", "a whole number >= 1", "0");

  check.in_range(s.embedding_quality.full_at, -1, 1, "embedding_quality.full_at");
  check.in_range(s.embedding_quality.zero_at, -1, 1, "embedding_quality.zero_at");
  check.require(s.embedding_quality.zero_at < s.embedding_quality.full_at, "embedding_quality.zero_at",
                "a cosine below full_at (" + number_text(s.embedding_quality.full_at) + ")",
                number_text(s.embedding_quality.zero_at));
  check.in_range(s.image_quality.full_above, 0, 1, "image_quality.full_above");
  check.non_negative(s.text_distance_quality.full_up_to, "text_distance_quality.full_up_to");
  check.require(s.text_distance_quality.zero_above > s.text_distance_quality.full_up_to,
                "text_distance_quality.zero_above",
                "a distance above full_up_to (" + number_text(s.text_distance_quality.full_up_to) + ")",
                number_text(s.text_distance_quality.zero_above));
  check.in_range(s.text_distance_quality.drop_at_zero_edge, 0, 1, "text_distance_quality.drop_at_zero_edge");

  check.positive(s.task_scores.quality_exponent, "task_scores.quality_exponent");
  check.positive(s.task_scores.concentration_exponent, "task_scores.concentration_exponent");
  check.in_range(s.task_scores.speed.percentile, 0, 1, "task_scores.speed.percentile");
  // Above 2 the slowest miner's (1 + bonus) would go negative.
  check.in_range(s.task_scores.speed.bonus_scale, 0, 2, "task_scores.speed.bonus_scale");
  check.non_negative(s.task_scores.speed.dead_band_octaves, "task_scores.speed.dead_band_octaves");
  check.positive(s.task_scores.speed.octaves_for_full_bonus, "task_scores.speed.octaves_for_full_bonus");
  check.non_negative(s.task_scores.speed.confidence_z, "task_scores.speed.confidence_z");
  check.in_range(s.task_scores.history.decay, 0, 1, "task_scores.history.decay");
  check.in_range(s.task_scores.history.new_miner_factor, 0, 1, "task_scores.history.new_miner_factor");

  check.in_range(s.organic_routing.best_share, 0, 1, "organic_routing.best_share");
  check.in_range(s.organic_routing.min_quality, -10, 1, "organic_routing.min_quality");
  return check.problems;
}

}  // namespace nineteen::scoring
