// See matrix_few_rows.hpp.
#include "matrix_few_rows.hpp"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>

namespace nineteen::models {

namespace {

void portable(const float* x, const float* w, float* y, int64_t rows, int64_t in, int64_t out, int64_t begin,
              int64_t end) {
  for (int64_t o = begin; o < end; ++o) {
    const float* wo = w + o * in;
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * in;
      float sum = 0.0f;
      for (int64_t c = 0; c < in; ++c) sum += wo[c] * xr[c];
      y[r * out + o] = sum;
    }
  }
}

__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Four rows at a time against one weight row, eight columns per fused multiply-add.
__attribute__((target("avx2,fma"))) void avx2(const float* x, const float* w, float* y, int64_t rows, int64_t in,
                                              int64_t out, int64_t begin, int64_t end) {
  const int64_t whole = in - in % 8;
  for (int64_t o = begin; o < end; ++o) {
    const float* wo = w + o * in;
    for (int64_t r0 = 0; r0 < rows; r0 += 4) {
      const int64_t n = std::min<int64_t>(4, rows - r0);
      const float* x0 = x + r0 * in;
      __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
      for (int64_t c = 0; c < whole; c += 8) {
        const __m256 wv = _mm256_loadu_ps(wo + c);
        a0 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x0 + c), a0);
        if (n > 1) a1 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x0 + in + c), a1);
        if (n > 2) a2 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x0 + 2 * in + c), a2);
        if (n > 3) a3 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x0 + 3 * in + c), a3);
      }
      const __m256 acc[4] = {a0, a1, a2, a3};
      for (int64_t k = 0; k < n; ++k) {
        float sum = hsum(acc[k]);
        for (int64_t c = whole; c < in; ++c) sum += wo[c] * x0[k * in + c];
        y[(r0 + k) * out + o] = sum;
      }
    }
  }
}

}  // namespace

void f32_few_rows_times_matrix(const float* x, const float* w, float* y, int64_t rows, int64_t in, int64_t out) {
  static const bool has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  // Blocks of at least 64 output features: waking a thread for less costs more than it saves.
  at::parallel_for(0, out, 64, [&](int64_t begin, int64_t end) {
    if (has_avx2) {
      avx2(x, w, y, rows, in, out, begin, end);
    } else {
      portable(x, w, y, rows, in, out, begin, end);
    }
  });
}

}  // namespace nineteen::models
