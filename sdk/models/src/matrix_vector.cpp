// Matrix-vector kernels vectorised for AVX-512 and AVX2, with a portable fallback.
#include "matrix_vector.hpp"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

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

// Four rows at a time share each load of x and keep four weight streams in flight, which reads
// the weights faster than one row at a time (measured on the yardstick's matrices); the rows left
// over, and the columns past the last full vector, go one at a time.
template <typename W>
__attribute__((target("avx2,fma"))) float row_avx2(const W* row, const float* x, int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(7);
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
  return sum;
}

template <typename W>
__attribute__((target("avx2,fma"))) void rows_avx2(const W* w, const float* x, float* y, int64_t begin, int64_t end,
                                                   int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(7);
  int64_t r = begin;
  for (; r + 4 <= end; r += 4) {
    const W* r0 = w + r * cols;
    const W *r1 = r0 + cols, *r2 = r1 + cols, *r3 = r2 + cols;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (int64_t c = 0; c < vec_cols; c += 8) {
      const __m256 xv = _mm256_loadu_ps(x + c);
      a0 = _mm256_fmadd_ps(load8(r0 + c), xv, a0);
      a1 = _mm256_fmadd_ps(load8(r1 + c), xv, a1);
      a2 = _mm256_fmadd_ps(load8(r2 + c), xv, a2);
      a3 = _mm256_fmadd_ps(load8(r3 + c), xv, a3);
    }
    alignas(32) float lanes[4][8];
    _mm256_store_ps(lanes[0], a0);
    _mm256_store_ps(lanes[1], a1);
    _mm256_store_ps(lanes[2], a2);
    _mm256_store_ps(lanes[3], a3);
    const W* rows4[4] = {r0, r1, r2, r3};
    for (int k = 0; k < 4; ++k) {
      float sum = 0.0f;
      for (float lane : lanes[k]) sum += lane;
      for (int64_t c = vec_cols; c < cols; ++c) sum += widen(rows4[k][c]) * x[c];
      y[r + k] = sum;
    }
  }
  for (; r < end; ++r) y[r] = row_avx2(w + r * cols, x, cols);
}

template <typename W>
__attribute__((target("avx512f"))) float row_avx512(const W* row, const float* x, int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(15);
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
  return sum;
}

template <typename W>
__attribute__((target("avx512f"))) void rows_avx512(const W* w, const float* x, float* y, int64_t begin,
                                                    int64_t end, int64_t cols) {
  const int64_t vec_cols = cols & ~int64_t(15);
  int64_t r = begin;
  for (; r + 4 <= end; r += 4) {
    const W* r0 = w + r * cols;
    const W *r1 = r0 + cols, *r2 = r1 + cols, *r3 = r2 + cols;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    for (int64_t c = 0; c < vec_cols; c += 16) {
      const __m512 xv = _mm512_loadu_ps(x + c);
      a0 = _mm512_fmadd_ps(load16(r0 + c), xv, a0);
      a1 = _mm512_fmadd_ps(load16(r1 + c), xv, a1);
      a2 = _mm512_fmadd_ps(load16(r2 + c), xv, a2);
      a3 = _mm512_fmadd_ps(load16(r3 + c), xv, a3);
    }
    alignas(64) float lanes[4][16];
    _mm512_store_ps(lanes[0], a0);
    _mm512_store_ps(lanes[1], a1);
    _mm512_store_ps(lanes[2], a2);
    _mm512_store_ps(lanes[3], a3);
    const W* rows4[4] = {r0, r1, r2, r3};
    for (int k = 0; k < 4; ++k) {
      float sum = 0.0f;
      for (float lane : lanes[k]) sum += lane;
      for (int64_t c = vec_cols; c < cols; ++c) sum += widen(rows4[k][c]) * x[c];
      y[r + k] = sum;
    }
  }
  for (; r < end; ++r) y[r] = row_avx512(w + r * cols, x, cols);
}

using Isa = MatrixVectorIsa;

// Threads per shape: a product gets a second thread only when each thread has at least this
// many bytes of weights to read. Waking a sleeping thread costs ~10-20 µs, about the time one
// core takes to stream 256 KB, so smaller products (the tiny model's, Q8's 512-wide ones) run
// on the calling thread alone; the yardstick's f32 and bf16 products still split.
constexpr int64_t kWeightsPerThread = int64_t(256) << 10;

Isa detect_isa() {
  if (cpu_supports(Isa::Avx512)) return Isa::Avx512;
  if (cpu_supports(Isa::Avx2)) return Isa::Avx2;
  return Isa::Portable;
}

