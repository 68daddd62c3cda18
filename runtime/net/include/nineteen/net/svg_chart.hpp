// Small line and bar charts as inline SVG, drawn on the server: no script and no outside asset, so a
// status page shows history with nothing fetched at view time. The SVG scales to its box (viewBox),
// so a chart never makes a page wider than a phone.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace nineteen::net {

struct ChartSeries {
  std::string label;                         // shown in the legend (escaped)
  std::vector<std::optional<double>> values;  // one per x label; nullopt (or non-finite): a gap
};

struct LineChart {
  std::string id;     // data-chart attribute, for tests and scripts: "weight", "period-score", ...
  std::string title;  // drawn above the plot
  std::vector<std::string> x_labels;
  std::vector<ChartSeries> series;
  int decimals = 3;  // of the axis labels and the values on hover
};

struct BarChart {
  std::string id;
  std::string title;
  std::vector<std::string> bar_names;  // the bars of each group, e.g. {"p50", "p99"}
  std::vector<ChartSeries> groups;     // one group per miner; values[i] belongs to bar_names[i]
  int decimals = 3;
};

// A <figure class="chart"> with the SVG and a legend; "no data yet" when there is nothing to draw.
std::string render_line_chart(const LineChart& chart);
std::string render_bar_chart(const BarChart& chart);
// The colour of the i-th series, from a palette that stays apart for the first ten.
const char* series_colour(std::size_t i);

}  // namespace nineteen::net
