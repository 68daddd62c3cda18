// What a validator must not lose, behind an interface so that PostgreSQL can replace SQLite later.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/scoring/outcome_counts.hpp"
#include "nineteen/scoring/period_history.hpp"
#include "nineteen/scoring/task_scores.hpp"
#include "nineteen/store/store_records.hpp"

namespace nineteen::store {

// Every method is thread-safe and every write is one transaction: it happens whole or not at all.
// Writes validate their input first (non-finite numbers, empty names, mismatched vectors) and
// throw std::invalid_argument naming the field, so bad data never reaches the file. Storage
// failures throw StoreError naming the file.
class ValidatorStore {
 public:
  virtual ~ValidatorStore() = default;

  // --- metagraph snapshot
  // Replaces the stored metagraph with `nodes`.
  virtual void replace_nodes(const std::vector<NodeRecord>& nodes) = 0;
  virtual std::vector<NodeRecord> nodes() = 0;

  // --- periods and contenders
  virtual std::int64_t start_period(TimePoint starts_at, TimePoint ends_at) = 0;
  // The newest period not yet closed: where a restarted validator resumes.
  virtual std::optional<PeriodRecord> open_period() = 0;
  virtual std::optional<PeriodRecord> period(std::int64_t period_id) = 0;
  // Adds or replaces contenders of their period (keyed by period, miner hotkey and task); counters
  // are taken as given. The period must exist.
  virtual void put_contenders(const std::vector<PeriodContender>& contenders) = 0;
  virtual std::vector<PeriodContender> contenders(std::int64_t period_id) = 0;
  // Adds one request's outcome to a contender's counters (MECHANISM.md §4). Returns false when no
  // such contender exists in that period (nothing is written).
  virtual bool record_outcome(std::int64_t period_id, const std::string& miner_hotkey, const std::string& task,
                              scoring::Outcome outcome, double work) = 0;
  // Marks the period closed and stores its scores in history, together. Throws StoreError when the
  // period does not exist or is already closed.
  virtual void close_period(std::int64_t period_id, const std::vector<PeriodScoreRecord>& scores) = 0;

  // --- history
  // The last `max_periods` results of one contender, newest first, unscored periods included.
  virtual std::vector<PeriodScoreRecord> period_scores(const std::string& task, const std::string& miner_hotkey,
                                                       std::size_t max_periods) = 0;
  // The same, scored periods only, as the scoring library takes them (MECHANISM.md §7), each weighted
  // by its tested volume (consumed volume when none was recorded), so a period of total failure counts.
  virtual std::vector<scoring::ScoredPeriod> scored_periods(const std::string& task, const std::string& miner_hotkey,
                                                            std::size_t max_periods) = 0;

  // --- answers kept for checking
  // Keeps `answer`; then, beyond `quota_per_task` (≥ 1) answers of its task, records the oldest
  // synthetic ones (then the oldest organic ones) as unchecked: nothing leaves without a record.
  virtual KeepResult keep_answer(const KeptAnswer& answer, std::size_t quota_per_task) = 0;
  // Records an answer that will not be checked (e.g. not sampled by the check budget), with why.
  virtual void add_unchecked_answer(const KeptAnswer& answer, const std::string& reason, TimePoint at) = 0;
  // Moves a kept answer to the unchecked answers with why; false when it is gone already.
  virtual bool record_unchecked(std::int64_t kept_answer_id, const std::string& reason, TimePoint at) = 0;
  // The next answers to check: organic ones first, then each miner's in random order, miners taking
  // turns, so no miner's answers wait behind another's. Every task when `task` is empty.
  virtual std::vector<KeptAnswer> next_answers_to_check(const std::string& task, std::size_t limit) = 0;
  // Per task and miner: checked and unchecked since `since`, and pending now.
  virtual std::vector<AnswerTally> answer_tallies(TimePoint since) = 0;
  // Oldest first; every task when `task` is empty.
  virtual std::vector<KeptAnswer> answers_to_check(const std::string& task, std::size_t limit) = 0;
  virtual std::size_t kept_answer_count(const std::string& task) = 0;
  // Moves a kept answer to the checked answers with its quality. Returns false when the kept answer
  // is gone (dropped by the quota, or recorded already); nothing is written then.
  virtual bool record_check(std::int64_t kept_answer_id, double quality, const std::string& reason,
                            TimePoint checked_at) = 0;
  // Drops a kept answer that cannot be checked (e.g. its task is no longer served).
  virtual bool drop_kept_answer(std::int64_t kept_answer_id) = 0;

  // --- checked answers
  virtual std::int64_t add_checked_answer(const CheckedAnswerRecord& answer) = 0;
  // Answers of `task` checked in [since, until], oldest first.
  virtual std::vector<CheckedAnswerRecord> checked_answers(const std::string& task, TimePoint since,
                                                           TimePoint until) = 0;
  // The checked answers of `task` in the `window` before `now` (72 h by MECHANISM.md §7), grouped
  // by miner hotkey, in the scoring library's form.
  virtual std::map<std::string, std::vector<scoring::CheckedAnswer>> checked_answers_for_scoring(
      const std::string& task, TimePoint now, std::chrono::seconds window = std::chrono::hours(72)) = 0;
  // Deletes checked answers older than `before`; returns how many.
  virtual std::size_t prune_checked_answers(TimePoint before) = 0;

  // --- weights
  // Stores one weight setting's breakdown rows; returns its id.
  virtual std::int64_t record_weight_setting(TimePoint at, const std::vector<WeightBreakdownRecord>& rows) = 0;
  virtual std::vector<WeightBreakdownRecord> weight_breakdowns(std::int64_t weight_setting_id) = 0;
  virtual std::optional<std::int64_t> latest_weight_setting() = 0;
  virtual std::int64_t record_weight_submission(const WeightSubmissionRecord& submission) = 0;
  // Newest first.
  virtual std::vector<WeightSubmissionRecord> weight_submissions(std::size_t limit) = 0;

  // --- gateway API keys
  // Returns the new key's id. Throws StoreError when the hash is already stored.
  virtual std::int64_t add_api_key(const ApiKeyRecord& key) = 0;
  virtual std::optional<ApiKeyRecord> api_key_by_hash(const std::string& key_hash) = 0;
  virtual std::vector<ApiKeyRecord> api_keys() = 0;
  // Returns false when no such key, or it was revoked already.
  virtual bool revoke_api_key(std::int64_t key_id, TimePoint at) = 0;
  // Adds to the (key, task, day) counters. The key must exist.
  virtual void add_api_key_usage(std::int64_t key_id, const std::string& task, const std::string& day,
                                 std::uint64_t requests, double work) = 0;
  virtual std::vector<ApiKeyUsage> api_key_usage(std::int64_t key_id, const std::string& day) = 0;
};

}  // namespace nineteen::store
