// Matrix-vector product with bf16 weights and f32 arithmetic: the decode step's kernel when
// weights are kept in bf16 (half the bytes to stream; libtorch 1.13 has no fast bf16 gemv).
#pragma once

#include <cstdint>

namespace nineteen::models {

// y[r] = Σ_c w[r·cols + c] · x[c] for a row-major bf16 matrix w (raw bits), with each weight
// widened to f32 exactly and f32 fused multiply-adds. Splits rows over libtorch's intra-op threads.
// Uses AVX-512 or AVX2 when the CPU has them.
void bf16_matrix_vector(const uint16_t* w, const float* x, float* y, int64_t rows, int64_t cols);

}  // namespace nineteen::models
