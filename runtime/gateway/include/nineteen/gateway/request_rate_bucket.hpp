// A token bucket: `per_minute` tokens a minute, holding at most a minute's worth (the burst).
#pragma once

#include <chrono>

namespace nineteen::gateway {

class RequestRateBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full. per_minute ≤ 0 means no limit.
  RequestRateBucket(double per_minute, Clock::time_point now);

  // Takes `cost` tokens when there are that many; else takes nothing and returns false.
  bool take(Clock::time_point now, double cost = 1);
  // Takes `cost` tokens after the fact (an answer's work, known only once it is done); the level may
  // go below zero, and take() refuses until it has refilled past zero.
  void charge(Clock::time_point now, double cost);
  // Seconds until `cost` tokens are there (0 when they are now).
  double seconds_until(Clock::time_point now, double cost = 1) const;
  // Changes the rate (the key's settings were read again), keeping the tokens held (capped).
  void set_rate(double per_minute, Clock::time_point now);
  double per_minute() const { return per_minute_; }
  // The tokens there now (below zero while in debt).
  double available(Clock::time_point now) const { return level_at(now); }

 private:
  double level_at(Clock::time_point now) const;
  double per_minute_;
  double tokens_;
  Clock::time_point updated_;
};

}  // namespace nineteen::gateway
