// The replay cache: replays caught, memory bounded, evicted nonces refused rather than forgotten.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "nineteen/keys/replay_cache.hpp"

using nineteen::keys::ReplayCache;
using Outcome = ReplayCache::Outcome;

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(ReplayCache, SecondUseIsAReplay) {
  ReplayCache cache(100, 120 * kSecond);
  std::int64_t now = 1000 * kSecond;
  EXPECT_EQ(cache.check_and_insert("v1", "n1", now, now), Outcome::fresh);
  EXPECT_EQ(cache.check_and_insert("v1", "n1", now, now + kSecond), Outcome::replayed);
  EXPECT_EQ(cache.check_and_insert("v2", "n1", now, now), Outcome::fresh) << "nonces are per validator";
}

TEST(ReplayCache, FullCacheForgetsOldestAndRefusesAtOrBelowIt) {
  ReplayCache cache(3, 120 * kSecond);
  std::int64_t now = 1000 * kSecond;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache.check_and_insert("v", "n" + std::to_string(i), now + i, now), Outcome::fresh);
  }
  EXPECT_EQ(cache.check_and_insert("v", "n3", now + 3, now), Outcome::fresh);
  EXPECT_EQ(cache.size(), 3u);
  // n0 was evicted: it cannot be proven unused any more, so it is refused, not accepted again.
  EXPECT_EQ(cache.check_and_insert("v", "n0", now + 0, now), Outcome::below_floor);
  EXPECT_EQ(cache.check_and_insert("v", "n1", now + 1, now), Outcome::replayed);
}

TEST(ReplayCache, EntriesOutsideTheWindowExpire) {
  ReplayCache cache(100, 120 * kSecond);
  std::int64_t now = 1000 * kSecond;
  cache.check_and_insert("v", "old", now, now);
  cache.check_and_insert("v", "new", now + 100 * kSecond, now + 100 * kSecond);
  EXPECT_EQ(cache.size(), 2u);
  cache.check_and_insert("v", "newer", now + 200 * kSecond, now + 200 * kSecond);
  EXPECT_EQ(cache.size(), 2u) << "\"old\" is 200 s old, beyond the 120 s window";
}

TEST(ReplayCache, ConcurrentUseOfOneNonceAcceptsItOnce) {
  ReplayCache cache(1000, 120 * kSecond);
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (cache.check_and_insert("v", "n" + std::to_string(i), kSecond + i, kSecond) == Outcome::fresh) ++fresh;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fresh.load(), 200);
}

TEST(ReplayCache, OneValidatorFillingItsWindowMovesNoOtherValidatorsFloor) {
  // Issue 24: a validator sending nonces dated +119 s until the cache is full must not make every
  // other validator's current nonces "below the floor".
  ReplayCache cache(4, 120 * kSecond);
  const std::int64_t now = 1000 * kSecond;
  for (int i = 0; i < 50; ++i) {
    cache.check_and_insert("greedy", "g" + std::to_string(i), now + 119 * kSecond + i, now);
  }
  EXPECT_EQ(cache.check_and_insert("honest", "h1", now, now), Outcome::fresh);
  EXPECT_EQ(cache.check_and_insert("honest", "h2", now - 30 * kSecond, now), Outcome::fresh);
  EXPECT_EQ(cache.check_and_insert("honest", "h1", now, now), Outcome::replayed);
  // The greedy validator's own floor moved: its evicted nonces are refused, not forgotten.
  EXPECT_EQ(cache.check_and_insert("greedy", "g0", now + 119 * kSecond, now), Outcome::below_floor);
  EXPECT_LE(cache.size(), 4u + 2u) << "each window stays bounded";
}
