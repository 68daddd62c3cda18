// The miner's own page (GET / and GET /status.json, loopback only by default): its tasks, what each
// validator asked of it against the capacity it declared to that validator, 429s, errors, answer
// times, and the weight each validator gives it on the chain.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/net/status_report.hpp"

namespace nineteen::miner {

// One (validator, task) pair's requests since the miner started.
struct ValidatorTraffic {
  std::string validator_hotkey;  // "-" for unsigned requests
  std::string task;
  std::uint64_t requests = 0, answered = 0, rate_limited = 0, errors = 0;
  double work = 0;            // served in answered requests (since start: the miner knows no periods)
  double declared = 0;        // the capacity per period the miner declares to this validator now
  double p50_s = 0, p99_s = 0;  // over the last answered requests
};

// Counts requests per validator and task. Thread-safe.
class ValidatorTrafficLog {
 public:
  void record(const std::string& validator_hotkey, const std::string& task, int status, double seconds, double work);
  std::vector<ValidatorTraffic> snapshot() const;

 private:
  static constexpr std::size_t kKeptTimes = 512;  // answer times kept per pair for the percentiles
  struct Pair {
    ValidatorTraffic counts;
    std::deque<double> times;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Pair> pairs_;
};

struct ServedTaskStatus {
  std::string name, endpoint;
  std::size_t concurrency = 0, in_flight = 0;
  double capacity = 0;  // per period, over all validators
  bool upstream = false;
};

// The weight one validator set on the chain, as this miner's share of it.
struct ChainWeightFromValidator {
  std::string validator_hotkey;
  std::uint16_t validator_uid = 0;
  double stake = 0;
  std::optional<std::uint16_t> value;  // this miner's u16 in the validator's last vector; nullopt: absent
  std::uint16_t max_value = 0;         // the vector's largest
  std::uint64_t block = 0;
};

struct MinerStatusData {
  std::string hotkey;
  std::vector<ServedTaskStatus> tasks;
  std::vector<ValidatorTraffic> traffic;
  std::optional<std::uint16_t> uid;  // on the chain
  std::vector<ChainWeightFromValidator> chain_weights;
  std::string chain_note;  // why the chain's weights are not shown, when they are not
};

net::StatusReport miner_status_report(const MinerStatusData& data);
std::string render_miner_status_page(const MinerStatusData& data);
// 127.0.0.0/8 and ::1 (with or without a port, IPv4-mapped too).
bool is_loopback_address(const std::string& remote_address);

}  // namespace nineteen::miner
