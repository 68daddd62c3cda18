// MECHANISM.md §3: synthetic request count, even spacing with random phase, organic replacement.
#include "nineteen/scoring/synthetic_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

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

constexpr auto kEven = SyntheticScheduleSettings::Spacing::even;
constexpr auto kRandom = SyntheticScheduleSettings::Spacing::random;

TEST(SyntheticSchedule, EvenOffsetsAreEvenlySpacedInsideThePeriod) {
  std::mt19937_64 rng(42);
  const auto offsets = synthetic_send_offsets(16, 3600, rng, kEven);
  ASSERT_EQ(offsets.size(), 16u);
  EXPECT_GE(offsets.front(), 0);
  EXPECT_LT(offsets.front(), 3600.0 / 16);
  for (std::size_t i = 1; i < offsets.size(); ++i) EXPECT_NEAR(offsets[i] - offsets[i - 1], 225.0, 1e-9);
  EXPECT_LT(offsets.back(), 3600);
}

TEST(SyntheticSchedule, PhaseIsRandomButSeeded) {
  std::mt19937_64 a(5), b(5), c(6);
  for (auto spacing : {kEven, kRandom}) {
    const auto first = synthetic_send_offsets(4, 60, a, spacing);
    EXPECT_EQ(first, synthetic_send_offsets(4, 60, b, spacing));
    EXPECT_NE(first, synthetic_send_offsets(4, 60, c, spacing));
  }
}

TEST(SyntheticSchedule, RandomOffsetsHaveNoFixedIntervalAndBunchLikeAPoissonProcess) {
  // Issue 18, item 4: the schedule must not reveal itself by timing. Gaps of a Poisson process are
  // exponential: their coefficient of variation is 1 (even spacing: 0), and some requests come
  // closer together than a tenth of the mean gap (P ≈ 1 − e^−0.1 ≈ 9.5 % of gaps).
  std::mt19937_64 rng(7);
  const auto offsets = synthetic_send_offsets(2000, 3600, rng, kRandom);
  ASSERT_EQ(offsets.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end()));
  EXPECT_GE(offsets.front(), 0);
  EXPECT_LT(offsets.back(), 3600);
  std::vector<double> gaps;
  for (std::size_t i = 1; i < offsets.size(); ++i) gaps.push_back(offsets[i] - offsets[i - 1]);
  double mean = 0, var = 0;
  for (double g : gaps) mean += g / gaps.size();
  for (double g : gaps) var += (g - mean) * (g - mean) / gaps.size();
  EXPECT_NEAR(std::sqrt(var) / mean, 1.0, 0.1);
  const double close = std::count_if(gaps.begin(), gaps.end(), [&](double g) { return g < 0.1 * mean; });
  EXPECT_NEAR(close / gaps.size(), 1 - std::exp(-0.1), 0.02);
}

TEST(SyntheticSchedule, NoOffsetsWithoutRequestsOrPeriod) {
  std::mt19937_64 rng(1);
  for (auto spacing : {kEven, kRandom}) {
    EXPECT_TRUE(synthetic_send_offsets(0, 3600, rng, spacing).empty());
    EXPECT_TRUE(synthetic_send_offsets(5, 0, rng, spacing).empty());
    EXPECT_TRUE(synthetic_send_offsets(5, std::nan(""), rng, spacing).empty());
  }
}

TEST(SyntheticSchedule, PlanCombinesCountAndOffsets) {
  SyntheticScheduleSettings settings;
  settings.period_seconds = 10;
  settings.spacing = kEven;
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
