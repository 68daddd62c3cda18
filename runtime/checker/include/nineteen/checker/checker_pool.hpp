// Several checking servers as one CheckService (`checker = ["http://a", "http://b"]`): batches go
// round-robin to the servers that are up; one that cannot be reached is skipped and tried again
// after a backoff (1 s, doubling to 60 s), so a validator that outgrows one checking machine adds
// another, and one machine down costs nothing but its share.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nineteen/checker/check_service.hpp"

namespace nineteen::checker {

class CheckerPool : public CheckService {
 public:
  struct Member {
    std::string name;  // for messages, e.g. the URL
    std::unique_ptr<CheckService> service;
  };
  explicit CheckerPool(std::vector<Member> members);

  // Throws CheckerBusy when every server that is up is busy, std::runtime_error naming each server
  // when none can be reached, BatchRejected as the server said.
  std::string submit(const std::vector<CheckItem>& items) override;
  // Job ids are "<member index>:<the member's id>".
  JobStatus poll(const std::string& job_id) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Health {
    Clock::time_point retry_at{};
    std::chrono::milliseconds backoff{0};
  };
  std::vector<Member> members_;
  std::mutex mutex_;
  std::vector<Health> health_;  // guarded by mutex_
  size_t next_ = 0;             // guarded by mutex_
};

// One URL: the plain HTTP client; several: a pool of them.
std::unique_ptr<CheckService> make_http_checkers(const std::vector<std::string>& base_urls);

}  // namespace nineteen::checker
