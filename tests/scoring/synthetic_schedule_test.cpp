// MECHANISM.md §3: synthetic request count, even spacing with random phase, organic replacement.
#include "nineteen/scoring/synthetic_schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nineteen::scoring {
namespace {

TEST(SyntheticSchedule, CountIsFloorOfTestedVolumeOverRequestVolume) {
  EXPECT_EQ(synthetic_request_count(4800, 300), 16u);
  EXPECT_EQ(synthetic_request_count(4799, 300), 15u);
  EXPECT_EQ(synthetic_request_count(299, 300), 0u);
  EXPECT_EQ(synthetic_request_count(96000, 300), 320u);
}

TEST(SyntheticSchedule, CountIsZeroForUnusableInputAndCappedForHugeOnes) {
  EXPECT_EQ(synthetic_request_count(4800, 0), 0u);
  EXPECT_EQ(synthetic_request_count(4800, -3), 0u);
  EXPECT_EQ(synthetic_request_count(std::nan(""), 300), 0u);
  EXPECT_EQ(synthetic_request_count(-10, 300), 0u);
  SyntheticScheduleSettings settings;
  settings.max_requests_per_contender = 50;
  EXPECT_EQ(synthetic_request_count(1e300, 1e-300, settings), 50u);
  EXPECT_EQ(synthetic_request_count(INFINITY, 1, settings), 0u);
}

TEST(SyntheticSchedule, OffsetsAreEvenlySpacedInsideThePeriod) {
  std::mt19937_64 rng(42);
  const auto offsets = synthetic_send_offsets(16, 3600, rng);
  ASSERT_EQ(offsets.size(), 16u);
  EXPECT_GE(offsets.front(), 0);
  EXPECT_LT(offsets.front(), 3600.0 / 16);
  for (std::size_t i = 1; i < offsets.size(); ++i) EXPECT_NEAR(offsets[i] - offsets[i - 1], 225.0, 1e-9);
  EXPECT_LT(offsets.back(), 3600);
}

TEST(SyntheticSchedule, PhaseIsRandomButSeeded) {
  std::mt19937_64 a(5), b(5), c(6);
  const auto first = synthetic_send_offsets(4, 60, a);
  EXPECT_EQ(first, synthetic_send_offsets(4, 60, b));
  EXPECT_NE(first, synthetic_send_offsets(4, 60, c));
}

TEST(SyntheticSchedule, NoOffsetsWithoutRequestsOrPeriod) {
  std::mt19937_64 rng(1);
  EXPECT_TRUE(synthetic_send_offsets(0, 3600, rng).empty());
  EXPECT_TRUE(synthetic_send_offsets(5, 0, rng).empty());
  EXPECT_TRUE(synthetic_send_offsets(5, std::nan(""), rng).empty());
}

TEST(SyntheticSchedule, PlanCombinesCountAndOffsets) {
  SyntheticScheduleSettings settings;
  settings.period_seconds = 10;
  std::mt19937_64 rng(9);
  const auto plan = plan_synthetic_requests(100, 10, settings, rng);
  ASSERT_EQ(plan.size(), 10u);
  EXPECT_LT(plan.front(), 1.0);
  EXPECT_LT(plan.back(), 10.0);
}

TEST(SyntheticSchedule, OrganicRequestReplacesSoonestPendingSynthetic) {
  std::vector<double> pending = {300, 100, 200};
  EXPECT_TRUE(replace_pending_synthetic(pending));
  EXPECT_EQ(pending, (std::vector<double>{300, 200}));
  EXPECT_TRUE(replace_pending_synthetic(pending));
  EXPECT_TRUE(replace_pending_synthetic(pending));
  EXPECT_FALSE(replace_pending_synthetic(pending));
  EXPECT_TRUE(pending.empty());
}

}  // namespace
}  // namespace nineteen::scoring
