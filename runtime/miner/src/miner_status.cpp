// The miner's page: counters per validator, and the page and JSON rendered from them.
#include "miner_status.hpp"

#include <algorithm>
#include <cmath>

#include "nineteen/net/svg_chart.hpp"
#include "nineteen/scoring/speed_bonus.hpp"

namespace nineteen::miner {
namespace {

net::StatusTable tasks_table(const MinerStatusData& data) {
  net::StatusTable t{"tasks", "Tasks served", {"task", "endpoint", "capacity", "concurrency", "in flight", "upstream"}, {}};
  for (const auto& task : data.tasks) {
    t.rows.push_back({net::text_cell(task.name), net::text_cell(task.endpoint), net::number_cell(task.capacity, 1),
                      net::number_cell(static_cast<double>(task.concurrency), 0),
                      net::number_cell(static_cast<double>(task.in_flight), 0),
                      net::text_cell(task.upstream ? "yes" : "no")});
  }
  return t;
}

net::StatusTable traffic_table(const MinerStatusData& data) {
  net::StatusTable t{"validators", "Requests by validator since the miner started",
                     {"validator", "task", "declared per period", "served", "requests", "answered", "429", "errors",
                      "p50 s", "p99 s"},
                     {}};
  for (const auto& v : data.traffic) {
    t.rows.push_back({v.validator_hotkey == "-" ? net::text_cell("(unsigned)") : net::hotkey_cell(v.validator_hotkey),
                      net::text_cell(v.task), net::number_cell(v.declared, 1), net::number_cell(v.work, 1),
                      net::number_cell(static_cast<double>(v.requests), 0),
                      net::number_cell(static_cast<double>(v.answered), 0),
                      net::number_cell(static_cast<double>(v.rate_limited), 0),
                      net::number_cell(static_cast<double>(v.errors), 0), net::number_cell(v.p50_s),
                      net::number_cell(v.p99_s)});
  }
  return t;
}

net::StatusTable chain_table(const MinerStatusData& data) {
  net::StatusTable t{"chain_weights", "Its weight from each validator on the chain",
                     {"validator uid", "validator", "stake", "weight u16", "of max", "block"}, {}};
  for (const auto& w : data.chain_weights) {
    t.rows.push_back({net::number_cell(w.validator_uid, 0), net::hotkey_cell(w.validator_hotkey),
                      net::number_cell(w.stake, 1),
                      w.value ? net::number_cell(*w.value, 0) : net::text_cell("none"),
                      w.value && w.max_value > 0 ? net::number_cell(static_cast<double>(*w.value) / w.max_value)
                                                 : net::number_cell(0),
                      net::number_cell(static_cast<double>(w.block), 0)});
  }
  return t;
}

std::vector<std::pair<std::string, std::string>> facts(const MinerStatusData& data) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("hotkey", data.hotkey);
  out.emplace_back("uid", data.uid ? std::to_string(*data.uid) : "not registered (or no chain configured)");
  std::uint64_t requests = 0, rate_limited = 0, errors = 0;
  for (const auto& v : data.traffic) {
    requests += v.requests;
    rate_limited += v.rate_limited;
    errors += v.errors;
  }
  out.emplace_back("requests", std::to_string(requests) + " (" + std::to_string(rate_limited) + " answered 429, " +
                                   std::to_string(errors) + " errors)");
  if (!data.chain_note.empty()) out.emplace_back("chain", data.chain_note);
  return out;
}

}  // namespace

void ValidatorTrafficLog::record(const std::string& validator_hotkey, const std::string& task, int status,
                                 double seconds, double work) {
  std::lock_guard<std::mutex> lock(mutex_);
  Pair& p = pairs_[{validator_hotkey, task}];
  p.counts.requests += 1;
  if (status >= 200 && status < 300) {
    p.counts.answered += 1;
    if (std::isfinite(work) && work > 0) p.counts.work += work;
    if (std::isfinite(seconds) && seconds >= 0) {
      p.times.push_back(seconds);
      if (p.times.size() > kKeptTimes) p.times.pop_front();
    }
  } else if (status == 429) {
    p.counts.rate_limited += 1;
  } else {
    p.counts.errors += 1;
  }
}

std::vector<ValidatorTraffic> ValidatorTrafficLog::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ValidatorTraffic> out;
  for (const auto& [key, p] : pairs_) {
    ValidatorTraffic v = p.counts;
    v.validator_hotkey = key.first;
    v.task = key.second;
    std::vector<double> times(p.times.begin(), p.times.end());
    v.p50_s = scoring::speed_percentile(times.data(), times.size(), 0.5);
    v.p99_s = scoring::speed_percentile(times.data(), times.size(), 0.99);
    out.push_back(std::move(v));
  }
  return out;
}

bool is_loopback_address(const std::string& remote_address) {
  std::string host = remote_address;
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.find(']') - 1);
  if (host.rfind("::ffff:", 0) == 0) host = host.substr(7);
  if (host.rfind("127.", 0) == 0) return true;
  return host == "::1" || host.rfind("::1:", 0) == 0;
}

net::StatusReport miner_status_report(const MinerStatusData& data) {
  net::StatusReport r;
  r.kind = "miner";
  r.title = "nineteen miner";
  r.facts = facts(data);
  r.tables = {tasks_table(data), traffic_table(data), chain_table(data)};
  return r;
}

std::string render_miner_status_page(const MinerStatusData& data) {
  std::string out = net::status_page_head("nineteen miner " + net::short_hotkey(data.hotkey)) +
                    "<h1>nineteen miner " + net::hotkey_html(data.hotkey) + "</h1>\n"
                    "<p><a href=\"/status.json\">status.json</a> · <a href=\"/metrics\">metrics</a> · "
                    "<a href=\"/health\">health</a></p>\n<dl class=\"facts\">";
  for (const auto& [name, value] : facts(data)) {
    out += "<dt>" + net::html_escape(name) + "</dt><dd>" + net::html_escape(value) + "</dd>";
  }
  out += "</dl>\n";

  net::BarChart volume{"volume", "Declared per period vs served since start", {"declared", "served"}, {}, 1};
  net::BarChart times{"latency", "Answer time per validator (s)", {"p50", "p99"}, {}, 3};
  for (const auto& v : data.traffic) {
    const std::string label = (v.validator_hotkey == "-" ? "unsigned" : net::short_hotkey(v.validator_hotkey)) +
                              (data.tasks.size() > 1 ? " " + v.task : "");
    volume.groups.push_back(net::ChartSeries{label, {v.declared, v.work}});
    times.groups.push_back(net::ChartSeries{label, {v.p50_s, v.p99_s}});
  }
  out += "<div class=\"charts\">" + net::render_bar_chart(volume) + net::render_bar_chart(times) + "</div>\n";
  for (const net::StatusTable& t : {tasks_table(data), traffic_table(data), chain_table(data)}) {
    out += "<h2>" + net::html_escape(t.title) + "</h2>\n";
    out += t.rows.empty() ? "<p>None yet.</p>\n" : net::render_table_html(t);
  }
  return out + net::status_page_end();
}

}  // namespace nineteen::miner
