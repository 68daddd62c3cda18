// The decode kernels: every instruction-set path the CPU has agrees with a double-precision
// product, across widths that exercise the vector loops' tails; Q8 quantisation and its products.
#include "matrix_vector.hpp"
#include "nineteen/sdk/blas_core.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
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

TEST(Q8, HalfScalesRoundTripEveryFiniteHalfAndRoundToNearestEven) {
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    if ((h & 0x7c00u) == 0x7c00u) continue;  // inf / NaN
    const uint16_t bits = static_cast<uint16_t>(h);
    EXPECT_EQ(f32_to_f16_bits(f16_bits_to_f32(bits)), bits) << std::hex << h;
  }
  EXPECT_EQ(f32_to_f16_bits(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16_bits(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16_bits(1e6f), 0x7c00);
  EXPECT_EQ(f32_to_f16_bits(std::ldexp(1.0f, -24)), 0x0001);
  // 1 + 2^-11 is half-way between 1 and the next half: ties go to the even mantissa (1).
  EXPECT_EQ(f32_to_f16_bits(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(f32_to_f16_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
}

TEST(Q8, QuantisedWeightsAreWithinHalfAStepOfTheOriginals) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  for (int64_t cols : {1, 31, 32, 33, 70, 512}) {
    const int64_t rows = 5;
    std::vector<float> w(rows * cols), back(rows * cols);
    for (float& v : w) v = normal(rng);
    std::vector<uint8_t> q(rows * q8_row_bytes(cols));
    quantize_q8_rows(w.data(), q.data(), rows, cols);
    dequantize_q8_rows(q.data(), back.data(), rows, cols);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c0 = 0; c0 < cols; c0 += kQ8Block) {
        float amax = 0;
        for (int64_t c = c0; c < std::min(cols, c0 + kQ8Block); ++c) amax = std::max(amax, std::fabs(w[r * cols + c]));
        for (int64_t c = c0; c < std::min(cols, c0 + kQ8Block); ++c) {
          // Half a step of amax / 127, plus the f16 rounding of the scale (2^-11 relative).
          EXPECT_NEAR(back[r * cols + c], w[r * cols + c], amax / 127 * 0.5 + amax * 1e-3) << cols << " " << c;
        }
      }
    }
  }
}

TEST(Q8, EveryIsaMatchesTheDequantisedProduct) {
  std::mt19937 rng(13);
  std::normal_distribution<float> normal;
  for (int64_t cols : {1, 7, 32, 33, 64, 70, 96, 512}) {
    for (int64_t n : {1, 3}) {
      const int64_t rows = 37;
      std::vector<float> w(rows * cols), x(n * cols), dequantised(rows * cols);
      for (float& v : w) v = normal(rng);
      for (float& v : x) v = normal(rng);
      x[0] = 0.0f;  // a zero in a block, and below an all-zero block
      std::vector<uint8_t> q(rows * q8_row_bytes(cols));
      quantize_q8_rows(w.data(), q.data(), rows, cols);
      dequantize_q8_rows(q.data(), dequantised.data(), rows, cols);
      std::vector<float> reference(n * rows);
      q8_matrix_rows_on(MatrixVectorIsa::Portable, q.data(), x.data(), reference.data(), n, rows, cols);
      for (MatrixVectorIsa isa : {MatrixVectorIsa::Portable, MatrixVectorIsa::Avx2, MatrixVectorIsa::Avx512}) {
        if (!cpu_supports_q8(isa)) continue;
        std::vector<float> y(n * rows, std::numeric_limits<float>::quiet_NaN());
        q8_matrix_rows_on(isa, q.data(), x.data(), y.data(), n, rows, cols);
        for (int64_t j = 0; j < n; ++j) {
          for (int64_t r = 0; r < rows; ++r) {
            double want = 0, scale = 1e-3;
            for (int64_t c = 0; c < cols; ++c) {
              want += double(dequantised[r * cols + c]) * x[j * cols + c];
              scale += std::fabs(double(dequantised[r * cols + c]) * x[j * cols + c]);
            }
            const float got = y[j * rows + r];
            // The same integer sums in every path: only the f32 sum of block terms differs.
            EXPECT_NEAR(got, reference[j * rows + r], 1e-5 * scale) << "isa " << int(isa) << " cols " << cols;
            // The activation's own 8-bit rounding: ≤ half a step (amax / 254) per element, and the
            // errors partly cancel; 2 % of Σ|w·x| bounds it with room.
            EXPECT_NEAR(got, want, 0.02 * scale) << "isa " << int(isa) << " cols " << cols << " row " << r;
          }
        }
      }
    }
  }
}

// A continuous batch's step multiplies several streams' rows at once (4 per pass, then the rest):
// each row must come out with the same bits as when it is multiplied alone, or a stream's tokens
// would depend on how many streams share the step.
TEST(Q8, ABatchOfRowsGivesEachRowsBitsAlone) {
  std::mt19937 rng(29);
  std::normal_distribution<float> normal;
  for (int64_t cols : {32, 70, 512}) {
    const int64_t rows = 19, n = 11;  // two passes of 4 and one of 3
    std::vector<float> w(rows * cols), x(n * cols);
    for (float& v : w) v = normal(rng);
    for (float& v : x) v = normal(rng);
    std::vector<uint8_t> q(rows * q8_row_bytes(cols));
    quantize_q8_rows(w.data(), q.data(), rows, cols);
    for (MatrixVectorIsa isa : {MatrixVectorIsa::Portable, MatrixVectorIsa::Avx2, MatrixVectorIsa::Avx512}) {
      if (!cpu_supports_q8(isa)) continue;
      std::vector<float> together(n * rows);
      q8_matrix_rows_on(isa, q.data(), x.data(), together.data(), n, rows, cols);
      for (int64_t j = 0; j < n; ++j) {
        std::vector<float> alone(rows);
        q8_matrix_rows_on(isa, q.data(), x.data() + j * cols, alone.data(), 1, rows, cols);
        for (int64_t r = 0; r < rows; ++r) {
          ASSERT_EQ(std::memcmp(&alone[r], &together[j * rows + r], sizeof(float)), 0)
              << "isa " << int(isa) << " cols " << cols << " stream " << j << " row " << r << ": " << alone[r]
              << " alone, " << together[j * rows + r] << " in the batch";
        }
      }
    }
  }
}

}  // namespace
}  // namespace nineteen::models

