// bf16 × f32 matrix-vector product, vectorised for AVX-512 and AVX2 with a portable fallback.
#include "bf16_matrix_vector.hpp"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <cstring>

namespace nineteen::models {

namespace {

float widen(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}

void rows_portable(const uint16_t* w, const float* x, float* y, int64_t begin, int64_t end, int64_t cols) {
  for (int64_t r = begin; r < end; ++r) {
    const uint16_t* row = w + r * cols;
    float sum = 0.0f;
    for (int64_t c = 0; c < cols; ++c) sum += widen(row[c]) * x[c];
    y[r] = sum;
  }
}

__attribute__((target("avx2,fma"))) void rows_avx2(const uint16_t* w, const float* x, float* y, int64_t begin,
                                                   int64_t end, int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(7);
  for (int64_t r = begin; r < end; ++r) {
    const uint16_t* row = w + r * cols;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t c = 0;
    for (; c + 16 <= vec_cols; c += 16) {
      __m256i b0 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + c)));
      __m256i b1 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + c + 8)));
      acc0 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(b0, 16)), _mm256_loadu_ps(x + c), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(b1, 16)), _mm256_loadu_ps(x + c + 8), acc1);
    }
    for (; c < vec_cols; c += 8) {
      __m256i b0 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + c)));
      acc0 = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(b0, 16)), _mm256_loadu_ps(x + c), acc0);
    }
    __m256 acc = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; c < cols; ++c) sum += widen(row[c]) * x[c];
    y[r] = sum;
  }
}

// The all-lanes-masked (maskz) forms below do what the plain intrinsics do; GCC 12's plain forms
// start from _mm512_undefined_*() and trip -Wmaybe-uninitialized.
__attribute__((target("avx512f"))) inline __m512 widen16(const uint16_t* p) {
  __m512i wide = _mm512_maskz_cvtepu16_epi32(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xffff, wide, 16));
}

__attribute__((target("avx512f"))) void rows_avx512(const uint16_t* w, const float* x, float* y, int64_t begin,
                                                    int64_t end, int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(15);
  for (int64_t r = begin; r < end; ++r) {
    const uint16_t* row = w + r * cols;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t c = 0;
    for (; c + 32 <= vec_cols; c += 32) {
      acc0 = _mm512_fmadd_ps(widen16(row + c), _mm512_loadu_ps(x + c), acc0);
      acc1 = _mm512_fmadd_ps(widen16(row + c + 16), _mm512_loadu_ps(x + c + 16), acc1);
    }
    for (; c < vec_cols; c += 16) {
      acc0 = _mm512_fmadd_ps(widen16(row + c), _mm512_loadu_ps(x + c), acc0);
    }
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, _mm512_add_ps(acc0, acc1));
    float sum = 0.0f;
    for (float lane : lanes) sum += lane;
    for (; c < cols; ++c) sum += widen(row[c]) * x[c];
    y[r] = sum;
  }
}

using RowsKernel = void (*)(const uint16_t*, const float*, float*, int64_t, int64_t, int64_t);

RowsKernel pick_kernel() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return rows_avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return rows_avx2;
  return rows_portable;
}

}  // namespace

void bf16_matrix_vector(const uint16_t* w, const float* x, float* y, int64_t rows, int64_t cols) {
  static const RowsKernel kernel = pick_kernel();
  // Chunks of at least ~64 KB of weights, so threads are only woken for work worth sharing.
  const int64_t grain = std::max<int64_t>(1, (int64_t(32) << 10) / std::max<int64_t>(cols, 1));
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) { kernel(w, x, y, begin, end, cols); });
}

}  // namespace nineteen::models
