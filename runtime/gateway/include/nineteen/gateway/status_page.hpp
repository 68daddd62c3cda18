// The gateway's status pages: GET / (contenders of each task, charts of their weight, period score,
// error rate and answer time over the last weight settings and periods, the last weight setting and
// what the chain said), GET /miner?hotkey=… (one miner's weight explained step by step, MECHANISM.md
// §7) and GET /status.json (the same facts for `nineteen status`). Plain HTML with inline SVG and CSS;
// every text from outside is escaped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/chain/consensus_view.hpp"
#include "nineteen/gateway/gateway_metrics.hpp"
#include "nineteen/net/status_report.hpp"
#include "nineteen/store/store_records.hpp"
#include "nineteen/validator/organic_routing.hpp"

namespace nineteen::store {
class ValidatorStore;
}

namespace nineteen::gateway {

struct WeightSettingRows {
  std::int64_t id = 0;
  std::vector<store::WeightBreakdownRecord> rows;
};

struct PeriodCounts {
  std::int64_t period_id = 0;
  std::vector<store::PeriodContender> contenders;
};

// The time checked answers of one contender took (MECHANISM.md §7's response_time).
struct AnswerTimes {
  std::string task;
  std::string miner_hotkey;
  std::uint16_t uid = 0;
  std::size_t answers = 0;
  double p50_s = 0, p99_s = 0;
};

// The chain's last epoch as every validator sees it (runtime/chain's reader, shared with the devnet):
// each validator's weights beside the consensus, and the task votes with the effective task weights.
using ConsensusView = chain::ConsensusView;
using chain::read_consensus_view;

struct StatusPageData {
  std::vector<validator::OrganicTask> tasks;
  std::vector<validator::ContenderStatus> contenders;
  std::optional<std::int64_t> weight_setting_id;
  std::vector<store::WeightBreakdownRecord> weights;  // of weight_setting_id
  std::string weights_error;                          // why the store could not be read, if so
  std::vector<WeightSettingRows> weight_history;      // oldest first, the last setting included
  std::optional<store::WeightSubmissionRecord> last_submission;
  std::vector<PeriodCounts> recent_periods;  // oldest first, the open one last
  std::vector<AnswerTimes> answer_times;
  std::vector<OrganicSummary> organic;  // the gateway's own counters since it started
  std::optional<ConsensusView> consensus;  // when the gateway knows its chain
};

// How many weight settings and periods the charts show.
constexpr std::size_t kStatusHistory = 24;

// Reads the page's facts; a store failure is put in weights_error, never thrown.
StatusPageData read_status_page_data(store::ValidatorStore& store, validator::OrganicRouting& routing,
                                     std::size_t history = kStatusHistory);

std::string render_status_page(const StatusPageData& data);
net::StatusReport status_report(const StatusPageData& data);

// One miner's page. nullopt when the hotkey is not a contender nor in any stored weight setting:
// the caller answers 404 with render_message_page.
struct MinerPageData {
  std::string miner_hotkey;
  std::vector<WeightSettingRows> weight_history;                        // every task's rows, oldest first
  std::vector<store::WeightBreakdownRecord> last_setting_all_miners;  // for Σ E³ and Σ S
  std::vector<store::PeriodScoreRecord> period_scores;                 // newest first, every task
  std::vector<validator::ContenderStatus> now;                         // its contenders this period
  std::optional<store::WeightSubmissionRecord> last_submission;       // its u16 value on the chain
};
std::optional<MinerPageData> read_miner_page_data(store::ValidatorStore& store, validator::OrganicRouting& routing,
                                                  const std::string& miner_hotkey,
                                                  std::size_t history = kStatusHistory);
std::string render_miner_page(const MinerPageData& data);
// A page that only says something: "Not found" and why, or why the store could not be read.
std::string render_message_page(const std::string& heading, const std::string& text);

// &, <, >, " and ' as entities.
std::string html_escape(const std::string& text);

}  // namespace nineteen::gateway
