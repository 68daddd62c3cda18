// Matrix-vector products for decode steps (one token: every weight is read once, so speed is
// memory bandwidth): bf16 weights widened in registers, and f32 weights.
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
void bf16_matrix_vector_on(MatrixVectorIsa isa, const uint16_t* w, const float* x, float* y, int64_t rows,
                           int64_t cols);
void f32_matrix_vector_on(MatrixVectorIsa isa, const float* w, const float* x, float* y, int64_t rows,
                          int64_t cols);

}  // namespace nineteen::models
