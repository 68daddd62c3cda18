// Remembers nonces already accepted, bounded in entries and in time, so a request cannot be replayed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_set>

namespace nineteen::keys {

// Each sender has its own window: a sender that fills its window (say, with nonces dated +119 s)
// moves only its own floor, never another validator's.
class ReplayCache {
 public:
  // `max_entries` bounds each sender's memory. `window_ns` is how long a nonce stays acceptable
  // (the verifier's clock skew on either side), so entries older than that are dropped: the time
  // check rejects them. Senders are validators that passed the signature and stake checks, so
  // their number is bounded by the metagraph.
  ReplayCache(std::size_t max_entries, std::int64_t window_ns);

  enum class Outcome { fresh, replayed, below_floor };

  // Atomically checks and records (`who`, `nonce`) whose timestamp is `nonce_ns`, at time `now_ns`.
  // `below_floor`: `who`'s window was full and has already forgotten nonces this old, so it cannot
  // tell whether this one was used; the sender should retry with a new nonce. Thread-safe.
  Outcome check_and_insert(const std::string& who, const std::string& nonce, std::int64_t nonce_ns,
                           std::int64_t now_ns);

  std::size_t size() const;  // nonces remembered, all senders

 private:
  struct Window {
    std::multimap<std::int64_t, std::string> by_time;  // nonce time → nonce, oldest first
    std::unordered_set<std::string> seen;
    // Nonces at or below this time were evicted early (window full) and can no longer be proven fresh.
    std::int64_t floor_ns = INT64_MIN;
  };
  void expire(std::int64_t now_ns);

  const std::size_t max_entries_;
  const std::int64_t window_ns_;
  mutable std::mutex mutex_;
  std::map<std::string, Window> windows_;  // by sender
};

}  // namespace nineteen::keys
