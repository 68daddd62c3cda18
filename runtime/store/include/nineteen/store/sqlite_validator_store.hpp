// The validator store in one SQLite file (WAL), its schema and migrations.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nineteen/store/schema_migrations.hpp"
#include "nineteen/store/sqlite_database.hpp"
#include "nineteen/store/validator_store.hpp"

namespace nineteen::store {

// The validator store's migrations, oldest first: 1 = the validator's tables, 2 = gateway API keys.
const std::vector<Migration>& validator_store_migrations();

class SqliteValidatorStore : public ValidatorStore {
 public:
  // Opens or creates `path` and migrates it to the latest schema. Throws StoreError naming the file
  // when it is not SQLite, is damaged, or has a newer schema than this build knows.
  explicit SqliteValidatorStore(const std::string& path, const SqliteOptions& options = {});

  int schema_version();
  const std::string& path() const { return db_.path(); }

  void replace_nodes(const std::vector<NodeRecord>& nodes) override;
  std::vector<NodeRecord> nodes() override;

  std::int64_t start_period(TimePoint starts_at, TimePoint ends_at) override;
  std::optional<PeriodRecord> open_period() override;
  std::optional<PeriodRecord> period(std::int64_t period_id) override;
  void put_contenders(const std::vector<PeriodContender>& contenders) override;
  std::vector<PeriodContender> contenders(std::int64_t period_id) override;
  bool record_outcome(std::int64_t period_id, const std::string& miner_hotkey, const std::string& task,
                      scoring::Outcome outcome, double work) override;
  void close_period(std::int64_t period_id, const std::vector<PeriodScoreRecord>& scores) override;

  std::vector<PeriodScoreRecord> period_scores(const std::string& task, const std::string& miner_hotkey,
                                               std::size_t max_periods) override;
  std::vector<scoring::ScoredPeriod> scored_periods(const std::string& task, const std::string& miner_hotkey,
                                                    std::size_t max_periods) override;

  KeepResult keep_answer(const KeptAnswer& answer, std::size_t quota_per_task) override;
  std::vector<KeptAnswer> answers_to_check(const std::string& task, std::size_t limit) override;
  std::size_t kept_answer_count(const std::string& task) override;
  bool record_check(std::int64_t kept_answer_id, double quality, const std::string& reason,
                    TimePoint checked_at) override;
  bool drop_kept_answer(std::int64_t kept_answer_id) override;
  void add_unchecked_answer(const KeptAnswer& answer, const std::string& reason, TimePoint at) override;
  bool record_unchecked(std::int64_t kept_answer_id, const std::string& reason, TimePoint at) override;
  std::vector<KeptAnswer> next_answers_to_check(const std::string& task, std::size_t limit) override;
  std::vector<AnswerTally> answer_tallies(TimePoint since) override;

  std::int64_t add_checked_answer(const CheckedAnswerRecord& answer) override;
  std::vector<CheckedAnswerRecord> checked_answers(const std::string& task, TimePoint since,
                                                   TimePoint until) override;
  std::map<std::string, std::vector<scoring::CheckedAnswer>> checked_answers_for_scoring(
      const std::string& task, TimePoint now, std::chrono::seconds window = std::chrono::hours(72)) override;
  std::size_t prune_checked_answers(TimePoint before) override;

  std::int64_t record_weight_setting(TimePoint at, const std::vector<WeightBreakdownRecord>& rows) override;
  std::vector<WeightBreakdownRecord> weight_breakdowns(std::int64_t weight_setting_id) override;
  std::optional<std::int64_t> latest_weight_setting() override;
  std::int64_t record_weight_submission(const WeightSubmissionRecord& submission) override;
  std::vector<WeightSubmissionRecord> weight_submissions(std::size_t limit) override;

  std::int64_t add_api_key(const ApiKeyRecord& key) override;
  std::optional<ApiKeyRecord> api_key_by_hash(const std::string& key_hash) override;
  std::vector<ApiKeyRecord> api_keys() override;
  bool revoke_api_key(std::int64_t key_id, TimePoint at) override;
  void add_api_key_usage(std::int64_t key_id, const std::string& task, const std::string& day,
                         std::uint64_t requests, double work) override;
  std::vector<ApiKeyUsage> api_key_usage(std::int64_t key_id, const std::string& day) override;

 private:
  bool move_to_unchecked(std::int64_t kept_answer_id, const std::string& reason, TimePoint at);

  std::mutex mutex_;  // one connection, shared by the validator's threads
  SqliteDatabase db_;
};

}  // namespace nineteen::store
