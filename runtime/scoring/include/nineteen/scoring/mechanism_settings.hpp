// Every tunable of MECHANISM.md in one place, with the documented defaults, and a check of an override.
#pragma once

#include <string>
#include <vector>

#include "nineteen/scoring/capacity_draw.hpp"
#include "nineteen/scoring/organic_routing.hpp"
#include "nineteen/scoring/period_score.hpp"
#include "nineteen/scoring/quality.hpp"
#include "nineteen/scoring/synthetic_schedule.hpp"
#include "nineteen/scoring/task_scores.hpp"

namespace nineteen::scoring {

struct MechanismSettings {
  CapacityDrawSettings capacity_draw;
  SyntheticScheduleSettings synthetic_schedule;
  PeriodScoreSettings period_score;
  EmbeddingQualitySettings embedding_quality;
  ImageQualitySettings image_quality;
  TextDistanceQualitySettings text_distance_quality;
  TaskScoreSettings task_scores;
  OrganicRoutingSettings organic_routing;
};

// One line per value that would make the mechanism misbehave, naming the setting by its path in
// MechanismSettings, what was expected and what was found, e.g.
//   scoring setting "task_scores.speed.percentile": expected a number in [0, 1], got 1.5
// Empty when the settings are usable. The caller prefixes the file it read them from.
std::vector<std::string> settings_problems(const MechanismSettings& settings);

}  // namespace nineteen::scoring
