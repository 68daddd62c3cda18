// The few-rows product (a continuous batch's decode step) agrees with a double-precision product,
// for 1 to 16 rows (whole and partial groups of four) and widths with and without a vector tail.
#include "matrix_few_rows.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace nineteen::models {
namespace {

TEST(FewRowsTimesMatrix, AgreesWithADoubleProduct) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (int64_t in : {8, 13, 64, 515}) {
    for (int64_t rows : {1, 2, 3, 4, 5, 8, 11, 16}) {
      const int64_t out = 130;
      std::vector<float> x(rows * in), w(out * in), y(rows * out, NAN);
      for (float& v : x) v = value(rng);
      for (float& v : w) v = value(rng);
      f32_few_rows_times_matrix(x.data(), w.data(), y.data(), rows, in, out);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t o = 0; o < out; ++o) {
          double expected = 0;
          for (int64_t c = 0; c < in; ++c) expected += double(x[r * in + c]) * double(w[o * in + c]);
          ASSERT_NEAR(y[r * out + o], expected, 1e-4 * std::sqrt(double(in))) << "in " << in << " rows " << rows;
        }
      }
    }
  }
}

}  // namespace
}  // namespace nineteen::models
