// The gateway's status page: plain HTML (no script, no external asset) with the contenders of each
// task and the last weight setting's breakdown. Every text from outside is escaped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nineteen/store/store_records.hpp"
#include "nineteen/validator/organic_routing.hpp"

namespace nineteen::gateway {

struct StatusPageData {
  std::vector<validator::OrganicTask> tasks;
  std::vector<validator::ContenderStatus> contenders;
  std::optional<std::int64_t> weight_setting_id;
  std::vector<store::WeightBreakdownRecord> weights;
  std::string weights_error;  // why the weights could not be read, if so
};

std::string render_status_page(const StatusPageData& data);
// &, <, >, " and ' as entities.
std::string html_escape(const std::string& text);

}  // namespace nineteen::gateway
