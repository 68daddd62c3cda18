// Renders the gateway's status pages as self-contained HTML (inline CSS and SVG) and as a status
// report for /status.json, from the same figures.
#include "nineteen/gateway/status_page.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "nineteen/net/svg_chart.hpp"

namespace nineteen::gateway {
namespace {

using net::StatusTable;

// The most miners a chart draws (the highest weights): more lines than colours help nobody.
constexpr std::size_t kMaxChartSeries = 10;

std::string fixed(double v, int digits = 3) {
  if (!std::isfinite(v)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

std::string signed_fixed(double v, int digits = 3) { return (v >= 0 ? "+" : "") + fixed(v, digits); }

std::string utc_text(store::TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

// Hotkeys are SS58 (letters and digits): nothing to percent-encode. Anything else gets a link to the
// 404 page that says so, never a broken page.
std::string miner_link(const std::string& hotkey) { return "/miner?hotkey=" + hotkey; }

std::string series_label(std::uint16_t uid, const std::string& hotkey) {
  return "uid " + std::to_string(uid) + " " + net::short_hotkey(hotkey);
}

// The miners of `task` a chart shows: the highest weights at the last setting, then any contender.
std::vector<std::pair<std::string, std::uint16_t>> chart_miners(const StatusPageData& data, const std::string& task) {
  std::vector<std::pair<double, std::pair<std::string, std::uint16_t>>> ranked;
  std::set<std::string> seen;
  for (const auto& row : data.weights) {
    if (row.task == task && seen.insert(row.miner_hotkey).second) {
      ranked.push_back({row.final_weight, {row.miner_hotkey, row.figures.uid}});
    }
  }
  for (const auto& c : data.contenders) {
    if (c.task == task && seen.insert(c.miner_hotkey).second) ranked.push_back({-1, {c.miner_hotkey, c.uid}});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::pair<std::string, std::uint16_t>> out;
  for (const auto& r : ranked) {
    if (out.size() == kMaxChartSeries) break;
    out.push_back(r.second);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return out;
}

// One value per weight setting for each miner of `task`, from its breakdown row.
net::LineChart weight_history_chart(const std::vector<WeightSettingRows>& history, const std::string& task,
                                    const std::vector<std::pair<std::string, std::uint16_t>>& miners,
                                    const std::string& id, const std::string& title,
                                    double (*figure)(const store::WeightBreakdownRecord&)) {
  net::LineChart chart;
  chart.id = id;
  chart.title = title;
  for (const auto& setting : history) chart.x_labels.push_back("#" + std::to_string(setting.id));
  for (const auto& [hotkey, uid] : miners) {
    net::ChartSeries series{series_label(uid, hotkey), {}};
    for (const auto& setting : history) {
      std::optional<double> value;
      for (const auto& row : setting.rows) {
        if (row.task == task && row.miner_hotkey == hotkey) value = figure(row);
      }
      series.values.push_back(value);
    }
    chart.series.push_back(std::move(series));
  }
  return chart;
}

double final_weight_of(const store::WeightBreakdownRecord& r) { return r.final_weight; }
double period_history_of(const store::WeightBreakdownRecord& r) { return r.figures.period_history; }

net::LineChart error_rate_chart(const StatusPageData& data, const std::string& task,
                                const std::vector<std::pair<std::string, std::uint16_t>>& miners) {
  net::LineChart chart;
  chart.id = "error-rate";
  chart.title = "Failed share of requests per period";
  for (const auto& period : data.recent_periods) chart.x_labels.push_back("p" + std::to_string(period.period_id));
  for (const auto& [hotkey, uid] : miners) {
    net::ChartSeries series{series_label(uid, hotkey), {}};
    for (const auto& period : data.recent_periods) {
      std::optional<double> value;
      for (const auto& c : period.contenders) {
        if (c.task == task && c.miner_hotkey == hotkey && c.counts.total > 0) {
          value = static_cast<double>(c.counts.failed) / static_cast<double>(c.counts.total);
        }
      }
      series.values.push_back(value);
    }
    chart.series.push_back(std::move(series));
  }
  return chart;
}

net::BarChart answer_time_chart(const StatusPageData& data, const std::string& task,
                                const std::vector<std::pair<std::string, std::uint16_t>>& miners) {
  net::BarChart chart;
  chart.id = "latency";
  chart.title = "Answer time of checked answers, last 24 h (s)";
  chart.bar_names = {"p50", "p99"};
  for (const auto& [hotkey, uid] : miners) {
    for (const auto& t : data.answer_times) {
      if (t.task == task && t.miner_hotkey == hotkey) {
        chart.groups.push_back(net::ChartSeries{"uid " + std::to_string(uid), {t.p50_s, t.p99_s}});
      }
    }
  }
  return chart;
}

std::vector<net::StatusCell> contender_row(const validator::ContenderStatus& c, bool with_task) {
  std::vector<net::StatusCell> row;
  if (with_task) row.push_back(net::text_cell(c.task));
  const std::uint64_t kept = c.checked + c.unchecked + c.pending;
  for (auto cell : {net::number_cell(c.uid, 0), net::hotkey_cell(c.miner_hotkey, miner_link(c.miner_hotkey)),
                    net::number_cell(c.capacity, 1), net::number_cell(c.consumed, 1), net::number_cell(c.requests, 0),
                    net::number_cell(c.rate_limited, 0), net::number_cell(c.failed, 0),
                    net::number_cell(c.in_flight, 0), net::flag_cell(c.healthy), net::number_cell(c.checked, 0),
                    net::number_cell(kept, 0), net::number_cell(c.recent_quality), net::number_cell(c.period_score),
                    net::number_cell(c.speed_bonus), net::number_cell(c.weight, 5)}) {
    row.push_back(std::move(cell));
  }
  return row;
}

StatusTable contenders_table(const StatusPageData& data, const std::string* only_task) {
  StatusTable t{"contenders", "Contenders this period", {}, {}};
  if (!only_task) t.columns.push_back("task");
  for (const char* c : {"uid", "hotkey", "capacity", "consumed", "requests", "429", "500", "in flight", "healthy",
                        "checked", "kept", "quality", "period score", "speed bonus", "weight"}) {
    t.columns.push_back(c);
  }
  for (const auto& c : data.contenders) {
    if (!only_task || c.task == *only_task) t.rows.push_back(contender_row(c, !only_task));
  }
  return t;
}

StatusTable weights_table(const std::vector<store::WeightBreakdownRecord>& rows, const std::string& title) {
  StatusTable t{"weights", title,
                {"task", "task weight", "uid", "hotkey", "checked", "quality", "speed bonus", "combined quality",
                 "periods", "period score", "served", "capacity", "effective volume", "task share", "total score",
                 "weight"},
                {}};
  for (const auto& w : rows) {
    const scoring::ContenderBreakdown& f = w.figures;
    t.rows.push_back({net::text_cell(w.task), net::number_cell(w.task_weight), net::number_cell(f.uid, 0),
                      net::hotkey_cell(w.miner_hotkey, miner_link(w.miner_hotkey)),
                      net::number_cell(static_cast<double>(f.checked_answers), 0), net::number_cell(f.quality),
                      net::number_cell(f.speed_bonus), net::number_cell(f.combined_quality),
                      net::number_cell(static_cast<double>(f.scored_periods), 0), net::number_cell(f.period_history),
                      net::number_cell(f.served_share), net::number_cell(f.capacity, 1), net::number_cell(f.effective_volume, 1),
                      net::number_cell(f.task_score, 5), net::number_cell(w.total_score, 5),
                      net::number_cell(w.final_weight, 5)});
  }
  return t;
}

// Each validator's weight on each miner beside the chain's consensus and the incentive it gave.
StatusTable consensus_miners_table(const ConsensusView& view) {
  StatusTable t{"consensus", "Chain consensus, epoch at block " + std::to_string(view.epoch_block), {"uid", "miner"}, {}};
  for (const auto& v : view.validators) t.columns.push_back("v" + std::to_string(v.uid) + " weight");
  t.columns.insert(t.columns.end(), {"consensus", "incentive"});
  for (const auto& m : view.miners) {
    bool shown = m.incentive > 0;
    for (double w : m.weights) shown = shown || w > 0;
    if (!shown) continue;  // neither weighted nor paid: not part of the epoch
    std::vector<net::StatusCell> row = {net::number_cell(m.uid, 0), net::hotkey_cell(m.hotkey, miner_link(m.hotkey))};
    for (double w : m.weights) row.push_back(net::number_cell(w, 4));
    row.push_back(net::number_cell(m.consensus, 4));
    row.push_back(net::number_cell(m.incentive, 4));
    t.rows.push_back(std::move(row));
  }
  return t;
}

StatusTable consensus_validators_table(const ConsensusView& view) {
  StatusTable t{"consensus_validators", "Validators in the last epoch",
                {"uid", "validator", "stake share", "trust", "dividends"}, {}};
  for (const auto& v : view.validators) {
    t.rows.push_back({net::number_cell(v.uid, 0), net::hotkey_cell(v.hotkey), net::number_cell(v.stake_share, 4),
                      net::number_cell(v.trust, 4), net::number_cell(v.dividends, 4)});
  }
  return t;
}

// Each validator's published task vote beside the effective task weights (the stake-weighted median,
// clipped to the catalogue's bounds) that every validator scores with.
StatusTable task_weights_table(const ConsensusView& view) {
  StatusTable t{"task_weights", "Task weights: the validators' votes and the effective weights", {"task"}, {}};
  std::vector<const ConsensusView::Validator*> voters;
  for (const auto& v : view.validators) {
    if (!v.task_votes.empty()) voters.push_back(&v);
  }
  for (const auto* v : voters) t.columns.push_back("v" + std::to_string(v->uid) + " vote");
  t.columns.insert(t.columns.end(), {"median", "effective weight"});
  if (!view.task_weights) return t;
  for (const auto& [task, weight] : view.task_weights->weight) {
    std::vector<net::StatusCell> row = {net::text_cell(task)};
    for (const auto* v : voters) {
      auto it = v->task_votes.find(task);
      row.push_back(it == v->task_votes.end() ? net::text_cell("-") : net::number_cell(it->second, 4));
    }
    auto median = view.task_weights->median.find(task);
    row.push_back(median == view.task_weights->median.end() ? net::text_cell("-") : net::number_cell(median->second, 4));
    row.push_back(net::number_cell(weight, 4));
    t.rows.push_back(std::move(row));
  }
  return t;
}

StatusTable answer_times_table(const StatusPageData& data) {
  StatusTable t{"answer_times", "Answer time of checked answers, last 24 h",
                {"task", "uid", "hotkey", "answers", "p50 s", "p99 s"}, {}};
  for (const auto& a : data.answer_times) {
    t.rows.push_back({net::text_cell(a.task), net::number_cell(a.uid, 0),
                      net::hotkey_cell(a.miner_hotkey, miner_link(a.miner_hotkey)),
                      net::number_cell(static_cast<double>(a.answers), 0), net::number_cell(a.p50_s),
                      net::number_cell(a.p99_s)});
  }
  return t;
}

std::string chain_result_text(const store::WeightSubmissionRecord& s) {
  return (s.accepted ? "accepted at block " + std::to_string(s.block) : "refused: " + s.result) + ", " +
         std::to_string(s.uids.size()) + " uids, version key " + std::to_string(s.version_key) + ", " +
         utc_text(s.submitted_at);
}

// The facts at the top of the page and of the JSON.
std::vector<std::pair<std::string, std::string>> page_facts(const StatusPageData& data) {
  std::vector<std::pair<std::string, std::string>> facts;
  std::size_t enabled = data.tasks.size();
  facts.emplace_back("tasks", std::to_string(enabled));
  facts.emplace_back("contenders this period", std::to_string(data.contenders.size()));
  if (!data.weights_error.empty()) facts.emplace_back("store", "could not be read: " + data.weights_error);
  if (data.weight_setting_id) {
    std::set<std::string> miners;
    for (const auto& w : data.weights) miners.insert(w.miner_hotkey);
    facts.emplace_back("last weight setting", "#" + std::to_string(*data.weight_setting_id) + ", " +
                                                  std::to_string(data.weights.size()) + " rows, " +
                                                  std::to_string(miners.size()) + " miners");
  } else if (data.weights_error.empty()) {
    facts.emplace_back("last weight setting", "none yet");
  }
  facts.emplace_back("chain", data.last_submission ? chain_result_text(*data.last_submission) : "no weights sent yet");
  return facts;
}

std::string facts_html(const std::vector<std::pair<std::string, std::string>>& facts) {
  std::string out = "<dl class=\"facts\">";
  for (const auto& [name, value] : facts) out += "<dt>" + html_escape(name) + "</dt><dd>" + html_escape(value) + "</dd>";
  return out + "</dl>\n";
}

std::string nav_html() {
  return "<p><a href=\"/\">status</a> · <a href=\"/status.json\">status.json</a> · <a href=\"/metrics\">metrics</a> · "
         "<a href=\"/v1/models\">models</a></p>\n";
}

// The tasks to show: the catalogue's, plus any a contender or the last weights name.
std::vector<std::string> task_names(const StatusPageData& data) {
  std::vector<std::string> names;
  for (const auto& t : data.tasks) names.push_back(t.name);
  for (const auto& c : data.contenders) names.push_back(c.task);
  for (const auto& w : data.weights) names.push_back(w.task);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string bound_text(double seconds) {
  if (seconds < 0) return "-";
  if (!std::isfinite(seconds)) return "> " + fixed(GatewayMetrics::kBuckets.back(), 0) + " s";
  return "≤ " + fixed(seconds, seconds < 0.01 ? 4 : 3) + " s";
}

// One line on the task's organic traffic as the gateway itself counted it.
std::string organic_html(const StatusPageData& data, const std::string& task) {
  for (const OrganicSummary& o : data.organic) {
    if (o.task != task) continue;
    const double failed_share = o.requests ? static_cast<double>(o.failed) / static_cast<double>(o.requests) : 0;
    return "<p>Organic requests since the gateway started: " + std::to_string(o.requests) + " (" +
           std::to_string(o.answered) + " answered, " + std::to_string(o.refused) + " refused, " +
           std::to_string(o.failed) + " failed: " + fixed(100 * failed_share, 1) + "%); total time p50 " +
           html_escape(bound_text(o.p50_at_most_s)) + ", p99 " + html_escape(bound_text(o.p99_at_most_s)) + ".</p>\n";
  }
  return "<p>No organic request since the gateway started.</p>\n";
}

StatusTable organic_table(const StatusPageData& data) {
  StatusTable t{"organic", "Organic requests since the gateway started",
                {"task", "requests", "answered", "refused", "failed", "p50 s at most", "p99 s at most"}, {}};
  auto bound_cell = [](double s) { return s < 0 || !std::isfinite(s) ? net::text_cell(bound_text(s)) : net::number_cell(s, 4); };
  for (const OrganicSummary& o : data.organic) {
    t.rows.push_back({net::text_cell(o.task), net::number_cell(static_cast<double>(o.requests), 0),
                      net::number_cell(static_cast<double>(o.answered), 0),
                      net::number_cell(static_cast<double>(o.refused), 0),
                      net::number_cell(static_cast<double>(o.failed), 0), bound_cell(o.p50_at_most_s),
                      bound_cell(o.p99_at_most_s)});
  }
  return t;
}

// Whether any chart of `task` has something to draw.
bool has_history(const StatusPageData& data, const std::string& task) {
  for (const auto& setting : data.weight_history) {
    for (const auto& row : setting.rows) {
      if (row.task == task) return true;
    }
  }
  for (const auto& period : data.recent_periods) {
    for (const auto& c : period.contenders) {
      if (c.task == task && c.counts.total > 0) return true;
    }
  }
  for (const auto& t : data.answer_times) {
    if (t.task == task) return true;
  }
  return false;
}

}  // namespace

std::string html_escape(const std::string& text) { return net::html_escape(text); }

net::StatusReport status_report(const StatusPageData& data) {
  net::StatusReport report;
  report.kind = "gateway";
  report.title = "nineteen validator";
  report.facts = page_facts(data);
  report.tables.push_back(contenders_table(data, nullptr));
  std::string title = "Last weights";
  if (data.weight_setting_id) title += " (setting #" + std::to_string(*data.weight_setting_id) + ")";
  report.tables.push_back(weights_table(data.weights, title));
  report.tables.push_back(answer_times_table(data));
  report.tables.push_back(organic_table(data));
  if (data.consensus && data.consensus->error.empty()) {
    report.tables.push_back(consensus_miners_table(*data.consensus));
    report.tables.push_back(consensus_validators_table(*data.consensus));
    if (data.consensus->task_weights) report.tables.push_back(task_weights_table(*data.consensus));
  }
  return report;
}

std::string render_status_page(const StatusPageData& data) {
  std::string out = net::status_page_head("nineteen validator") + "<h1>nineteen validator</h1>\n" + nav_html() +
                    facts_html(page_facts(data));
  const std::vector<std::string> names = task_names(data);
  if (names.empty()) out += "<p>No task is enabled.</p>\n";
  for (const std::string& task : names) {
    std::string endpoint;
    for (const auto& t : data.tasks) {
      if (t.name == task) endpoint = t.endpoint + (t.stream ? ", streams" : "") + ", work in " + t.work_unit;
    }
    out += "<section class=\"task\"><h2>Task " + html_escape(task) +
           (endpoint.empty() ? "" : " <small>(" + html_escape(endpoint) + ")</small>") + "</h2>\n";
    out += organic_html(data, task);
    const auto miners = chart_miners(data, task);
    if (!has_history(data, task)) {
      out += "<p>No history yet: the charts appear after the first weight setting or closed period.</p>\n";
    } else {
      out += "<div class=\"charts\">" +
             net::render_line_chart(weight_history_chart(data.weight_history, task, miners, "weight",
                                                         "Weight per weight setting", final_weight_of)) +
             net::render_line_chart(weight_history_chart(data.weight_history, task, miners, "period-score",
                                                         "Period score P_h per weight setting", period_history_of)) +
             net::render_line_chart(error_rate_chart(data, task, miners)) +
             net::render_bar_chart(answer_time_chart(data, task, miners)) + "</div>\n";
    }
    StatusTable contenders = contenders_table(data, &task);
    out += contenders.rows.empty() ? "<p>No contender this period.</p>\n" : "<h3>Contenders this period</h3>\n" +
                                                                               net::render_table_html(contenders);
    out += "</section>\n";
  }

  if (data.consensus) {
    out += "<h2>Chain consensus</h2>\n";
    if (!data.consensus->error.empty()) {
      out += "<p class=\"bad\">The chain could not be read: " + html_escape(data.consensus->error) + "</p>\n";
    } else if (data.consensus->validators.empty()) {
      out += "<p>No validator has set weights on the chain yet.</p>\n";
    } else {
      out += "<p>The chain's epoch at block " + std::to_string(data.consensus->epoch_block) +
             ": each validator's weight on each miner as set on the chain, beside the consensus (the "
             "stake-weighted median) and the incentive the epoch gave; then each validator's trust (its "
             "weight that survived clipping at the consensus) and dividends.</p>\n" +
             net::render_table_html(consensus_miners_table(*data.consensus)) +
             net::render_table_html(consensus_validators_table(*data.consensus));
    }
    if (data.consensus->error.empty() && data.consensus->task_weights) {
      const auto& tw = *data.consensus->task_weights;
      out += "<h2>Task weights</h2>\n<p>" +
             (tw.from_votes
                  ? "Each validator's published task vote (a chain commitment), the stake-weighted median of the " +
                        std::to_string(tw.votes_counted) +
                        " votes, and the effective weight: the medians normalised and clipped to the catalogue's "
                        "bounds (weight_min, weight_max in tasks.toml). Validators score with the effective weights."
                  : std::string("No validator has published a task vote: the catalogue's own weights (tasks.toml), "
                                "clipped to its bounds.")) +
             "</p>\n" + net::render_table_html(task_weights_table(*data.consensus));
    }
  }

  out += "<h2>Last weights</h2>\n";
  if (!data.weights_error.empty()) {
    out += "<p class=\"bad\">The weights could not be read: " + html_escape(data.weights_error) + "</p>\n";
  } else if (!data.weight_setting_id) {
    out += "<p>No weights were set yet.</p>\n";
  } else {
    out += "<p>Weight setting " + std::to_string(*data.weight_setting_id) + ", " + std::to_string(data.weights.size()) +
           " rows. A hotkey opens its miner's page, which explains its weight step by step.</p>\n" +
           net::render_table_html(weights_table(data.weights, "Last weights"));
  }
  return out + net::status_page_end();
}

std::string render_message_page(const std::string& heading, const std::string& text) {
  return net::status_page_head(heading) + "<h1>" + html_escape(heading) + "</h1>\n<p>" + html_escape(text) + "</p>\n" +
         nav_html() + net::status_page_end();
}

std::string render_miner_page(const MinerPageData& data) {
  const std::string& hotkey = data.miner_hotkey;
  std::string out = net::status_page_head("miner " + net::short_hotkey(hotkey)) + "<h1>Miner " +
                    net::hotkey_html(hotkey) + "</h1>\n" + nav_html() + "<p>Hotkey <code>" + html_escape(hotkey) +
                    "</code></p>\n";

  if (!data.now.empty()) {
    StatusPageData now;
    now.contenders = data.now;
    out += "<h2>This period</h2>\n" + net::render_table_html(contenders_table(now, nullptr));
  }

  // Charts over the stored weight settings, one line per task.
  std::set<std::string> tasks;
  for (const auto& s : data.weight_history) {
    for (const auto& r : s.rows) tasks.insert(r.task);
  }
  if (!tasks.empty()) {
    net::LineChart weight{"weight", "Weight per weight setting", {}, {}, 3};
    net::LineChart period{"period-score", "Period score P_h per weight setting", {}, {}, 3};
    for (const auto& s : data.weight_history) {
      weight.x_labels.push_back("#" + std::to_string(s.id));
      period.x_labels.push_back("#" + std::to_string(s.id));
    }
    for (const std::string& task : tasks) {
      net::ChartSeries w{task, {}}, p{task, {}};
      for (const auto& s : data.weight_history) {
        std::optional<double> wv, pv;
        for (const auto& r : s.rows) {
          if (r.task == task) {
            wv = r.final_weight;
            pv = r.figures.period_history;
          }
        }
        w.values.push_back(wv);
        p.values.push_back(pv);
      }
      weight.series.push_back(std::move(w));
      period.series.push_back(std::move(p));
    }
    out += "<div class=\"charts\">" + net::render_line_chart(weight) + net::render_line_chart(period) + "</div>\n";
  }

  const std::vector<store::WeightBreakdownRecord>* last =
      data.weight_history.empty() ? nullptr : &data.weight_history.back().rows;
  if (!last || last->empty()) {
    out += "<p>This miner has no row in the last weight setting: it was not a contender then, or no weights were "
           "set yet.</p>\n";
    return out + net::status_page_end();
  }
  out += "<h2>Its weight at setting #" + std::to_string(data.weight_history.back().id) +
         ", step by step</h2>\n<p>MECHANISM.md §7: per task, from the stored figures.</p>\n";
  for (const store::WeightBreakdownRecord& row : *last) {
    const scoring::ContenderBreakdown& f = row.figures;
    double sum_cubes = 0;
    std::size_t contenders = 0;
    for (const auto& other : data.last_setting_all_miners) {
      if (other.task != row.task) continue;
      sum_cubes += std::pow(other.figures.effective_volume, 3);
      ++contenders;
    }
    out += "<section class=\"task\"><h3>Task " + html_escape(row.task) + " <small>(task weight w_t = " +
           fixed(row.task_weight) + ")</small></h3>\n<ol class=\"steps\">\n";
    out += "<li><b>Capacity</b> C = " + fixed(f.capacity, 1) + " (the volume it declared, clamped to the task's "
           "maximum).</li>\n";
    out += "<li><b>Period score</b> over " + std::to_string(f.scored_periods) +
           " scored periods, newest first, each weighted by its volume and halved per period: P_h = μ · Σ ps_i·v_i·0.5^i "
           "/ Σ v_i·0.5^i = <b>" + fixed(f.period_history) + "</b> (μ = " + (f.scored_periods > 8 ? "1" : "0.25") +
           (f.scored_periods > 8 ? ": more than 8 scored periods" : ": 8 scored periods or fewer") + ").</li>\n";
    out += "<li><b>Quality</b> Q_h = mean(sign(q)·|q|^1.5) over " + std::to_string(f.checked_answers) +
           " checked answers = <b>" + fixed(f.quality) + "</b>" +
           (f.checked_answers == 0 ? " (no checked answer: it scores 0 in this task)" : "") + ".</li>\n";
    out += "<li><b>Speed</b>: m_h, the 30th percentile of work per second, = " + fixed(f.speed) +
           (f.speed_rank < 0 ? "; not ranked"
                             : "; rank " + fixed(f.speed_rank, 0) + " of " + std::to_string(contenders) +
                                   " (0 = fastest)") +
           " → speed bonus = 0.5·(0.5 − rank/(N − 1)) = <b>" + signed_fixed(f.speed_bonus) + "</b>.</li>\n";
    out += "<li><b>Combined quality</b> CQ_h = max(Q_h, 0)·(1 + bonus) = " + fixed(std::max(f.quality, 0.0)) + " · " +
           fixed(1 + f.speed_bonus) + " = <b>" + fixed(f.combined_quality) + "</b>.</li>\n";
    out += "<li><b>Served share</b> served_h = 1 − Σ w_i·unserved_i / Σ w_i, unserved_i = (429s + 5xx)/T_i × the "
           "share of its declared volume still unused, weighted over the periods like P_h = <b>" + fixed(f.served_share) +
           "</b> (1 when it refused nothing while it had declared volume left, or when the validator does not credit "
           "it: credit_served_share = false).</li>\n";
    out += "<li><b>Effective volume</b> E_h = CQ_h · P_h · C · served_h = " + fixed(f.combined_quality) + " · " +
           fixed(f.period_history) + " · " + fixed(f.capacity, 1) + " · " + fixed(f.served_share) + " = <b>" +
           fixed(f.effective_volume, 1) + "</b>.</li>\n";
    out += "<li><b>Task share</b> s = E_h³ / Σ E³ over the task's " + std::to_string(contenders) + " contenders = " +
           fixed(std::pow(f.effective_volume, 3), 1) + " / " + fixed(sum_cubes, 1) + " = <b>" + fixed(f.task_score, 5) +
           "</b>.</li>\n</ol></section>\n";
  }
  const store::WeightBreakdownRecord& any = last->front();
  std::string sum_terms;
  for (const auto& row : *last) {
    sum_terms += (sum_terms.empty() ? "" : " + ") + fixed(row.task_weight) + "·" + fixed(row.figures.task_score, 5);
  }
  std::set<std::string> miners;
  double sum_scores = 0;
  for (const auto& other : data.last_setting_all_miners) {
    if (miners.insert(other.miner_hotkey).second) sum_scores += other.total_score;
  }
  out += "<h3>Total</h3>\n<ol class=\"steps\"><li><b>Total score</b> S_h = Σ_t w_t · s_t = " + sum_terms + " = <b>" +
         fixed(any.total_score, 5) + "</b>.</li>\n<li><b>Weight</b> W_h = S_h / Σ S over " +
         std::to_string(miners.size()) + " miners = " + fixed(any.total_score, 5) + " / " + fixed(sum_scores, 5) +
         " = <b>" + fixed(any.final_weight, 5) + "</b>.</li>\n";
  if (data.last_submission) {
    const auto& s = *data.last_submission;
    std::string value = "not in the vector (a zero weight is dropped)";
    for (std::size_t i = 0; i < s.uids.size() && i < s.values.size(); ++i) {
      if (s.uids[i] == any.figures.uid) value = std::to_string(s.values[i]) + " of 65535";
    }
    out += "<li><b>On the chain</b> as u16 round(W_h · 65535 / max W): " + value + " in the last vector sent (" +
           chain_result_text(s) + ").</li>\n";
  }
  out += "</ol>\n";

  if (!data.period_scores.empty()) {
    StatusTable t{"period_scores", "Its last periods", {"task", "period", "score", "consumed volume", "tested volume"}, {}};
    for (const auto& p : data.period_scores) {
      t.rows.push_back({net::text_cell(p.task), net::number_cell(static_cast<double>(p.period_id), 0),
                        p.score ? net::number_cell(*p.score) : net::text_cell("no score"),
                        net::number_cell(p.consumed_volume, 1), net::number_cell(p.tested_volume, 1)});
    }
    out += "<h2>Its last periods</h2>\n" + net::render_table_html(t);
  }
  return out + net::status_page_end();
}

}  // namespace nineteen::gateway
