// MECHANISM.md §8: u16 conversion of the weights.
#include "nineteen/scoring/chain_weights.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nineteen::scoring {
namespace {

TEST(ChainWeights, ScaledToMaxAndRounded) {
  const auto chain =
      to_chain_weights({{1, 0.5625, 0.5625}, {2, 1.0 / 6, 1.0 / 6}, {3, 0.2708, 0.75 / 36 + 0.25}});
  EXPECT_EQ(chain.uids, (std::vector<std::uint16_t>{1, 2, 3}));
  EXPECT_EQ(chain.values, (std::vector<std::uint16_t>{65535, 19418, 31554}));
}

TEST(ChainWeights, ZerosAndGarbageAreDropped) {
  const auto chain = to_chain_weights({{4, 0, 0},
                                       {5, 0, 1.0},
                                       {6, 0, 1e-6},
                                       {7, 0, -1},
                                       {8, 0, std::nan("")},
                                       {9, 0, INFINITY},
                                       {10, 0, 0.5}});
  // 1e-6 · 65535 rounds to 0.
  EXPECT_EQ(chain.uids, (std::vector<std::uint16_t>{5, 10}));
  EXPECT_EQ(chain.values, (std::vector<std::uint16_t>{65535, 32768}));
}

TEST(ChainWeights, NothingPositiveGivesEmptyVector) {
  EXPECT_TRUE(to_chain_weights({}).uids.empty());
  const auto chain = to_chain_weights({{1, 0, 0}, {2, 0, 0}});
  EXPECT_TRUE(chain.uids.empty());
  EXPECT_TRUE(chain.values.empty());
}

TEST(ChainWeights, SortedByUidAndDuplicateKeepsLargest) {
  const auto chain = to_chain_weights({{9, 0, 0.25}, {2, 0, 0.5}, {9, 0, 0.5}});
  EXPECT_EQ(chain.uids, (std::vector<std::uint16_t>{2, 9}));
  EXPECT_EQ(chain.values, (std::vector<std::uint16_t>{65535, 65535}));
}

}  // namespace
}  // namespace nineteen::scoring