// OpenBLAS's kernel set is named from the instruction sets (sdk/include/nineteen/sdk/blas_core.hpp).
TEST(BlasCore, NamesTheKernelSetFromTheInstructionSets) {
  using nineteen::sdk::CpuVectorFeatures;
  using nineteen::sdk::openblas_core_for;
  CpuVectorFeatures avx512{true, true, true, true, true, true};
  EXPECT_STREQ(openblas_core_for(avx512), "SkylakeX");
  CpuVectorFeatures partial = avx512;
  partial.avx512bw = false;  // e.g. Knights Landing: AVX-512F without BW; the AVX2 set is safe
  EXPECT_STREQ(openblas_core_for(partial), "Haswell");
  CpuVectorFeatures avx2{true, true, false, false, false, false};
  EXPECT_STREQ(openblas_core_for(avx2), "Haswell");
  CpuVectorFeatures no_fma{true, false, false, false, false, false};
  EXPECT_EQ(openblas_core_for(no_fma), nullptr);
  EXPECT_EQ(openblas_core_for(CpuVectorFeatures{}), nullptr);
}

TEST(BlasCore, ThisCpusFeaturesAgreeWithTheDecodeKernelsChoice) {
  const nineteen::sdk::CpuVectorFeatures f = nineteen::sdk::this_cpu_vector_features();
  EXPECT_EQ(f.avx512f, nineteen::models::cpu_supports(nineteen::models::MatrixVectorIsa::Avx512));
  EXPECT_EQ(f.avx2 && f.fma, nineteen::models::cpu_supports(nineteen::models::MatrixVectorIsa::Avx2));
}
