// MECHANISM.md §9: the order in which the gateway tries contenders for one organic request.
//
// The rule, exactly:
//  1. Eligible: `healthy`, recent_failures ≤ max_recent_failures, not answering 429 right now,
//     capacity_left > 0, and recent_quality ≥ min_quality (a miner whose answers check wrong is
//     never given a user, however idle it is; a non-finite quality counts as 0).
//  2. Merit = max(recent_quality, 0) · max(period_score, 0) (non-finite counts as 0). Eligible
//     contenders are sorted by merit, highest first (ties: lower in_flight, then input order); the
//     best quarter, ⌈best_share · n⌉ and at least one, is the first tier, the rest the fallback tier.
//  3. First tier: a weighted random order (sampling without replacement, Efraimidis–Spirakis keys
//     u^(1/w)), weight w = merit / (1 + in_flight), so among good contenders the idle ones are tried
//     first more often, without sending every request to the same idle miner. Zero-weight entries
//     follow the positive ones, in uniform random order.
//  4. Fallback tier, in merit order: on 429, 5xx or a timeout before the first byte reached the
//     user, the gateway moves down the list, so a user gets 503 only when no eligible contender could
//     serve.
//  5. The list is cut at max_attempts (0 = no cut).
// A new miner with no quality history should be given a prior recent_quality by the caller, or it
// never enters the first tier.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace nineteen::scoring {

struct RoutingContender {
  bool healthy = true;                // the caller's health check (e.g. reachable, registered)
  std::uint32_t recent_failures = 0;  // failures in the recent window
  bool answering_429 = false;         // said 429 recently enough that it is still full
  double capacity_left = 0;           // work it may still take this period
  std::uint32_t in_flight = 0;        // requests this gateway has open to it now
  double recent_quality = 0;          // e.g. mean q of its recent checked answers
  double period_score = 0;            // its latest period score (or P_h)
};

struct OrganicRoutingSettings {
  double best_share = 0.25;               // the first tier is this share of eligible contenders
  std::uint32_t max_recent_failures = 2;  // more recent failures than this: not eligible
  std::size_t max_attempts = 5;           // longest list returned; 0 = every eligible contender
  double min_quality = 0.5;               // below this recent quality: not eligible
};

// Indices into `contenders`, in the order to try them. Empty when none is eligible (answer 503).
std::vector<std::size_t> organic_try_order(const std::vector<RoutingContender>& contenders,
                                           const OrganicRoutingSettings& settings, std::mt19937_64& rng);

}  // namespace nineteen::scoring
