// MECHANISM.md §6: checker measurement → answer quality.
#include "nineteen/scoring/quality.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::scoring {

double embedding_quality(double cosine, const EmbeddingQualitySettings& settings) {
  if (!std::isfinite(cosine)) return 0;
  if (cosine >= settings.full_at) return 1;
  if (cosine <= settings.zero_at) return 0;
  return (cosine - settings.zero_at) / (settings.full_at - settings.zero_at);
}

double image_quality(double similarity, const ImageQualitySettings& settings) {
  if (!std::isfinite(similarity)) return 0;
  if (similarity > settings.full_above) return 1;
  const double s = std::clamp(similarity, 0.0, 1.0);
  return s * s;
}

double text_distance_quality(double distance, const TextDistanceQualitySettings& settings) {
  if (!std::isfinite(distance)) return 0;
  const double d = std::max(distance, 0.0);
  if (d <= settings.full_up_to) return 1;
  if (d > settings.zero_above) return 0;
  const double span = settings.zero_above - settings.full_up_to;
  return std::clamp(1 - settings.drop_at_zero_edge * (d - settings.full_up_to) / span, 0.0, 1.0);
}

}  // namespace nineteen::scoring
