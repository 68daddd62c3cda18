// MECHANISM.md §3: when each contender's synthetic requests go out during a scoring period.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace nineteen::scoring {

struct SyntheticScheduleSettings {
  // Length of a scoring period; the local network uses a few seconds.
  double period_seconds = 3600;
  // Guard against a tiny volume_per_request asking for millions of requests (and the memory to plan
  // them). The reference's largest default is 120000 · 0.8 / 300 = 320 per contender.
  std::size_t max_requests_per_contender = 100000;
  // How send times spread over the period. random (ours, the default): `count` independent uniform
  // times, sorted: a Poisson process of that many arrivals, with no fixed interval for a miner to
  // learn and the natural bunching of real users, so a miner that cannot take two requests at once is
  // found out by synthetic load too. even (MECHANISM.md §3 as written): period/count apart with one
  // random phase.
  enum class Spacing { random, even };
  Spacing spacing = Spacing::random;
};

// N_c = floor(capacity_to_score / volume_per_request), at most max_requests_per_contender.
// 0 when either input is not a positive finite number.
std::size_t synthetic_request_count(double capacity_to_score, double volume_per_request,
                                    const SyntheticScheduleSettings& settings = {});

// `count` send times, in seconds from the start of the period, as `spacing` says. Ascending, each in
// [0, period_seconds).
std::vector<double> synthetic_send_offsets(std::size_t count, double period_seconds, std::mt19937_64& rng,
                                           SyntheticScheduleSettings::Spacing spacing);

// The two steps above: the send offsets of one contender for one period.
std::vector<double> plan_synthetic_requests(double capacity_to_score, double volume_per_request,
                                            const SyntheticScheduleSettings& settings, std::mt19937_64& rng);

// An organic request served by a contender replaces one of its pending synthetic requests: removes the
// soonest-due entry of `pending_offsets` (the contender was just measured, so the next probe is the
// redundant one; the later ones keep their spacing). Returns false when nothing was pending.
bool replace_pending_synthetic(std::vector<double>& pending_offsets);

}  // namespace nineteen::scoring
