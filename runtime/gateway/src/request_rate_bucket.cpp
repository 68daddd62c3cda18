// Token bucket arithmetic for per-key request limits.
#include "nineteen/gateway/request_rate_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::gateway {

RequestRateBucket::RequestRateBucket(double per_minute, Clock::time_point now)
    : per_minute_(std::isfinite(per_minute) ? per_minute : 0), tokens_(per_minute_), updated_(now) {}

double RequestRateBucket::level_at(Clock::time_point now) const {
  if (now <= updated_) return tokens_;
  double elapsed_s = std::chrono::duration<double>(now - updated_).count();
  return std::min(per_minute_, tokens_ + elapsed_s * per_minute_ / 60.0);
}

bool RequestRateBucket::take(Clock::time_point now, double cost) {
  if (per_minute_ <= 0) return true;
  double level = level_at(now);
  if (now > updated_) updated_ = now;
  tokens_ = level;
  if (level + 1e-9 < cost) return false;
  tokens_ = level - cost;
  return true;
}

void RequestRateBucket::charge(Clock::time_point now, double cost) {
  if (per_minute_ <= 0 || !(cost > 0)) return;
  tokens_ = level_at(now) - cost;
  if (now > updated_) updated_ = now;
}

double RequestRateBucket::seconds_until(Clock::time_point now, double cost) const {
  if (per_minute_ <= 0) return 0;
  double missing = cost - level_at(now);
  if (missing <= 0) return 0;
  if (cost > per_minute_) return INFINITY;  // never: the bucket holds less than that
  return missing * 60.0 / per_minute_;
}

void RequestRateBucket::set_rate(double per_minute, Clock::time_point now) {
  double level = level_at(now);
  per_minute_ = std::isfinite(per_minute) ? per_minute : 0;
  tokens_ = std::min(level, std::max(per_minute_, 0.0));
  if (now > updated_) updated_ = now;
}

}  // namespace nineteen::gateway
