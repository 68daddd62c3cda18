// MECHANISM.md §6: cosine, image similarity and text distance → quality.
#include "nineteen/scoring/quality.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nineteen::scoring {
namespace {

TEST(Quality, EmbeddingFullAtOrAbove0999FallingLinearlyToZeroAt099) {
  EXPECT_DOUBLE_EQ(embedding_quality(1.0), 1);
  EXPECT_DOUBLE_EQ(embedding_quality(0.999), 1);
  EXPECT_NEAR(embedding_quality(0.9945), 0.5, 1e-9);
  EXPECT_NEAR(embedding_quality(0.998), 8.0 / 9.0, 1e-9);
  EXPECT_DOUBLE_EQ(embedding_quality(0.99), 0);
  EXPECT_DOUBLE_EQ(embedding_quality(0.5), 0);
  EXPECT_DOUBLE_EQ(embedding_quality(-1), 0);
  EXPECT_DOUBLE_EQ(embedding_quality(std::nan("")), 0);
}

TEST(Quality, ImageIsOneAbove095ElseSquared) {
  EXPECT_DOUBLE_EQ(image_quality(0.99), 1);
  EXPECT_DOUBLE_EQ(image_quality(0.951), 1);
  EXPECT_NEAR(image_quality(0.95), 0.9025, 1e-12);
  EXPECT_NEAR(image_quality(0.5), 0.25, 1e-12);
  EXPECT_DOUBLE_EQ(image_quality(0), 0);
  EXPECT_DOUBLE_EQ(image_quality(-0.9), 0);  // anti-correlated must not square into 0.81
  EXPECT_DOUBLE_EQ(image_quality(std::nan("")), 0);
}

TEST(Quality, TextDistanceBands) {
  EXPECT_DOUBLE_EQ(text_distance_quality(0), 1);
  EXPECT_DOUBLE_EQ(text_distance_quality(0.125), 1);
  EXPECT_NEAR(text_distance_quality(0.1875), 0.75, 1e-12);
  EXPECT_NEAR(text_distance_quality(0.25), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(text_distance_quality(0.2501), 0);
  EXPECT_DOUBLE_EQ(text_distance_quality(1), 0);
  EXPECT_DOUBLE_EQ(text_distance_quality(-0.2), 1);
  EXPECT_DOUBLE_EQ(text_distance_quality(std::nan("")), 0);
}

TEST(Quality, SettingsMoveTheThresholds) {
  EXPECT_DOUBLE_EQ(embedding_quality(0.995, {0.995, 0.9}), 1);
  EXPECT_NEAR(image_quality(0.96, {0.99}), 0.9216, 1e-12);
  EXPECT_NEAR(text_distance_quality(0.3, {0.2, 0.4, 1.0}), 0.5, 1e-12);
}

}  // namespace
}  // namespace nineteen::scoring
