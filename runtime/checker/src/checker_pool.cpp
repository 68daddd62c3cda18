// Round-robin over checking servers, skipping the unreachable ones for a backoff.
#include "nineteen/checker/checker_pool.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "nineteen/checker/http_check_client.hpp"

namespace nineteen::checker {

CheckerPool::CheckerPool(std::vector<Member> members) : members_(std::move(members)), health_(members_.size()) {
  if (members_.empty()) throw std::invalid_argument("a checker pool needs at least one checker");
}

std::string CheckerPool::submit(const std::vector<CheckItem>& items) {
  size_t start;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    start = next_++ % members_.size();
  }
  std::string unreachable;
  std::optional<double> busy_for;
  // Two rounds: servers in backoff are tried only when every other one failed.
  for (int round = 0; round < 2; ++round) {
    for (size_t k = 0; k < members_.size(); ++k) {
      const size_t i = (start + k) % members_.size();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        const bool resting = Clock::now() < health_[i].retry_at;
        if ((round == 0) == resting) continue;
      }
      try {
        std::string id = members_[i].service->submit(items);
        std::lock_guard<std::mutex> lock(mutex_);
        health_[i] = Health{};
        return std::to_string(i) + ":" + id;
      } catch (const CheckerBusy& e) {
        busy_for = std::min(busy_for.value_or(e.retry_after_s), e.retry_after_s);
      } catch (const BatchRejected&) {
        throw;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex_);
        Health& h = health_[i];
        h.backoff = std::min<std::chrono::milliseconds>(std::chrono::seconds(60),
                                                        h.backoff.count() ? h.backoff * 2 : std::chrono::seconds(1));
        h.retry_at = Clock::now() + h.backoff;
        spdlog::warn("checker {} is down ({}); skipping it for {} s", members_[i].name, e.what(), h.backoff.count() / 1000.0);
        unreachable += (unreachable.empty() ? "" : "; ") + members_[i].name + ": " + e.what();
      }
    }
    if (busy_for) break;  // someone is up: wait for it rather than knock on the resting ones
  }
  if (busy_for) {
    CheckerBusy busy("every checker that is up is busy");
    busy.retry_after_s = *busy_for;
    throw busy;
  }
  throw std::runtime_error("no checker could take the batch: " + unreachable);
}

JobStatus CheckerPool::poll(const std::string& job_id) {
  const size_t colon = job_id.find(':');
  size_t index = 0;
  try {
    index = colon == std::string::npos ? members_.size() : std::stoul(job_id.substr(0, colon));
  } catch (const std::exception&) {
    index = members_.size();
  }
  if (index >= members_.size()) {
    JobStatus unknown;
    unknown.error = "job id \"" + job_id + "\" names no checker of this pool";
    return unknown;
  }
  return members_[index].service->poll(job_id.substr(colon + 1));
}

std::unique_ptr<CheckService> make_http_checkers(const std::vector<std::string>& base_urls) {
  if (base_urls.size() == 1) return make_http_checker(base_urls.front());
  std::vector<CheckerPool::Member> members;
  for (const std::string& url : base_urls) members.push_back({url, make_http_checker(url)});
  return std::make_unique<CheckerPool>(std::move(members));
}

}  // namespace nineteen::checker
