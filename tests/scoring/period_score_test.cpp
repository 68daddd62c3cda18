// MECHANISM.md §4–5: outcome counting and the period score (every worked example, both formulas).
#include "nineteen/scoring/period_score.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nineteen::scoring {
namespace {

OutcomeCounts counts(std::uint64_t total, double consumed, std::uint64_t n429, std::uint64_t n500) {
  OutcomeCounts c;
  c.total = total;
  c.consumed = consumed;
  c.rate_limited = n429;
  c.failed = n500;
  return c;
}

const PeriodScoreSettings reference{PeriodScoreFormula::reference};

TEST(OutcomeCounts, RecordCountsEachOutcome) {
  OutcomeCounts c;
  c.record(Outcome::success, 120);
  c.record(Outcome::success, 30);
  c.record(Outcome::rate_limited, 999);
  c.record(Outcome::failed, 999);
  c.record(Outcome::failed, 0);
  EXPECT_DOUBLE_EQ(c.consumed, 150);
  EXPECT_EQ(c.total, 5u);
  EXPECT_EQ(c.rate_limited, 1u);
  EXPECT_EQ(c.failed, 2u);
}

TEST(OutcomeCounts, BadWorkAddsNothingButStillCountsTheRequest) {
  OutcomeCounts c;
  c.record(Outcome::success, std::nan(""));
  c.record(Outcome::success, -50);
  c.record(Outcome::success, INFINITY);
  EXPECT_DOUBLE_EQ(c.consumed, 0);
  EXPECT_EQ(c.total, 3u);
}

struct WorkedExample {
  std::uint64_t total;
  double capacity, consumed;
  std::uint64_t n429, n500;
  double score;
};

TEST(PeriodScore, ReferenceFormulaGivesEveryWorkedExample) {
  const WorkedExample examples[] = {
      {10, 1000, 100, 0, 0, 1.0},   {10, 1000, 1000, 2, 0, 0.8}, {10, 1000, 80, 2, 0, 0.6528},
      {10, 1000, 80, 0, 2, 0.6528}, {2, 1000, 10, 0, 1, 0.2525}, {20, 1000, 500, 5, 5, 0.3828},
      {1, 1000, 0, 0, 1, 0.0},
  };
  for (const auto& e : examples) {
    const auto score = period_score(counts(e.total, e.consumed, e.n429, e.n500), e.capacity, reference);
    ASSERT_TRUE(score.has_value());
    EXPECT_NEAR(*score, e.score, 1e-4) << "T=" << e.total << " C=" << e.capacity << " V=" << e.consumed
                                       << " 429=" << e.n429 << " 500=" << e.n500;
  }
}

TEST(PeriodScore, NoScoreWithoutRequestsOrCapacity) {
  EXPECT_FALSE(period_score(counts(0, 0, 0, 0), 1000).has_value());
  EXPECT_FALSE(period_score(counts(5, 100, 0, 0), 0).has_value());
  EXPECT_FALSE(period_score(counts(5, 100, 0, 0), -5).has_value());
  EXPECT_FALSE(period_score(counts(5, 100, 0, 0), std::nan("")).has_value());
  EXPECT_FALSE(period_score(counts(0, 0, 0, 0), 1000, reference).has_value());
}

TEST(PeriodScore, OursIsTheDefault) {
  EXPECT_EQ(PeriodScoreSettings{}.formula, PeriodScoreFormula::ours);
}

TEST(PeriodScore, OursCharges429NothingWhenDeclaredVolumeWasUsed) {
  EXPECT_DOUBLE_EQ(*period_score(counts(10, 1000, 2, 0), 1000), 1.0);
  EXPECT_DOUBLE_EQ(*period_score(counts(10, 1500, 9, 0), 1000), 1.0);
  // The reference charges the same situation: this is the difference the setting selects.
  EXPECT_NEAR(*period_score(counts(10, 1000, 2, 0), 1000, reference), 0.8, 1e-12);
}

TEST(PeriodScore, OursMatchesReferenceWithout429s) {
  EXPECT_NEAR(*period_score(counts(10, 80, 0, 2), 1000), 0.6528, 1e-4);
  EXPECT_NEAR(*period_score(counts(2, 10, 0, 1), 1000), 0.2525, 1e-4);
}

TEST(PeriodScore, OursNeverCharges429MoreThanA500) {
  for (std::uint64_t total : {1u, 2u, 5u, 20u})
    for (std::uint64_t k = 1; k <= total; ++k)
      for (std::uint64_t failures = 0; failures + k <= total; ++failures)
        for (double consumed : {0.0, 10.0, 500.0, 1000.0, 2000.0}) {
          // The same k requests answered 429 instead of failing, the rest unchanged.
          const double as_429s = *period_score(counts(total, consumed, k, failures), 1000);
          const double as_500s = *period_score(counts(total, consumed, 0, failures + k), 1000);
          EXPECT_GE(as_429s, as_500s)
              << "T=" << total << " V=" << consumed << " k=" << k << " 500s=" << failures;
          if (consumed >= 1000) {
            const double without = *period_score(counts(total, consumed, 0, failures), 1000);
            EXPECT_DOUBLE_EQ(as_429s, without) << "u = 0: a 429 costs nothing";
          }
        }
}

TEST(PeriodScore, OursStillChargesUnused429Volume) {
  // u = 0.92, one fifth 429s: 1 · (1 − 0.2·0.92) = 0.816, above the reference's 0.6528.
  EXPECT_NEAR(*period_score(counts(10, 80, 2, 0), 1000), 0.816, 1e-12);
}

TEST(PeriodScore, SmallCapacityUsesAtLeastOne) {
  // C = max(0.5, 1) = 1, V = 0 → u = 1; half failures → 0.5 · 0.5.
  EXPECT_NEAR(*period_score(counts(2, 0, 0, 1), 0.5), 0.25, 1e-12);
}

TEST(PeriodScore, CorruptCountsStayInRange) {
  const auto score = period_score(counts(2, std::nan(""), 7, 9), 1000, reference);
  ASSERT_TRUE(score.has_value());
  EXPECT_GE(*score, 0);
  EXPECT_LE(*score, 1);
}

}  // namespace
}  // namespace nineteen::scoring
