// Cosine per vector, q per vector, the minimum over an answer.
#include "embedding_quality.hpp"

#include <cmath>
#include <cstdio>

namespace nineteen::embeddings {

namespace {

constexpr double kFullAt = 0.999;
constexpr double kZeroAt = 0.99;
constexpr double kNormTolerance = 0.01;

std::string number(double x, const char* format = "%.6f") {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, format, x);
  return buffer;
}

}  // namespace

double embedding_quality(double cosine) {
  if (!std::isfinite(cosine)) return 0;
  if (cosine >= kFullAt) return 1;
  if (cosine <= kZeroAt) return 0;
  return (cosine - kZeroAt) / (kFullAt - kZeroAt);
}

double cosine(const float* a, const float* b, size_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);  // NaN for a zero vector: q 0
}

sdk::CheckResult check_vectors(const float* reference, const float* answer, size_t count, size_t dimension,
                               bool normalised) {
  double worst_q = 1, worst_cos = 1;
  size_t worst = 0;
  for (size_t i = 0; i < count; ++i) {
    const float* a = answer + i * dimension;
    if (normalised) {
      double squares = 0;
      for (size_t k = 0; k < dimension; ++k) squares += double(a[k]) * a[k];
      const double norm = std::sqrt(squares);
      if (!(std::fabs(norm - 1.0) <= kNormTolerance)) {
        return {0.0, "vector " + std::to_string(i) + " of " + std::to_string(count) + " has norm " + number(norm, "%.4g") +
                         "; the model normalises (expected 1 ± 0.01)"};
      }
    }
    const double c = cosine(reference + i * dimension, a, dimension);
    const double q = embedding_quality(c);
    if (i == 0 || q < worst_q || (q == worst_q && !(c >= worst_cos))) {
      worst_q = q;
      worst_cos = c;
      worst = i;
    }
  }
  return {worst_q, "lowest cosine " + number(worst_cos) + " (vector " + std::to_string(worst) + " of " +
                       std::to_string(count) + "): q " + number(worst_q, "%.4f") +
                       " (1 at >= 0.999, 0 at <= 0.99, the minimum over vectors)"};
}

}  // namespace nineteen::embeddings
