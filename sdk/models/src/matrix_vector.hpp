// Matrix-vector products for decode steps (one token: every weight is read once, so speed is
// memory bandwidth): bf16 weights widened in registers, f32 weights, and 8-bit (Q8) weights.
#pragma once

#include <cstdint>

namespace nineteen::models {

// y[r] = Σ_c w[r·cols + c] · x[c] for a row-major bf16 matrix w (raw bits), with each weight
// widened to f32 exactly and f32 fused multiply-adds (libtorch 1.13 has no fast bf16 gemv).
// Splits rows over libtorch's intra-op threads; uses AVX-512 or AVX2 when the CPU has them.
void bf16_matrix_vector(const uint16_t* w, const float* x, float* y, int64_t rows, int64_t cols);

// The same for a row-major f32 matrix.
void f32_matrix_vector(const float* w, const float* x, float* y, int64_t rows, int64_t cols);

// The instruction sets the kernels are written for; the functions above pick the best the CPU
// has. The *_on forms force one (for tests, so every path runs on a machine that has it).
enum class MatrixVectorIsa { Portable, Avx2, Avx512 };
bool cpu_supports(MatrixVectorIsa isa);
// The path the bf16 / f32 kernels take on this CPU: "avx512", "avx2" or "portable".
const char* matrix_vector_isa_name();
void bf16_matrix_vector_on(MatrixVectorIsa isa, const uint16_t* w, const float* x, float* y, int64_t rows,
                           int64_t cols);
void f32_matrix_vector_on(MatrixVectorIsa isa, const float* w, const float* x, float* y, int64_t rows,
                          int64_t cols);

// Q8 weights, llama.cpp's Q8_0 layout: each row of `cols` weights is ceil(cols / 32) blocks of
// 34 bytes, an f16 scale d then 32 int8 q (weight = d · q, |q| ≤ 127; the last block of a row is
// zero-padded). Products quantise the activation the same way per block (f32 scale) and run
// int8 × int8 dot products with int32 sums: AVX-512 VNNI, AVX2 (maddubs), or portable code.
constexpr int64_t kQ8Block = 32;
constexpr int64_t kQ8BlockBytes = 34;
int64_t q8_row_bytes(int64_t cols);
// w: rows × cols f32 → rows × q8_row_bytes(cols) bytes.
void quantize_q8_rows(const float* w, uint8_t* out, int64_t rows, int64_t cols);
// The inverse (what the quantised weights stand for): rows × cols f32.
void dequantize_q8_rows(const uint8_t* q, float* out, int64_t rows, int64_t cols);
// y[j·rows + r] = Σ_c w[r, c] · x[j·cols + c] for n activation rows x (n = 1: one decode step;
// a few rows: a short prefill or a batch of decode steps; each weight row is read once for all n).
// Splits weight rows over libtorch's intra-op threads.
void q8_matrix_rows(const uint8_t* w, const float* x, float* y, int64_t n, int64_t rows, int64_t cols);

// Q8 paths: Avx512 needs AVX-512 BW, VL and VNNI; Avx2 needs AVX2 and FMA.
bool cpu_supports_q8(MatrixVectorIsa isa);
void q8_matrix_rows_on(MatrixVectorIsa isa, const uint8_t* w, const float* x, float* y, int64_t n, int64_t rows,
                       int64_t cols);
// The path q8_matrix_rows takes on this CPU, e.g. "avx512-vnni".
const char* q8_isa_name();

// Half-precision scale bits ↔ f32 (round to nearest even), portable.
uint16_t f32_to_f16_bits(float f);
float f16_bits_to_f32(uint16_t h);

}  // namespace nineteen::models
