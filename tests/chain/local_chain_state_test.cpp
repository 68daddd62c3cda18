// The local chain's state: registration, addresses, weights over blocks, epochs, and restarts.
#include <gtest/gtest.h>

#include <fstream>

#include "chain_test_keys.hpp"
#include "nineteen/chain/local_chain_state.hpp"
#include "nineteen/store/sqlite_database.hpp"

namespace nineteen::chain {
namespace {

using testing::TempChainDir;
using testing::expect_two_validator_epoch;
using testing::test_key;

ChainParams params(std::uint64_t rate_limit = 3, std::uint64_t tempo = 4) {
  ChainParams p;
  p.rate_limit = rate_limit;
  p.tempo = tempo;
  p.version_key = 2;
  return p;
}

Registration reg(std::uint8_t key, NodeRole role, double stake) {
  Registration r;
  r.hotkey = test_key(key).ss58_address();
  r.role = role;
  r.stake = stake;
  return r;
}

TEST(LocalChainState, RegisteringGivesUidsInOrderAndAgainKeepsTheUid) {
  TempChainDir dir;
  LocalChainState chain(dir.file("chain.sqlite"), params());
  EXPECT_EQ(chain.register_node(reg(1, NodeRole::miner, 0)).uid, 0);
  EXPECT_EQ(chain.register_node(reg(2, NodeRole::validator, 100)).uid, 1);
  auto again = reg(1, NodeRole::miner, 5);
  again.ip = "127.0.0.1";
  again.port = 8091;
  auto result = chain.register_node(again);
  ASSERT_TRUE(result.accepted) << result.reason;
  EXPECT_EQ(result.uid, 0);
  auto metagraph = chain.metagraph();
  ASSERT_EQ(metagraph.size(), 2u);
  EXPECT_EQ(metagraph[0].stake, 5);
  EXPECT_EQ(metagraph[0].port, 8091);
  EXPECT_EQ(metagraph[0].coldkey, metagraph[0].hotkey);  // no coldkey given: the hotkey stands in
}

TEST(LocalChainState, BadRegistrationsAndAddressesAreRefusedWithTheReason) {
  TempChainDir dir;
  LocalChainState chain(dir.file("chain.sqlite"), params());
  Registration bad = reg(1, NodeRole::miner, 1);
  bad.hotkey = "not-an-address";
  auto result = chain.register_node(bad);
  EXPECT_FALSE(result.accepted);
  EXPECT_NE(result.reason.find("register: hotkey:"), std::string::npos) << result.reason;
  bad = reg(1, NodeRole::miner, -1);
  EXPECT_FALSE(chain.register_node(bad).accepted);
  EXPECT_TRUE(chain.metagraph().empty());

  EXPECT_NE(chain.serve(test_key(1).ss58_address(), "127.0.0.1", 80).reason.find("is not registered"),
            std::string::npos);
  chain.register_node(reg(1, NodeRole::miner, 0));
  EXPECT_EQ(chain.serve(test_key(1).ss58_address(), "localhost!", 80).reason,
            "serve: ip \"localhost!\" is not an IPv4 or IPv6 address");
  EXPECT_FALSE(chain.serve(test_key(1).ss58_address(), "127.0.0.1", 0).accepted);
  for (int i = 0; i < 3; ++i) chain.advance_block();
  auto served = chain.serve(test_key(1).ss58_address(), "::1", 8091);
  ASSERT_TRUE(served.accepted) << served.reason;
  EXPECT_EQ(chain.metagraph()[0].ip, "::1");
  EXPECT_EQ(chain.metagraph()[0].last_update, 3u);
}

TEST(LocalChainState, WeightsFollowTheRateLimitInBlocks) {
  TempChainDir dir;
  LocalChainState chain(dir.file("chain.sqlite"), params(/*rate_limit=*/3));
  chain.register_node(reg(1, NodeRole::miner, 0));
  chain.register_node(reg(2, NodeRole::validator, 100));
  const std::string validator = test_key(2).ss58_address();
  // Sent out of order with a zero: kept sorted, zero dropped.
  auto first = chain.set_weights(validator, {1, 0}, {0, 65535}, 2);
  ASSERT_TRUE(first.accepted) << first.reason;
  auto stored = chain.weights_of(validator);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->uids, (std::vector<std::uint16_t>{0}));
  EXPECT_EQ(stored->values, (std::vector<std::uint16_t>{65535}));

