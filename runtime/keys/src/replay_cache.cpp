// Bounded sets of used nonces, one per sender. When one is full it forgets its oldest and remembers
// that it did (the floor), so an evicted nonce can never be replayed: it is refused as unverifiable.
#include "nineteen/keys/replay_cache.hpp"

#include <algorithm>

namespace nineteen::keys {

ReplayCache::ReplayCache(std::size_t max_entries, std::int64_t window_ns)
    : max_entries_(std::max<std::size_t>(1, max_entries)), window_ns_(window_ns) {}

void ReplayCache::expire(std::int64_t now_ns) {
  // Entries whose nonce time is outside the window are refused by the time check anyway.
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window& w = it->second;
    while (!w.by_time.empty() && w.by_time.begin()->first < now_ns - window_ns_) {
      w.seen.erase(w.by_time.begin()->second);
      w.by_time.erase(w.by_time.begin());
    }
    // An empty window with a floor still in the acceptable range must stay, or that floor is lost.
    if (w.by_time.empty() && w.floor_ns < now_ns - window_ns_) {
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
}

ReplayCache::Outcome ReplayCache::check_and_insert(const std::string& who, const std::string& nonce,
                                                   std::int64_t nonce_ns, std::int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  expire(now_ns);
  Window& w = windows_[who];
  if (nonce_ns <= w.floor_ns) return Outcome::below_floor;
  if (!w.seen.insert(nonce).second) return Outcome::replayed;
  w.by_time.emplace(nonce_ns, nonce);
  while (w.seen.size() > max_entries_) {
    auto oldest = w.by_time.begin();
    w.floor_ns = std::max(w.floor_ns, oldest->first);
    w.seen.erase(oldest->second);
    w.by_time.erase(oldest);
  }
  return Outcome::fresh;
}

std::size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = 0;
  for (const auto& [who, w] : windows_) n += w.seen.size();
  return n;
}

}  // namespace nineteen::keys
