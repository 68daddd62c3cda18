// MECHANISM.md §6: the mappings from a checker's measurement to an answer's quality q in [0, 1].
// Plugins keep their own copies; these are the reference the runtime and tests use.
#pragma once

namespace nineteen::scoring {

struct EmbeddingQualitySettings {
  double full_at = 0.999;  // cosine at or above this: q = 1
  double zero_at = 0.99;   // cosine at or below this: q = 0; linear in between
};

// Embeddings: cosine between the miner's and the reference vectors → q. Non-finite cosine → 0.
double embedding_quality(double cosine, const EmbeddingQualitySettings& settings = {});

struct ImageQualitySettings {
  double full_above = 0.95;  // similarity above this: q = 1, else q = s²
};

// Image: perceptual similarity s → q = 1 if s > full_above else s². A negative s (structural
// similarity can be) counts as 0, so it cannot square into a good score; non-finite → 0.
double image_quality(double similarity, const ImageQualitySettings& settings = {});

struct TextDistanceQualitySettings {
  double full_up_to = 0.125;       // D at or below: q = 1
  double zero_above = 0.25;        // D above: q = 0
  double drop_at_zero_edge = 0.5;  // q falls linearly from 1 to 1 − this between the two
};

// Text: mean probability distance D → q = 1 if D ≤ 0.125; 1 − 0.5·(D − 0.125)/0.125 if D ≤ 0.25;
// else 0. Negative D counts as 0; non-finite D → 0.
double text_distance_quality(double distance, const TextDistanceQualitySettings& settings = {});

}  // namespace nineteen::scoring
