// Yuma consensus against Subtensor's own worked numbers: pallets/subtensor/src/tests/epoch.rs,
// `test_bonds` (opentensor/subtensor 14bc6f9: 4 validators with stake 1..4, 4 servers, four epochs
// in which validators 1, 2 and 3 in turn switch to a self-weight). Subtensor computes in I32F32 fixed
// point; these are doubles, so figures agree to about 1e-8 and the stored u16 bonds exactly.
#include "nineteen/chain/yuma_consensus.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nineteen::chain {
namespace {

constexpr double kTolerance = 2e-7;

std::vector<double> servers_row() { return {0, 0, 0, 0, 16383, 32767, 49149, 65535}; }
std::vector<double> self_row(std::size_t uid) {
  std::vector<double> row(8, 0);
  row[uid] = 65535;
  return row;
}

// Column 4 (server 1) of the stored u16 bonds of validators 0..3.
void expect_stored_bonds(const std::vector<std::vector<std::uint16_t>>& stored, std::vector<std::uint16_t> want) {
  for (std::size_t v = 0; v < want.size(); ++v) EXPECT_EQ(stored[v][4], want[v]) << "validator " << v;
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], kTolerance) << what << "[" << i << "]";
}

TEST(YumaConsensus, SubtensorsTestBondsFourEpochs) {
  YumaInput input;
  input.stake = {1, 2, 3, 4, 0, 0, 0, 0};
  input.weights = {servers_row(), servers_row(), servers_row(), servers_row(), {}, {}, {}, {}};

  // Epoch 1: every validator weights the servers 0.1 : 0.2 : 0.3 : 0.4.
  YumaOutput e = yuma_epoch(input);
  expect_near(e.consensus, {0, 0, 0, 0, 0.0999975584, 0.2000012207, 0.2999926754, 0.400008545}, "C");
  expect_near(e.incentive, {0, 0, 0, 0, 0.0999975582, 0.2000012207, 0.2999926752, 0.4000085455}, "I");
  expect_near(e.validator_trust, {0.9999999995, 0.9999999995, 0.9999999995, 0.9999999995, 0, 0, 0, 0}, "Tv");
  expect_near(e.dividends, {0.0999999978, 0.1999999983, 0.3000000012, 0.4000000022, 0, 0, 0, 0}, "D");
  expect_near(e.emission,
              {0.0499999989, 0.0999999992, 0.1500000006, 0.2000000011, 0.049998779, 0.1000006103, 0.1499963375,
               0.2000042726},
              "nE");
  auto stored = bonds_to_u16(e.bonds);
  expect_stored_bonds(stored, {16383, 32767, 49151, 65535});

  // Epoch 2: validator 0 sets a self-weight only (masked: its row is empty); its bonds decay.
  input.weights[0] = self_row(0);
  input.bonds = bonds_from_u16(stored);
  e = yuma_epoch(input);
  expect_near(e.dividends, {0.0899967032, 0.2022211233, 0.303334432, 0.404447741, 0, 0, 0, 0}, "D");
  expect_near(e.incentive, {0, 0, 0, 0, 0.0999975582, 0.2000012207, 0.2999926754, 0.4000085455}, "I");
  stored = bonds_to_u16(e.bonds);
  expect_stored_bonds(stored, {14582, 32767, 49151, 65535});

  // Epoch 3: validator 1 too.
  input.weights[1] = self_row(1);
  input.bonds = bonds_from_u16(stored);
  e = yuma_epoch(input);
  expect_near(e.dividends, {0.0809936118, 0.1819995677, 0.3158592721, 0.421147548, 0, 0, 0, 0}, "D");
  stored = bonds_to_u16(e.bonds);
  expect_stored_bonds(stored, {12603, 28321, 49151, 65535});

  // Epoch 4: validator 2 too. Only 40 % of the stake still weights the servers: below kappa, the
  // consensus is 0, every weight is clipped away, nothing is earned and emission follows stake.
  input.weights[2] = self_row(2);
  input.bonds = bonds_from_u16(stored);
  e = yuma_epoch(input);
  expect_near(e.consensus, std::vector<double>(8, 0), "C");
  expect_near(e.incentive, std::vector<double>(8, 0), "I");
  expect_near(e.dividends, std::vector<double>(8, 0), "D");
  expect_near(e.emission, {0.1, 0.2, 0.3, 0.4, 0, 0, 0, 0}, "nE");
}