template <typename W>
void matrix_vector(Isa isa, const W* w, const float* x, float* y, int64_t rows, int64_t cols) {
  // Chunks of at least kWeightsPerThread bytes of weights, so threads are only woken for work
  // worth sharing.
  const int64_t grain = std::max<int64_t>(1, kWeightsPerThread / std::max<int64_t>(cols * int64_t(sizeof(W)), 1));
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

const char* matrix_vector_isa_name() {
  switch (best_isa()) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "portable";
  }
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

// ---- Q8 -------------------------------------------------------------------------------------

uint16_t f32_to_f16_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  x &= 0x7fffffffu;
  if (x >= 0x47800000u) return sign | 0x7c00u;  // too large (or inf/NaN): infinity
  if (x < 0x38800000u) {                         // below 2^-14: a subnormal half (steps of 2^-24)
    float a;
    std::memcpy(&a, &x, 4);
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));
  }
  const uint32_t rounded = x + 0x0fffu + ((x >> 13) & 1u);  // round to nearest even
  return sign | static_cast<uint16_t>((rounded - (112u << 23)) >> 13);
}

float f16_bits_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  if (exponent == 0) {
    const float f = std::ldexp(float(mantissa), -24);
    return sign ? -f : f;
  }
  const uint32_t bits = exponent == 31 ? (sign | 0x7f800000u | (mantissa << 13))
                                       : (sign | ((exponent + 112u) << 23) | (mantissa << 13));
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

int64_t q8_row_bytes(int64_t cols) { return (cols + kQ8Block - 1) / kQ8Block * kQ8BlockBytes; }

namespace {

// One block of up to 32 values → scale and int8 (zero-padded to 32). Returns the scale as stored.
float quantize_block(const float* v, int64_t count, int8_t* q, float stored_scale(float)) {
  float amax = 0.0f;
  for (int64_t i = 0; i < count; ++i) amax = std::max(amax, std::fabs(v[i]));
  const float d = stored_scale(amax / 127.0f);
  const float inverse = d > 0.0f ? 1.0f / d : 0.0f;
  for (int64_t i = 0; i < kQ8Block; ++i) {
    const float scaled = i < count ? v[i] * inverse : 0.0f;
    q[i] = static_cast<int8_t>(std::max(-127.0f, std::min(127.0f, std::nearbyint(scaled))));
  }
  return d;
}

float as_f16(float d) { return f16_bits_to_f32(f32_to_f16_bits(d)); }
float as_f32(float d) { return d; }

// Activation rows quantised for the dot products: int8 blocks and one f32 scale per block.
struct QuantisedRows {
  std::vector<int8_t> q;
  std::vector<float> d;
};

void quantise_activations(const float* x, int64_t n, int64_t cols, QuantisedRows& out) {
  const int64_t blocks = (cols + kQ8Block - 1) / kQ8Block;
  out.q.resize(n * blocks * kQ8Block);
  out.d.resize(n * blocks);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t first = b * kQ8Block;
      out.d[j * blocks + b] = quantize_block(x + j * cols + first, std::min(kQ8Block, cols - first),
                                             out.q.data() + (j * blocks + b) * kQ8Block, as_f32);
    }
  }
}

inline float block_scale(const uint8_t* block) {
  uint16_t h;
  std::memcpy(&h, block, 2);
  return f16_bits_to_f32(h);
}

float q8_dot_portable(const uint8_t* row, const int8_t* xq, const float* xd, int64_t blocks) {
  float sum = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* block = row + b * kQ8BlockBytes;
    const int8_t* q = reinterpret_cast<const int8_t*>(block + 2);
    int32_t dot = 0;
    for (int64_t i = 0; i < kQ8Block; ++i) dot += int32_t(q[i]) * int32_t(xq[b * kQ8Block + i]);
    sum += block_scale(block) * xd[b] * float(dot);
  }
  return sum;
}

__attribute__((target("avx2,fma,f16c"))) inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// The Q8 rows streamed without help ran at about a third of the f32 kernels' bandwidth; asking
// for the two cache lines 1 KB ahead (the next rows, at a row's end) read them 1.3× faster
// (best of 40, interleaved, the yardstick's matrices). Prefetching past the end is harmless.
inline void prefetch_ahead(const uint8_t* p) {
  _mm_prefetch(reinterpret_cast<const char*>(p + 1024), _MM_HINT_T0);
  _mm_prefetch(reinterpret_cast<const char*>(p + 1024 + 64), _MM_HINT_T0);
}

