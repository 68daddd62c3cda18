// The plain rows a validator keeps: nodes, periods, contenders, history, answers, weights, API keys.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/scoring/outcome_counts.hpp"
#include "nineteen/scoring/task_scores.hpp"

namespace nineteen::store {

using TimePoint = std::chrono::system_clock::time_point;

// One node of the metagraph as last read from the chain.
struct NodeRecord {
  std::uint16_t uid = 0;
  std::string hotkey;   // SS58
  std::string coldkey;  // SS58
  double stake = 0;
  std::string role;  // "validator" or "miner"
  std::string ip;
  std::uint16_t port = 0;
  std::uint64_t last_update = 0;  // block
};

// A scoring period (MECHANISM.md §3).
struct PeriodRecord {
  std::int64_t id = 0;
  TimePoint starts_at;
  TimePoint ends_at;
  bool closed = false;  // its scores were moved to history
};

// A contender (miner, task) in one period, with its counters so far (MECHANISM.md §2, §4).
struct PeriodContender {
  std::int64_t period_id = 0;
  std::string miner_hotkey;
  std::uint16_t uid = 0;
  std::string task;
  double declared_capacity = 0;  // as the miner said
  double capacity = 0;           // clamped to the task's max_capacity
  double capacity_to_score = 0;  // the share tested synthetically this period
  scoring::OutcomeCounts counts;
};

// One contender's result for one closed period (MECHANISM.md §5); the history P_h is folded from.
struct PeriodScoreRecord {
  std::string miner_hotkey;
  std::uint16_t uid = 0;
  std::string task;
  std::int64_t period_id = 0;
  std::optional<double> score;  // nullopt: no score this period (T = 0 or capacity 0), which is not 0
  double consumed_volume = 0;   // V
  double tested_volume = 0;     // the synthetic volume aimed at (capacity_to_score)
};

// A successful answer kept until the checker has scored it.
struct KeptAnswer {
  std::int64_t id = 0;  // given by the store
  std::string task;
  std::string miner_hotkey;
  std::uint16_t uid = 0;
  std::string request;   // JSON as sent
  std::string response;  // JSON as received (a stream's chunks, joined by the caller)
  bool synthetic = true;
  double work = 0;
  double response_time_s = 0;
  TimePoint received_at;
};

struct KeepResult {
  std::int64_t id = 0;
  std::size_t dropped = 0;  // answers of the same task recorded as unchecked to stay within the quota
};

// What became of one contender's answers (issue 22: nothing is dropped without a record).
struct AnswerTally {
  std::string task;
  std::string miner_hotkey;
  std::uint64_t checked = 0;    // checked since the given time
  std::uint64_t unchecked = 0;  // recorded as unchecked since then (over the quota, not sampled, ...)
  std::uint64_t pending = 0;    // kept now, waiting for a checker
  std::uint64_t organic_checked = 0;
  std::uint64_t kept() const { return checked + unchecked + pending; }
};

// An answer the checker scored (MECHANISM.md §6).
struct CheckedAnswerRecord {
  std::int64_t id = 0;
  std::string task;
  std::string miner_hotkey;
  std::uint16_t uid = 0;
  double quality = 0;  // negative is a penalty
  std::string reason;
  double work = 0;
  double response_time_s = 0;
  bool synthetic = true;
  TimePoint checked_at;
};

// Every figure behind one miner's weight in one task at one weight setting (MECHANISM.md §7).
struct WeightBreakdownRecord {
  std::string miner_hotkey;
  std::string task;
  double task_weight = 0;  // w_t, normalised
  scoring::ContenderBreakdown figures;
  double total_score = 0;   // S_h over all tasks
  double final_weight = 0;  // W_h
};

// A vector sent to the chain and what the chain said (MECHANISM.md §8).
struct WeightSubmissionRecord {
  std::int64_t id = 0;
  std::optional<std::int64_t> weight_setting_id;  // the breakdown it came from
  TimePoint submitted_at;
  std::vector<std::uint16_t> uids;
  std::vector<std::uint16_t> values;
  std::uint64_t block = 0;
  std::uint64_t version_key = 0;
  bool accepted = false;
  std::string result;  // the chain's answer or the refusal's reason
};

// A gateway API key. Only a hash of the key is kept.
struct ApiKeyRecord {
  std::int64_t id = 0;
  std::string key_hash;
  std::string name;
  double requests_per_minute = 0;  // 0 = no limit
  double work_per_day = 0;         // 0 = no limit
  double work_per_minute = 0;      // tokens (the task's work) per minute, a token bucket; 0 = no limit
  TimePoint created_at;
  std::optional<TimePoint> revoked_at;
};

// Use of one key for one task on one UTC day.
struct ApiKeyUsage {
  std::int64_t key_id = 0;
  std::string task;
  std::string day;  // "2025-01-31"
  std::uint64_t requests = 0;
  double work = 0;
};

}  // namespace nineteen::store
