// A few rows times a matrix (a continuous batch's decode step: 2 to 16 sequences, one new token
// each): every weight row is read once and used for all the rows while it sits in L1, so the
// step costs about one read of the weights, as a single-token step does. A gemm call here would
// first pack (copy) the whole weight matrix, every step.
#pragma once

#include <cstdint>

namespace nineteen::models {

// y[r·out + o] = Σ_c x[r·in + c] · w[o·in + c] for row-major f32 x [rows, in] and w [out, in].
// Splits the output features over libtorch's intra-op threads; AVX2+FMA when the CPU has it.
void f32_few_rows_times_matrix(const float* x, const float* w, float* y, int64_t rows, int64_t in, int64_t out);

}  // namespace nineteen::models