#define NINETEEN_VNNI_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

// M activation rows against one weight row at a time (a continuous batch's step): each weight
// block is loaded, made unsigned and its scale widened once for all M, instead of once per row.
// |w| (unsigned) times x with w's sign (signed) is the pairing maddubs and dpbusd take. Each
// activation row keeps its own two accumulators (even and odd blocks, summed at the end), so its
// result is the same bits whatever M is: a stream's logits do not depend on how many streams
// share the step (test: Q8.ABatchOfRowsGivesEachRowsBitsAlone).
template <int M>
__attribute__((target("avx2,fma,f16c"))) inline void q8_block_avx2(const uint8_t* block, const int8_t* const* xq,
                                                                    const float* const* xd, int64_t b, __m256* acc) {
  const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
  const __m256i magnitude = _mm256_sign_epi8(w, w);
  uint16_t h;
  std::memcpy(&h, block, 2);
  const float scale = _cvtsh_ss(h);
  for (int k = 0; k < M; ++k) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[k] + b * kQ8Block));
    const __m256i products = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(x, w));
    const __m256 dot = _mm256_cvtepi32_ps(_mm256_madd_epi16(products, _mm256_set1_epi16(1)));
    acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(dot, _mm256_set1_ps(scale * xd[k][b])));
  }
}

template <int M>
__attribute__((target("avx2,fma,f16c"))) void q8_dots_avx2(const uint8_t* row, const int8_t* const* xq,
                                                            const float* const* xd, int64_t blocks, float* out) {
  __m256 acc0[M], acc1[M];
  for (int k = 0; k < M; ++k) acc0[k] = acc1[k] = _mm256_setzero_ps();
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    prefetch_ahead(row + b * kQ8BlockBytes);
    q8_block_avx2<M>(row + b * kQ8BlockBytes, xq, xd, b, acc0);
    q8_block_avx2<M>(row + (b + 1) * kQ8BlockBytes, xq, xd, b + 1, acc1);
  }
  if (b < blocks) q8_block_avx2<M>(row + b * kQ8BlockBytes, xq, xd, b, acc0);
  for (int k = 0; k < M; ++k) out[k] = horizontal_sum(_mm256_add_ps(acc0[k], acc1[k]));
}

template <int M>
NINETEEN_VNNI_TARGET inline void q8_block_vnni(const uint8_t* block, const int8_t* const* xq, const float* const* xd,
                                               int64_t b, __m256* acc) {
  const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
  const __m256i magnitude = _mm256_sign_epi8(w, w);
  uint16_t h;
  std::memcpy(&h, block, 2);
  const float scale = _cvtsh_ss(h);
  for (int k = 0; k < M; ++k) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[k] + b * kQ8Block));
    const __m256i dot = _mm256_dpbusd_epi32(_mm256_setzero_si256(), magnitude, _mm256_sign_epi8(x, w));
    acc[k] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(scale * xd[k][b]), acc[k]);
  }
}

template <int M>
NINETEEN_VNNI_TARGET void q8_dots_vnni(const uint8_t* row, const int8_t* const* xq, const float* const* xd,
                                       int64_t blocks, float* out) {
  __m256 acc0[M], acc1[M];
  for (int k = 0; k < M; ++k) acc0[k] = acc1[k] = _mm256_setzero_ps();
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    prefetch_ahead(row + b * kQ8BlockBytes);
    q8_block_vnni<M>(row + b * kQ8BlockBytes, xq, xd, b, acc0);
    q8_block_vnni<M>(row + (b + 1) * kQ8BlockBytes, xq, xd, b + 1, acc1);
  }
  if (b < blocks) q8_block_vnni<M>(row + b * kQ8BlockBytes, xq, xd, b, acc0);
  for (int k = 0; k < M; ++k) out[k] = horizontal_sum(_mm256_add_ps(acc0[k], acc1[k]));
}

