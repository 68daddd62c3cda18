// The weight rules of MECHANISM.md §8, as pure functions (the epoch: yuma_consensus_test.cpp).
#include <gtest/gtest.h>

#include "nineteen/chain/chain_rules.hpp"

namespace nineteen::chain {
namespace {

Neuron validator(double stake) {
  Neuron n;
  n.uid = 0;
  n.hotkey = "5Val";
  n.stake = stake;
  n.role = NodeRole::validator;
  return n;
}

struct RulesFixture : ::testing::Test {
  Neuron submitter = validator(1000);
  WeightsContext context;
  WeightsSubmission submission{{1, 2}, {65535, 100}, 7};

  void SetUp() override {
    context.submitter = &submitter;
    context.submitter_hotkey = "5Val";
    context.neuron_count = 3;
    context.current_block = 500;
    context.params.version_key = 7;
    context.params.rate_limit = 150;
  }
  std::string refusal() { return weights_refusal(submission, context).value_or("<accepted>"); }
};

TEST_F(RulesFixture, AValidSubmissionIsAccepted) { EXPECT_EQ(refusal(), "<accepted>"); }

TEST_F(RulesFixture, RateLimitRefusesWithTheBlocksToWait) {
  context.last_set_block = 400;
  EXPECT_EQ(refusal(),
            "rate limit: hotkey 5Val set weights at block 400; the next setting is allowed from block 550 (150 blocks "
            "apart), now block 500, so wait 50 more blocks");
  context.current_block = 549;
  EXPECT_NE(refusal().find("wait 1 more blocks"), std::string::npos);
  context.current_block = 550;
  EXPECT_EQ(refusal(), "<accepted>");
}

TEST_F(RulesFixture, AnOlderVersionKeyIsRefusedAndANewerOneAccepted) {
  submission.version_key = 6;
  EXPECT_EQ(refusal(), "weights: version_key 6 is older than the network's 7; upgrade the validator");
  submission.version_key = 8;
  EXPECT_EQ(refusal(), "<accepted>");
}

TEST_F(RulesFixture, ValuesMustBeMaxUpscaled) {
  submission.values = {30000, 100};
  EXPECT_EQ(refusal(), "weights: the largest value is 30000, expected 65535 (values are max-upscaled: round(W · 65535 / "
                       "max W))");
}

TEST_F(RulesFixture, OnlyRegisteredValidatorsWithStakeMaySetWeights) {
  context.submitter = nullptr;
  EXPECT_NE(refusal().find("is not registered on this chain"), std::string::npos);
  context.submitter = &submitter;
  submitter.role = NodeRole::miner;
  EXPECT_NE(refusal().find("registered as a miner; only validators may set weights"), std::string::npos);
  submitter.role = NodeRole::validator;
  submitter.stake = 0;
  EXPECT_NE(refusal().find("has no stake"), std::string::npos);
}

TEST_F(RulesFixture, UidsMustExistOnceEachWithOneValueEach) {
  submission = {{1, 3}, {65535, 1}, 7};
  EXPECT_EQ(refusal(), "weights: uid 3 does not exist (the chain has uids 0..2)");
  submission = {{1, 1}, {65535, 1}, 7};
  EXPECT_EQ(refusal(), "weights: uid 1 appears twice");
  submission = {{1, 2}, {65535}, 7};
  EXPECT_EQ(refusal(), "weights: 2 uids but 1 values; give one value per uid");
  submission = {{}, {}, 7};
  EXPECT_NE(refusal().find("the vector is empty"), std::string::npos);
}

}  // namespace
}  // namespace nineteen::chain