  chain.advance_block();
  chain.advance_block();
  auto early = chain.set_weights(validator, {0}, {65535}, 2);
  EXPECT_FALSE(early.accepted);
  EXPECT_NE(early.reason.find("rate limit"), std::string::npos) << early.reason;
  EXPECT_NE(early.reason.find("wait 1 more blocks"), std::string::npos) << early.reason;
  chain.advance_block();
  auto later = chain.set_weights(validator, {0, 1}, {65535, 40000}, 3);
  ASSERT_TRUE(later.accepted) << later.reason;
  EXPECT_EQ(chain.weights_of(validator)->block, 3u);
  EXPECT_EQ(chain.weights_of(validator)->version_key, 3u);
  EXPECT_FALSE(chain.weights_of(test_key(1).ss58_address()));
}

TEST(LocalChainState, AnEpochEveryTempoBlocksComputesIncentives) {
  TempChainDir dir;
  LocalChainState chain(dir.file("chain.sqlite"), params(1, /*tempo=*/4));
  chain.register_node(reg(1, NodeRole::miner, 0));            // uid 0
  chain.register_node(reg(2, NodeRole::miner, 0));            // uid 1
  chain.register_node(reg(3, NodeRole::validator, 300));      // uid 2
  chain.register_node(reg(4, NodeRole::validator, 100));      // uid 3
  ASSERT_TRUE(chain.set_weights(test_key(3).ss58_address(), {0, 1}, {65535, 32768}, 2).accepted);
  ASSERT_TRUE(chain.set_weights(test_key(4).ss58_address(), {1}, {65535}, 2).accepted);
  for (int i = 0; i < 3; ++i) chain.advance_block();
  EXPECT_EQ(chain.incentives().epoch_block, 0u);
  EXPECT_TRUE(chain.incentives().by_uid.empty());
  EXPECT_EQ(chain.advance_block(), 4u);
  auto incentives = chain.incentives();
  EXPECT_EQ(incentives.epoch_block, 4u);
  expect_two_validator_epoch(incentives);
}

// Commitments (the validators' task votes): a registered hotkey publishes, a new one replaces its last,
// a stranger and an oversized one are refused with the reason, and they survive a restart.
TEST(LocalChainState, CommitmentsArePublishedReplacedAndKeptOverARestart) {
  TempChainDir dir;
  const std::string path = dir.file("chain.sqlite");
  {
    LocalChainState chain(path, params());
    chain.register_node(reg(1, NodeRole::miner, 0));
    chain.register_node(reg(2, NodeRole::validator, 50));
    EXPECT_TRUE(chain.commitments().empty());
    ASSERT_TRUE(chain.set_commitment(test_key(2).ss58_address(), "tv1 a=1").accepted);
    chain.advance_block();
    WriteResult second = chain.set_commitment(test_key(2).ss58_address(), std::string("tv1 a=0.5 b=0.5\0x", 18));
    ASSERT_TRUE(second.accepted);
    EXPECT_EQ(second.uid, std::optional<std::uint16_t>(1));
    WriteResult stranger = chain.set_commitment(test_key(9).ss58_address(), "tv1 a=1");
    EXPECT_FALSE(stranger.accepted);
    EXPECT_NE(stranger.reason.find("not registered"), std::string::npos) << stranger.reason;
    WriteResult too_long = chain.set_commitment(test_key(1).ss58_address(), std::string(kCommitmentMaxBytes + 1, 'x'));
    EXPECT_FALSE(too_long.accepted);
    EXPECT_NE(too_long.reason.find("at most 384"), std::string::npos) << too_long.reason;
  }
  LocalChainState chain(path, params());
  auto kept = chain.commitments();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].uid, 1);
  EXPECT_EQ(kept[0].hotkey, test_key(2).ss58_address());
  EXPECT_EQ(kept[0].block, 1u);
  EXPECT_EQ(kept[0].data, std::string("tv1 a=0.5 b=0.5\0x", 18));  // bytes, a NUL included
}