// Up to 4 activation rows against one weight row, on the ISA's kernel.
void q8_dots(Isa isa, const uint8_t* row, const int8_t* const* xq, const float* const* xd, int64_t blocks, int m,
             float* out) {
  switch (isa) {
    case Isa::Avx512:
      switch (m) {
        case 4: return q8_dots_vnni<4>(row, xq, xd, blocks, out);
        case 3: return q8_dots_vnni<3>(row, xq, xd, blocks, out);
        case 2: return q8_dots_vnni<2>(row, xq, xd, blocks, out);
        default: return q8_dots_vnni<1>(row, xq, xd, blocks, out);
      }
    case Isa::Avx2:
      switch (m) {
        case 4: return q8_dots_avx2<4>(row, xq, xd, blocks, out);
        case 3: return q8_dots_avx2<3>(row, xq, xd, blocks, out);
        case 2: return q8_dots_avx2<2>(row, xq, xd, blocks, out);
        default: return q8_dots_avx2<1>(row, xq, xd, blocks, out);
      }
    default:
      for (int k = 0; k < m; ++k) out[k] = q8_dot_portable(row, xq[k], xd[k], blocks);
  }
}

void q8_rows(Isa isa, const uint8_t* w, const QuantisedRows& x, float* y, int64_t n, int64_t rows, int64_t cols) {
  const int64_t blocks = (cols + kQ8Block - 1) / kQ8Block, row_bytes = blocks * kQ8BlockBytes;
  const int64_t grain = std::max<int64_t>(1, kWeightsPerThread / std::max<int64_t>(row_bytes * n, 1));
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const uint8_t* row = w + r * row_bytes;
      for (int64_t j = 0; j < n; j += 4) {
        const int m = static_cast<int>(std::min<int64_t>(4, n - j));
        const int8_t* xq[4];
        const float* xd[4];
        float out[4];
        for (int k = 0; k < m; ++k) {
          xq[k] = x.q.data() + (j + k) * blocks * kQ8Block;
          xd[k] = x.d.data() + (j + k) * blocks;
        }
        q8_dots(isa, row, xq, xd, blocks, m, out);
        for (int k = 0; k < m; ++k) y[(j + k) * rows + r] = out[k];
      }
    }
  });
}

Isa detect_q8_isa() {
  if (cpu_supports_q8(Isa::Avx512)) return Isa::Avx512;
  if (cpu_supports_q8(Isa::Avx2)) return Isa::Avx2;
  return Isa::Portable;
}

Isa best_q8_isa() {
  static const Isa isa = detect_q8_isa();
  return isa;
}

}  // namespace

void quantize_q8_rows(const float* w, uint8_t* out, int64_t rows, int64_t cols) {
  const int64_t blocks = (cols + kQ8Block - 1) / kQ8Block;
  at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      for (int64_t b = 0; b < blocks; ++b) {
        uint8_t* block = out + (r * blocks + b) * kQ8BlockBytes;
        const float d = quantize_block(w + r * cols + b * kQ8Block, std::min(kQ8Block, cols - b * kQ8Block),
                                       reinterpret_cast<int8_t*>(block + 2), as_f16);
        const uint16_t h = f32_to_f16_bits(d);
        std::memcpy(block, &h, 2);
      }
    }
  });
}

void dequantize_q8_rows(const uint8_t* q, float* out, int64_t rows, int64_t cols) {
  const int64_t blocks = (cols + kQ8Block - 1) / kQ8Block;
  at::parallel_for(0, rows, 64, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* block = q + (r * blocks + b) * kQ8BlockBytes;
        const float d = block_scale(block);
        const int8_t* v = reinterpret_cast<const int8_t*>(block + 2);
        const int64_t count = std::min(kQ8Block, cols - b * kQ8Block);
        float* o = out + r * cols + b * kQ8Block;
        for (int64_t i = 0; i < count; ++i) o[i] = d * float(v[i]);
      }
    }
  });
}

bool cpu_supports_q8(MatrixVectorIsa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case MatrixVectorIsa::Avx512:
      return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("f16c");
    case MatrixVectorIsa::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    case MatrixVectorIsa::Portable: return true;
  }
  return false;
}

void q8_matrix_rows_on(MatrixVectorIsa isa, const uint8_t* w, const float* x, float* y, int64_t n, int64_t rows,
                       int64_t cols) {
  thread_local QuantisedRows quantised;
  quantise_activations(x, n, cols, quantised);
  q8_rows(isa, w, quantised, y, n, rows, cols);
}

void q8_matrix_rows(const uint8_t* w, const float* x, float* y, int64_t n, int64_t rows, int64_t cols) {
  q8_matrix_rows_on(best_q8_isa(), w, x, y, n, rows, cols);
}

const char* q8_isa_name() {
  switch (best_q8_isa()) {
    case Isa::Avx512: return "avx512-vnni";
    case Isa::Avx2: return "avx2";
    default: return "portable";
  }
}

}  // namespace nineteen::models
