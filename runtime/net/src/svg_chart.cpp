// Line and bar charts as inline SVG in a fixed viewBox, scaled by the browser to the box it gets.
#include "nineteen/net/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nineteen/net/status_report.hpp"

namespace nineteen::net {
namespace {

constexpr double kWidth = 480, kHeight = 200;
constexpr double kLeft = 48, kRight = 10, kTop = 24, kBottom = 28;
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;

std::string num(double v, int decimals = 1) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

bool usable(const std::optional<double>& v) { return v && std::isfinite(*v); }

// The y range: from min(0, lowest) to the highest value, never empty.
std::pair<double, double> value_range(const std::vector<ChartSeries>& series) {
  double low = 0, high = 0;
  for (const auto& s : series) {
    for (const auto& v : s.values) {
      if (!usable(v)) continue;
      low = std::min(low, *v);
      high = std::max(high, *v);
    }
  }
  if (high - low < 1e-12) high = low + 1;
  return {low, high};
}

double y_of(double v, std::pair<double, double> range) {
  return kTop + kPlotHeight * (1 - (v - range.first) / (range.second - range.first));
}

std::string svg_open(const std::string& id, const std::string& title) {
  return "<figure class=\"chart\"><svg class=\"chart\" data-chart=\"" + html_escape(id) + "\" viewBox=\"0 0 " +
         num(kWidth, 0) + " " + num(kHeight, 0) + "\" role=\"img\" aria-label=\"" + html_escape(title) +
         "\">"
         "<text x=\"" + num(kLeft, 0) + "\" y=\"15\" font-size=\"15\" font-weight=\"bold\">" + html_escape(title) +
         "</text>";
}

// Horizontal grid lines and labels at the bottom, middle and top of the range.
std::string y_axis(std::pair<double, double> range, int decimals) {
  std::string out;
  for (double f : {0.0, 0.5, 1.0}) {
    const double v = range.first + f * (range.second - range.first);
    const std::string y = num(y_of(v, range));
    out += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + y + "\" y2=\"" + y +
           "\" stroke=\"#ddd\"/><text x=\"" + num(kLeft - 4) + "\" y=\"" + y +
           "\" font-size=\"12\" text-anchor=\"end\" dominant-baseline=\"middle\">" + num(v, decimals) + "</text>";
  }
  return out;
}

std::string legend(const std::vector<ChartSeries>& series) {
  std::string out = "<figcaption>";
  for (size_t i = 0; i < series.size(); ++i) {
    out += "<span class=\"key\"><span class=\"sw\" style=\"background:" + std::string(series_colour(i)) + "\"></span>" +
           html_escape(series[i].label) + "</span>";
  }
  return out + "</figcaption>";
}

std::string no_data(const std::string& id, const std::string& title) {
  return svg_open(id, title) + "<text x=\"" + num(kWidth / 2) + "\" y=\"" + num(kHeight / 2) +
         "\" font-size=\"14\" text-anchor=\"middle\" fill=\"#777\">no data yet</text></svg></figure>\n";
}

}  // namespace

const char* series_colour(std::size_t i) {
  static const char* const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                        "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
  return palette[i % (sizeof palette / sizeof *palette)];
}

std::string render_line_chart(const LineChart& chart) {
  const bool any = std::any_of(chart.series.begin(), chart.series.end(), [](const ChartSeries& s) {
    return std::any_of(s.values.begin(), s.values.end(), usable);
  });
  if (chart.x_labels.empty() || !any) return no_data(chart.id, chart.title);
  const auto range = value_range(chart.series);
  const size_t n = chart.x_labels.size();
  auto x_of = [&](size_t i) { return n == 1 ? kLeft + kPlotWidth / 2 : kLeft + kPlotWidth * i / (n - 1); };
  std::string out = svg_open(chart.id, chart.title) + y_axis(range, chart.decimals);
  // The first, middle and last x labels: enough to read, never crowded.
  std::vector<size_t> marks = {0};
  if (n > 2) marks.push_back(n / 2);
  if (n > 1) marks.push_back(n - 1);
  for (size_t i : marks) {
    const char* anchor = n == 1 ? "middle" : i == 0 ? "start" : i == n - 1 ? "end" : "middle";
    out += "<text x=\"" + num(x_of(i)) + "\" y=\"" + num(kHeight - 8) + "\" font-size=\"12\" text-anchor=\"" + anchor +
           "\">" + html_escape(chart.x_labels[i]) + "</text>";
  }
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const ChartSeries& series = chart.series[s];
    const std::string colour = series_colour(s);
    // A polyline per run of values without a gap; a dot at every value, with the value on hover.
    std::string points;
    auto flush = [&] {
      if (points.find(' ') != std::string::npos) {
        out += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"" + points + "\"/>";
      }
      points.clear();
    };
    for (size_t i = 0; i < n; ++i) {
      const std::optional<double> v = i < series.values.size() ? series.values[i] : std::nullopt;
      if (!usable(v)) {
        flush();
        continue;
      }
      const std::string xy = num(x_of(i)) + "," + num(y_of(*v, range));
      points += (points.empty() ? "" : " ") + xy;
      out += "<circle cx=\"" + num(x_of(i)) + "\" cy=\"" + num(y_of(*v, range)) + "\" r=\"2.5\" fill=\"" + colour +
             "\"><title>" + html_escape(series.label) + " at " + html_escape(chart.x_labels[i]) + ": " +
             num(*v, chart.decimals) + "</title></circle>";
    }
    flush();
  }
  return out + "</svg>" + legend(chart.series) + "</figure>\n";
}