TEST(LocalChainState, ARestartContinuesFromTheStoredChain) {
  TempChainDir dir;
  const std::string path = dir.file("chain.sqlite");
  {
    LocalChainState chain(path, params(1, 2));
    chain.register_node(reg(1, NodeRole::miner, 0));
    chain.register_node(reg(2, NodeRole::validator, 50));
    chain.serve(test_key(1).ss58_address(), "127.0.0.1", 8091);
    ASSERT_TRUE(chain.set_weights(test_key(2).ss58_address(), {0}, {65535}, 2).accepted);
    for (int i = 0; i < 5; ++i) chain.advance_block();
  }
  LocalChainState chain(path, params(1, 2));
  EXPECT_EQ(chain.current_block(), 5u);
  ASSERT_EQ(chain.metagraph().size(), 2u);
  EXPECT_EQ(chain.metagraph()[0].port, 8091);
  EXPECT_EQ(chain.metagraph()[1].stake, 50);
  auto weights = chain.weights_of(test_key(2).ss58_address());
  ASSERT_TRUE(weights);
  EXPECT_EQ(weights->values, (std::vector<std::uint16_t>{65535}));
  EXPECT_EQ(chain.incentives().epoch_block, 4u);
  ASSERT_EQ(chain.incentives().by_uid.size(), 2u);  // the miner's incentive, the validator's dividends
  EXPECT_DOUBLE_EQ(chain.incentives().by_uid[1].dividends, 1.0);
  EXPECT_EQ(chain.advance_block(), 6u);
  EXPECT_EQ(chain.register_node(reg(3, NodeRole::miner, 0)).uid, 2);
}

TEST(LocalChainState, YumaBondsCarryOverARestart) {
  // Two validators' bonds from epoch 1 shape epoch 2's dividends once one of them changes its
  // weights; a chain restarted between the epochs must give the same dividends as one that was not.
  auto run = [](const std::string& path, bool restart) {
    auto setup = [&](LocalChainState& chain) {
      chain.register_node(reg(1, NodeRole::miner, 0));
      chain.register_node(reg(2, NodeRole::miner, 0));
      chain.register_node(reg(3, NodeRole::validator, 300));
      chain.register_node(reg(4, NodeRole::validator, 100));
      EXPECT_TRUE(chain.set_weights(test_key(3).ss58_address(), {0, 1}, {65535, 65535}, 2).accepted);
      EXPECT_TRUE(chain.set_weights(test_key(4).ss58_address(), {0, 1}, {65535, 65535}, 2).accepted);
      for (int i = 0; i < 4; ++i) chain.advance_block();  // epoch at block 4
    };
    auto second = [&](LocalChainState& chain) {
      EXPECT_TRUE(chain.set_weights(test_key(3).ss58_address(), {1}, {65535}, 2).accepted);
      for (int i = 0; i < 4; ++i) chain.advance_block();  // epoch at block 8
      return chain.incentives();
    };
    if (!restart) {
      LocalChainState chain(path, params(1, 4));
      setup(chain);
      return second(chain);
    }
    { LocalChainState chain(path, params(1, 4)); setup(chain); }
    LocalChainState chain(path, params(1, 4));
    return second(chain);
  };
  TempChainDir a, b;
  const Incentives straight = run(a.file("chain.sqlite"), false);
  const Incentives restarted = run(b.file("chain.sqlite"), true);
  ASSERT_EQ(straight.epoch_block, 8u);
  ASSERT_EQ(straight.by_uid.size(), restarted.by_uid.size());
  for (std::size_t i = 0; i < straight.by_uid.size(); ++i) {
    EXPECT_EQ(straight.by_uid[i].uid, restarted.by_uid[i].uid);
    EXPECT_DOUBLE_EQ(straight.by_uid[i].dividends, restarted.by_uid[i].dividends) << "uid " << straight.by_uid[i].uid;
    EXPECT_DOUBLE_EQ(straight.by_uid[i].incentive, restarted.by_uid[i].incentive);
  }
  // The old bonds matter: validator uid 3 still holds bonds on miner uid 0 from epoch 1, and its
  // share of dividends is not what a chain without memory would give (its ΔB alone: 0.25 of uid 1).
  EXPECT_GT(straight.by_uid.back().dividends, 0.0);
}

TEST(LocalChainState, ANonSqliteFileIsRefusedNamingIt) {
  TempChainDir dir;
  const std::string path = dir.file("chain.sqlite");
  std::ofstream(path) << std::string(4096, 'x');
  try {
    LocalChainState chain(path, params());
    FAIL() << "opened a file of x's";
  } catch (const store::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nineteen::chain
