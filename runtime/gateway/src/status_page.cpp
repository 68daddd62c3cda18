// Renders the status page as self-contained HTML (inline CSS, no script).
#include "nineteen/gateway/status_page.hpp"

#include <cstdio>
#include <map>
#include <set>

namespace nineteen::gateway {
namespace {

std::string fixed(double v, int digits = 3) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

std::string cell(const std::string& text) { return "<td>" + html_escape(text) + "</td>"; }
std::string num_cell(const std::string& text) { return "<td class=\"n\">" + html_escape(text) + "</td>"; }
std::string header_row(std::initializer_list<const char*> names) {
  std::string out = "<tr>";
  for (const char* n : names) out += std::string("<th>") + n + "</th>";
  return out + "</tr>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_status_page(const StatusPageData& data) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nineteen gateway</title>\n"
      "<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}"
      "th,td{border:1px solid #bbb;padding:.2em .5em}th{background:#eee}td.n{text-align:right;"
      "font-family:monospace}.bad{color:#a00}.ok{color:#070}</style></head><body>\n"
      "<h1>nineteen gateway</h1>\n";

  // Tasks: the catalogue's, plus any task a contender names that the catalogue no longer has.
  std::map<std::string, std::vector<const validator::ContenderStatus*>> by_task;
  for (const auto& t : data.tasks) by_task[t.name];
  for (const auto& c : data.contenders) by_task[c.task].push_back(&c);

  out += "<h2>Contenders this period</h2>\n";
  if (by_task.empty()) out += "<p>No task is enabled.</p>\n";
  for (const auto& [task, contenders] : by_task) {
    std::string endpoint;
    for (const auto& t : data.tasks) {
      if (t.name == task) endpoint = t.endpoint + (t.stream ? ", streams" : "") + ", work in " + t.work_unit;
    }
    out += "<h3>Task " + html_escape(task) + (endpoint.empty() ? "" : " <small>(" + html_escape(endpoint) + ")</small>") +
           "</h3>\n";
    if (contenders.empty()) {
      out += "<p>No contender this period.</p>\n";
      continue;
    }
    out += "<table class=\"contenders\">\n" +
           header_row({"uid", "hotkey", "capacity", "consumed", "requests", "429", "500", "in flight", "healthy",
                       "checked / kept", "quality", "period score", "speed bonus", "weight"});
    for (const validator::ContenderStatus* c : contenders) {
      out += "<tr>" + num_cell(std::to_string(c->uid)) + cell(c->miner_hotkey) + num_cell(fixed(c->capacity, 1)) +
             num_cell(fixed(c->consumed, 1)) + num_cell(std::to_string(c->requests)) +
             num_cell(std::to_string(c->rate_limited)) + num_cell(std::to_string(c->failed)) +
             num_cell(std::to_string(c->in_flight)) +
             (c->healthy ? "<td class=\"ok\">yes</td>" : "<td class=\"bad\">no</td>") +
             num_cell(std::to_string(c->checked) + " / " + std::to_string(c->checked + c->unchecked + c->pending)) +
             num_cell(fixed(c->recent_quality)) + num_cell(fixed(c->period_score)) + num_cell(fixed(c->speed_bonus)) +
             num_cell(fixed(c->weight, 5)) + "</tr>\n";
    }
    out += "</table>\n";
  }

  out += "<h2>Last weights</h2>\n";
  if (!data.weights_error.empty()) {
    out += "<p class=\"bad\">The weights could not be read: " + html_escape(data.weights_error) + "</p>\n";
  } else if (!data.weight_setting_id) {
    out += "<p>No weights were set yet.</p>\n";
  } else {
    out += "<p>Weight setting " + std::to_string(*data.weight_setting_id) + ", " + std::to_string(data.weights.size()) +
           " rows.</p>\n<table class=\"weights\">\n" +
           header_row({"task", "task weight", "uid", "hotkey", "checked", "quality", "speed bonus", "combined quality",
                       "periods", "period history", "capacity", "effective volume", "task score", "total score",
                       "final weight"});
    for (const store::WeightBreakdownRecord& w : data.weights) {
      const scoring::ContenderBreakdown& f = w.figures;
      out += "<tr>" + cell(w.task) + num_cell(fixed(w.task_weight)) + num_cell(std::to_string(f.uid)) +
             cell(w.miner_hotkey) + num_cell(std::to_string(f.checked_answers)) + num_cell(fixed(f.quality)) +
             num_cell(fixed(f.speed_bonus)) + num_cell(fixed(f.combined_quality)) +
             num_cell(std::to_string(f.scored_periods)) + num_cell(fixed(f.period_history)) +
             num_cell(fixed(f.capacity, 1)) + num_cell(fixed(f.effective_volume, 1)) + num_cell(fixed(f.task_score, 5)) +
             num_cell(fixed(w.total_score, 5)) + num_cell(fixed(w.final_weight, 5)) + "</tr>\n";
    }
    out += "</table>\n";
  }
  out += "<p><a href=\"/metrics\">metrics</a> · <a href=\"/v1/models\">models</a></p>\n</body></html>\n";
  return out;
}

}  // namespace nineteen::gateway