std::string render_bar_chart(const BarChart& chart) {
  const bool any = std::any_of(chart.groups.begin(), chart.groups.end(), [](const ChartSeries& s) {
    return std::any_of(s.values.begin(), s.values.end(), usable);
  });
  if (chart.groups.empty() || chart.bar_names.empty() || !any) return no_data(chart.id, chart.title);
  const auto range = value_range(chart.groups);
  const double group_width = kPlotWidth / chart.groups.size();
  const double bar_width = std::min(24.0, group_width * 0.8 / chart.bar_names.size());
  std::string out = svg_open(chart.id, chart.title) + y_axis(range, chart.decimals);
  for (size_t g = 0; g < chart.groups.size(); ++g) {
    const ChartSeries& group = chart.groups[g];
    const double centre = kLeft + group_width * (g + 0.5);
    const double first_x = centre - bar_width * chart.bar_names.size() / 2;
    for (size_t b = 0; b < chart.bar_names.size(); ++b) {
      const std::optional<double> v = b < group.values.size() ? group.values[b] : std::nullopt;
      if (!usable(v)) continue;
      const double top = y_of(std::max(*v, range.first), range), base = y_of(std::max(0.0, range.first), range);
      out += "<rect x=\"" + num(first_x + b * bar_width) + "\" y=\"" + num(std::min(top, base)) + "\" width=\"" +
             num(bar_width - 1) + "\" height=\"" + num(std::max(0.5, std::fabs(base - top))) + "\" fill=\"" +
             series_colour(b) + "\"><title>" + html_escape(group.label) + " " + html_escape(chart.bar_names[b]) + ": " +
             num(*v, chart.decimals) + "</title></rect>";
    }
    out += "<text x=\"" + num(centre) + "\" y=\"" + num(kHeight - 8) + "\" font-size=\"12\" text-anchor=\"middle\">" +
           html_escape(group.label) + "</text>";
  }
  std::vector<ChartSeries> keys;
  for (const std::string& name : chart.bar_names) keys.push_back(ChartSeries{name, {}});
  return out + "</svg>" + legend(keys) + "</figure>\n";
}

}  // namespace nineteen::net
