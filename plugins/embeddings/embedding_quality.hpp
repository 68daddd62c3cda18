// MECHANISM.md §6 for embeddings: cosine between the miner's and the reference vector -> q, and
// one q for an answer of many vectors.
#pragma once

#include <cstddef>
#include <string>

#include <nineteen/sdk/task.hpp>

namespace nineteen::embeddings {

// q = 1 at cosine >= 0.999, falling linearly to 0 at 0.99 (0 below, and for a non-finite cosine).
// A copy of runtime/scoring's embedding_quality (plugins do not link runtime/); same defaults.
double embedding_quality(double cosine);

double cosine(const float* a, const float* b, size_t n);

// The answer's quality is the minimum over its vectors: a miner cannot hide one bad vector among
// good ones (an average would let 1 wrong vector in 16 still pass). When the model normalises,
// a vector whose norm is not 1 ± 0.01 scores 0 too, since a client's dot products would be wrong
// even though the direction is right. The reason names the worst vector.
sdk::CheckResult check_vectors(const float* reference, const float* answer, size_t count, size_t dimension,
                               bool normalised);

}  // namespace nineteen::embeddings
