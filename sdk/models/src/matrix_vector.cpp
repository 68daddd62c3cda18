// Matrix-vector kernels vectorised for AVX-512 and AVX2, with a portable fallback.
#include "matrix_vector.hpp"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace nineteen::models {

namespace {

float widen(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}
float widen(float f) { return f; }

// Loads of 8 or 16 weights as f32 lanes, for each weight type.
__attribute__((target("avx2,fma"))) inline __m256 load8(const uint16_t* p) {
  __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}
__attribute__((target("avx2,fma"))) inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }

// The all-lanes-masked (maskz) forms do what the plain intrinsics do; GCC 12's plain forms start
// from _mm512_undefined_*() and trip -Wmaybe-uninitialized.
__attribute__((target("avx512f"))) inline __m512 load16(const uint16_t* p) {
  __m512i wide = _mm512_maskz_cvtepu16_epi32(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xffff, wide, 16));
}
__attribute__((target("avx512f"))) inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }

template <typename W>
void rows_portable(const W* w, const float* x, float* y, int64_t begin, int64_t end, int64_t cols) {
  for (int64_t r = begin; r < end; ++r) {
    const W* row = w + r * cols;
    float sum = 0.0f;
    for (int64_t c = 0; c < cols; ++c) sum += widen(row[c]) * x[c];
    y[r] = sum;
  }
}

template <typename W>
__attribute__((target("avx2,fma"))) void rows_avx2(const W* w, const float* x, float* y, int64_t begin, int64_t end,
                                                   int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(7);
  for (int64_t r = begin; r < end; ++r) {
    const W* row = w + r * cols;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t c = 0;
    for (; c + 16 <= vec_cols; c += 16) {
      acc0 = _mm256_fmadd_ps(load8(row + c), _mm256_loadu_ps(x + c), acc0);
      acc1 = _mm256_fmadd_ps(load8(row + c + 8), _mm256_loadu_ps(x + c + 8), acc1);
    }
    for (; c < vec_cols; c += 8) acc0 = _mm256_fmadd_ps(load8(row + c), _mm256_loadu_ps(x + c), acc0);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, _mm256_add_ps(acc0, acc1));
    float sum = 0.0f;
    for (float lane : lanes) sum += lane;
    for (; c < cols; ++c) sum += widen(row[c]) * x[c];
    y[r] = sum;
  }
}

template <typename W>
__attribute__((target("avx512f"))) void rows_avx512(const W* w, const float* x, float* y, int64_t begin,
                                                    int64_t end, int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(15);
  for (int64_t r = begin; r < end; ++r) {
    const W* row = w + r * cols;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t c = 0;
    for (; c + 32 <= vec_cols; c += 32) {
      acc0 = _mm512_fmadd_ps(load16(row + c), _mm512_loadu_ps(x + c), acc0);
      acc1 = _mm512_fmadd_ps(load16(row + c + 16), _mm512_loadu_ps(x + c + 16), acc1);
    }
    for (; c < vec_cols; c += 16) acc0 = _mm512_fmadd_ps(load16(row + c), _mm512_loadu_ps(x + c), acc0);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, _mm512_add_ps(acc0, acc1));
    float sum = 0.0f;
    for (float lane : lanes) sum += lane;
    for (; c < cols; ++c) sum += widen(row[c]) * x[c];
    y[r] = sum;
  }
}

using Isa = MatrixVectorIsa;

Isa detect_isa() {
  if (cpu_supports(Isa::Avx512)) return Isa::Avx512;
  if (cpu_supports(Isa::Avx2)) return Isa::Avx2;
  return Isa::Portable;
}

template <typename W>
void matrix_vector(Isa isa, const W* w, const float* x, float* y, int64_t rows, int64_t cols) {
  // Chunks of at least ~64 KB of weights, so threads are only woken for work worth sharing.
  const int64_t grain = std::max<int64_t>(1, (int64_t(64) << 10) / std::max<int64_t>(cols * int64_t(sizeof(W)), 1));
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    switch (isa) {
      case Isa::Avx512: rows_avx512(w, x, y, begin, end, cols); break;
      case Isa::Avx2: rows_avx2(w, x, y, begin, end, cols); break;
      case Isa::Portable: rows_portable(w, x, y, begin, end, cols); break;
    }
  });
}

Isa best_isa() {
  static const Isa isa = detect_isa();
  return isa;
}

}  // namespace

bool cpu_supports(MatrixVectorIsa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case MatrixVectorIsa::Avx512: return __builtin_cpu_supports("avx512f");
    case MatrixVectorIsa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case MatrixVectorIsa::Portable: return true;
  }
  return false;
}

void bf16_matrix_vector(const uint16_t* w, const float* x, float* y, int64_t rows, int64_t cols) {
  matrix_vector(best_isa(), w, x, y, rows, cols);
}

void f32_matrix_vector(const float* w, const float* x, float* y, int64_t rows, int64_t cols) {
  matrix_vector(best_isa(), w, x, y, rows, cols);
}

void bf16_matrix_vector_on(MatrixVectorIsa isa, const uint16_t* w, const float* x, float* y, int64_t rows,
                           int64_t cols) {
  matrix_vector(isa, w, x, y, rows, cols);
}

void f32_matrix_vector_on(MatrixVectorIsa isa, const float* w, const float* x, float* y, int64_t rows,
                          int64_t cols) {
  matrix_vector(isa, w, x, y, rows, cols);
}

}  // namespace nineteen::models
