// API key admission: lookup (cached briefly), revocation, request rate and daily work limits.
#include "nineteen/gateway/api_key_gate.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "nineteen/gateway/api_key_text.hpp"
#include "nineteen/store/validator_store.hpp"

namespace nineteen::gateway {
namespace {

constexpr size_t kMaxCachedKeys = 4096;  // bounds memory when someone sprays made-up keys

std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

ApiKeyGate::ApiKeyGate(std::shared_ptr<store::ValidatorStore> store, KeyUsageLedger& ledger,
                       std::chrono::milliseconds cache_for)
    : store_(std::move(store)), ledger_(ledger), cache_for_(cache_for) {}

std::optional<store::ApiKeyRecord> ApiKeyGate::lookup(const std::string& hash, std::chrono::steady_clock::time_point now) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.read_at < cache_for_) return it->second.record;
  }
  std::optional<store::ApiKeyRecord> record = store_->api_key_by_hash(hash);
  std::lock_guard<std::mutex> lock(mutex_);
  if (cache_for_.count() > 0) {
    if (cache_.size() >= kMaxCachedKeys) {
      for (auto it = cache_.begin(); it != cache_.end();) {
        it = now - it->second.read_at >= cache_for_ ? cache_.erase(it) : std::next(it);
      }
      if (cache_.size() >= kMaxCachedKeys) cache_.clear();
    }
    cache_[hash] = CachedKey{record, now};
  }
  return record;
}

void ApiKeyGate::charge_work(const store::ApiKeyRecord& key, double work) {
  if (!(key.work_per_minute > 0) || !(work > 0)) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = work_buckets_.find(key.id);
  if (it == work_buckets_.end()) it = work_buckets_.emplace(key.id, RequestRateBucket(key.work_per_minute, now)).first;
  it->second.charge(now, work);
}

Admission ApiKeyGate::admit(const std::optional<std::string>& authorization) {
  Admission a;
  if (!authorization) {
    a.status = 401;
    a.code = "missing_api_key";
    a.message = "no API key: send the header \"Authorization: Bearer nt-...\" with a key from `nineteen apikey create`";
    return a;
  }
  std::optional<std::string> token = bearer_token(*authorization);
  if (!token) {
    a.status = 401;
    a.code = "invalid_api_key";
    a.message = "the Authorization header is not \"Bearer <key>\"";
    return a;
  }
  auto now = std::chrono::steady_clock::now();
  a.key = lookup(api_key_hash(*token), now);
  if (!a.key) {
    a.status = 401;
    a.code = "invalid_api_key";
    a.message = "unknown API key (keys look like nt- and 32 hex digits; `nineteen apikey list` shows the stored ones)";
    return a;
  }
  if (a.key->revoked_at) {
    a.status = 401;
    a.code = "revoked_api_key";
    a.message = "API key \"" + a.key->name + "\" was revoked; ask for a new one";
    return a;
  }
  if (a.key->work_per_day > 0) {
    auto wall = std::chrono::system_clock::now();
    double used = ledger_.work_on(a.key->id, utc_day(wall));
    a.limits.push_back(KeyLimitState{"work-per-day", a.key->work_per_day, std::max(0.0, a.key->work_per_day - used),
                                     seconds_to_utc_midnight(wall)});
    if (used >= a.key->work_per_day) {
      a.status = 429;
      a.code = "daily_work_exceeded";
      a.retry_after_s = seconds_to_utc_midnight(wall);
      a.message = "API key \"" + a.key->name + "\" used its work of " + number(a.key->work_per_day) +
                  " for today (UTC); it renews at midnight UTC";
      return a;
    }
  }
  if (a.key->work_per_minute > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = work_buckets_.find(a.key->id);
    KeyLimitState tokens{"tokens", a.key->work_per_minute, a.key->work_per_minute, 0};  // no answer charged yet: full
    if (it != work_buckets_.end()) {
      if (it->second.per_minute() != a.key->work_per_minute) it->second.set_rate(a.key->work_per_minute, now);
      tokens.remaining = std::max(0.0, it->second.available(now));
      tokens.reset_s = it->second.seconds_until(now, a.key->work_per_minute);
    }
    a.limits.push_back(tokens);
    if (it != work_buckets_.end() && !it->second.take(now, 0)) {  // in debt from earlier answers
      a.status = 429;
      a.code = "work_rate_exceeded";
      a.retry_after_s = std::max(1.0, std::ceil(it->second.seconds_until(now, 0)));
      a.message = "API key \"" + a.key->name + "\" is over its limit of " + number(a.key->work_per_minute) +
                  " work (tokens) per minute; retry after " + number(a.retry_after_s) + " s";
      return a;
    }
  }
  if (a.key->requests_per_minute > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = buckets_.find(a.key->id);
    if (it == buckets_.end()) {
      it = buckets_.emplace(a.key->id, RequestRateBucket(a.key->requests_per_minute, now)).first;
    } else if (it->second.per_minute() != a.key->requests_per_minute) {
      it->second.set_rate(a.key->requests_per_minute, now);
    }
    const bool taken = it->second.take(now);
    a.limits.push_back(KeyLimitState{"requests", a.key->requests_per_minute, std::max(0.0, it->second.available(now)),
                                     it->second.seconds_until(now, a.key->requests_per_minute)});
    if (!taken) {
      a.status = 429;
      a.code = "rate_limit_exceeded";
      a.retry_after_s = std::max(1.0, std::ceil(it->second.seconds_until(now)));
      a.message = "API key \"" + a.key->name + "\" is over its limit of " + number(a.key->requests_per_minute) +
                  " requests per minute; retry after " + number(a.retry_after_s) + " s";
      return a;
    }
  }
  return a;
}

}  // namespace nineteen::gateway
