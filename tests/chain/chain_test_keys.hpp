// Deterministic hotkeys and a temp folder for the chain tests.
#pragma once

#include <gtest/gtest.h>

#include "../store/temp_store_dir.hpp"
#include "nineteen/chain/chain.hpp"
#include "nineteen/keys/hotkey.hpp"

namespace nineteen::chain::testing {

inline keys::Hotkey test_key(std::uint8_t n) {
  keys::Seed seed{};
  seed.fill(n);
  return keys::Hotkey::from_seed(seed);
}

using TempChainDir = store::testing::TempStoreDir;

// The epoch both the state test and the server test run: miners uid 0 and 1, validator uid 2
// (stake 300) weighting them 65535 and 32768, validator uid 3 (stake 100) weighting uid 1 only.
// Yuma: normalised weights w0 = 65535/98303 and w1 = 32768/98303 from uid 2 (stake 3/4); uid 3's
// 1.0 on uid 1 is clipped at the consensus w1. Ranks 0.75·w0 and w1. Bonds ΔB = clipped W ◦ S per
// column: uid 0 [1, 0], uid 1 [0.75, 0.25].
inline void expect_two_validator_epoch(const Incentives& incentives) {
  const double w0 = 65535.0 / 98303, w1 = 32768.0 / 98303;
  ASSERT_EQ(incentives.by_uid.size(), 4u);  // two miners with incentive, two validators with dividends
  EXPECT_NEAR(incentives.by_uid[0].incentive, 0.75 * w0 / (0.75 * w0 + w1), 1e-9);
  EXPECT_NEAR(incentives.by_uid[1].incentive, w1 / (0.75 * w0 + w1), 1e-9);
  EXPECT_NEAR(incentives.by_uid[1].consensus, w1, 1e-9);
  EXPECT_NEAR(incentives.by_uid[3].validator_trust, w1, 1e-9);
  const double i0 = incentives.by_uid[0].incentive, i1 = incentives.by_uid[1].incentive;
  EXPECT_NEAR(incentives.by_uid[2].dividends, i0 + 0.75 * i1, 1e-9);
  EXPECT_NEAR(incentives.by_uid[3].dividends, 0.25 * i1, 1e-9);
}

}  // namespace nineteen::chain::testing
