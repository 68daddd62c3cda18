// Admits a request by its API key: known and not revoked (401), under its requests-per-minute bucket
// and its daily work (429 with Retry-After). Keys are read from the store and trusted for a short while.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/gateway/key_usage_ledger.hpp"
#include "nineteen/gateway/request_rate_bucket.hpp"
#include "nineteen/store/store_records.hpp"

namespace nineteen::gateway {

// Where one of a key's limits stands after this request was admitted (or refused), for the
// x-ratelimit-* headers. `name`: "requests" (per minute), "tokens" (work per minute) or
// "work-per-day".
struct KeyLimitState {
  std::string name;
  double limit = 0;
  double remaining = 0;
  double reset_s = 0;  // until the limit is whole again
};

struct Admission {
  int status = 200;  // 200 admitted; else 401 or 429
  std::string message;
  std::string code;
  double retry_after_s = 0;            // for a 429
  std::optional<store::ApiKeyRecord> key;  // set when the key is known (even when refused for a limit)
  std::vector<KeyLimitState> limits;       // the key's limits that were read, in the order checked
};

class ApiKeyGate {
 public:
  ApiKeyGate(std::shared_ptr<store::ValidatorStore> store, KeyUsageLedger& ledger, std::chrono::milliseconds cache_for);

  // `authorization`: the Authorization header, if any. Takes one request from the key's bucket.
  Admission admit(const std::optional<std::string>& authorization);
  // Charges an answer's work to the key's work-per-minute bucket (after the answer: its size is not
  // known before). A key in debt is refused until the bucket refills.
  void charge_work(const store::ApiKeyRecord& key, double work);

 private:
  struct CachedKey {
    std::optional<store::ApiKeyRecord> record;  // nullopt: not in the store
    std::chrono::steady_clock::time_point read_at;
  };
  std::optional<store::ApiKeyRecord> lookup(const std::string& hash, std::chrono::steady_clock::time_point now);

  std::shared_ptr<store::ValidatorStore> store_;
  KeyUsageLedger& ledger_;
  std::chrono::milliseconds cache_for_;
  std::mutex mutex_;
  std::map<std::string, CachedKey> cache_;                // hash → record
  std::map<std::int64_t, RequestRateBucket> buckets_;     // key id → requests per minute
  std::map<std::int64_t, RequestRateBucket> work_buckets_;  // key id → work (tokens) per minute
};

}  // namespace nineteen::gateway
