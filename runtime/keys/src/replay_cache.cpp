// A bounded set of used nonces. When full it forgets the oldest and remembers that it did (the
// floor), so an evicted nonce can never be replayed: it is refused as unverifiable instead.
#include "nineteen/keys/replay_cache.hpp"

#include <algorithm>

namespace nineteen::keys {

ReplayCache::ReplayCache(std::size_t max_entries, std::int64_t window_ns)
    : max_entries_(std::max<std::size_t>(1, max_entries)), window_ns_(window_ns) {}

void ReplayCache::expire(std::int64_t now_ns) {
  // Entries whose nonce time is outside the window are refused by the time check anyway.
  while (!by_time_.empty() && by_time_.begin()->first < now_ns - window_ns_) {
    seen_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
  }
}

ReplayCache::Outcome ReplayCache::check_and_insert(const std::string& who, const std::string& nonce,
                                                   std::int64_t nonce_ns, std::int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  expire(now_ns);
  if (nonce_ns <= floor_ns_) return Outcome::below_floor;
  std::string key = who + "|" + nonce;
  if (!seen_.insert(key).second) return Outcome::replayed;
  by_time_.emplace(nonce_ns, std::move(key));
  while (seen_.size() > max_entries_) {
    auto oldest = by_time_.begin();
    floor_ns_ = std::max(floor_ns_, oldest->first);
    seen_.erase(oldest->second);
    by_time_.erase(oldest);
  }
  return Outcome::fresh;
}

std::size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.size();
}

}  // namespace nineteen::keys
