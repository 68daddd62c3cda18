// The decode kernels: every instruction-set path the CPU has agrees with a double-precision
// product, across widths that exercise the vector loops' tails.
#include "matrix_vector.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace nineteen::models {
namespace {

uint16_t bf16_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return static_cast<uint16_t>(bits >> 16);  // truncation is fine: the test widens the same bits
}

float from_bf16(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TEST(MatrixVector, EveryIsaMatchesDoublePrecision) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  for (MatrixVectorIsa isa : {MatrixVectorIsa::Portable, MatrixVectorIsa::Avx2, MatrixVectorIsa::Avx512}) {
    if (!cpu_supports(isa)) continue;
    for (int64_t cols : {1, 7, 8, 15, 16, 17, 31, 32, 33, 70, 512}) {
      const int64_t rows = 37;
      std::vector<float> w(rows * cols), x(cols), y(rows), yb(rows);
      std::vector<uint16_t> wb(rows * cols);
      for (float& v : w) v = normal(rng);
      for (float& v : x) v = normal(rng);
      for (size_t i = 0; i < w.size(); ++i) wb[i] = bf16_bits(w[i]);
      f32_matrix_vector_on(isa, w.data(), x.data(), y.data(), rows, cols);
      bf16_matrix_vector_on(isa, wb.data(), x.data(), yb.data(), rows, cols);
      for (int64_t r = 0; r < rows; ++r) {
        double want = 0, want_b = 0, scale = 1e-3;
        for (int64_t c = 0; c < cols; ++c) {
          want += double(w[r * cols + c]) * x[c];
          want_b += double(from_bf16(wb[r * cols + c])) * x[c];
          scale += std::fabs(double(w[r * cols + c]) * x[c]);
        }
        EXPECT_NEAR(y[r], want, 1e-6 * scale) << "isa " << int(isa) << " cols " << cols << " row " << r;
        EXPECT_NEAR(yb[r], want_b, 1e-6 * scale) << "bf16, isa " << int(isa) << " cols " << cols << " row " << r;
      }
    }
  }
}

}  // namespace
}  // namespace nineteen::models