TEST(YumaConsensus, AValidatorFavouringAMinerIsClippedAndEarnsBelowItsStake) {
  // Validators 0, 1, 2 with stake 60/30/10; miners 3 and 4. The honest two weight both miners
  // equally; the dishonest one puts everything on miner 4.
  YumaInput input;
  input.stake = {60, 30, 10, 0, 0};
  input.weights = {{0, 0, 0, 65535, 65535}, {0, 0, 0, 65535, 65535}, {0, 0, 0, 0, 65535}, {}, {}};
  const YumaOutput e = yuma_epoch(input);
  // Consensus 0.5 on each miner: the dishonest 1.0 on miner 4 is clipped to 0.5.
  EXPECT_NEAR(e.consensus[3], 0.5, 1e-12);
  EXPECT_NEAR(e.consensus[4], 0.5, 1e-12);
  EXPECT_NEAR(e.validator_trust[2], 0.5, 1e-12);
  EXPECT_NEAR(e.validator_trust[0], 1.0, 1e-12);
  // Ranks 0.45 and 0.50 → incentive 0.4737 / 0.5263 (a plain stake-weighted mean would give 0.45 / 0.55).
  EXPECT_NEAR(e.incentive[3], 0.45 / 0.95, 1e-12);
  EXPECT_NEAR(e.incentive[4], 0.50 / 0.95, 1e-12);
  // First epoch bonds are ΔB = clipped W ◦ S, column-normalised: miner 3 [2/3, 1/3, 0], miner 4
  // [0.6, 0.3, 0.1]; dividends Σ_j B_ij I_j: the dishonest validator gets 0.0526, half its stake share.
  EXPECT_NEAR(e.dividends[0], 2.0 / 3 * 0.45 / 0.95 + 0.6 * 0.5 / 0.95, 1e-12);
  EXPECT_NEAR(e.dividends[1], 1.0 / 3 * 0.45 / 0.95 + 0.3 * 0.5 / 0.95, 1e-12);
  EXPECT_NEAR(e.dividends[2], 0.1 * 0.5 / 0.95, 1e-12);
  EXPECT_LT(e.dividends[2], 0.10);
}

TEST(YumaConsensus, StakeWeightedMedianFollowsTheMajority) {
  // Subtensor's weighted_median: the score where the stake below it first passes 1 − majority.
  EXPECT_DOUBLE_EQ(stake_weighted_median({0.6, 0.3, 0.1}, {0.5, 0.5, 0}, 0.5), 0.5);
  EXPECT_DOUBLE_EQ(stake_weighted_median({0.2, 0.2, 0.6}, {0.9, 0.8, 0.1}, 0.5), 0.1);
  EXPECT_DOUBLE_EQ(stake_weighted_median({1, 1, 1}, {0.3, 0.1, 0.2}, 0.5), 0.2);
  EXPECT_DOUBLE_EQ(stake_weighted_median({}, {}, 0.5), 0);
  EXPECT_DOUBLE_EQ(stake_weighted_median({0, 0}, {0.4, 0.6}, 0.5), 0);  // no stake, no consensus
}

TEST(YumaConsensus, EmptyAndDegenerateInputsStayFinite) {
  YumaOutput e = yuma_epoch({});
  EXPECT_TRUE(e.incentive.empty());
  YumaInput nan_input;
  nan_input.stake = {std::nan(""), 1, -5};
  nan_input.weights = {{0, std::nan(""), 1}, {0, 0, std::numeric_limits<double>::infinity()}, {}};
  e = yuma_epoch(nan_input);
  for (double x : e.incentive) EXPECT_TRUE(std::isfinite(x));
  for (double x : e.dividends) EXPECT_TRUE(std::isfinite(x));
  for (double x : e.emission) EXPECT_TRUE(std::isfinite(x));
}

}  // namespace
}  // namespace nineteen::chain
