// Status reports and SVG charts, pure: short hotkeys, escaping, JSON round trip, terminal text, and
// chart geometry with worked numbers.
#include <gtest/gtest.h>

#include <regex>

#include "nineteen/net/status_report.hpp"
#include "nineteen/net/svg_chart.hpp"

using namespace nineteen::net;

namespace {
const std::string kAlice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST(StatusReport, HotkeysAreShortWithTheFullOneOnHoverAndCopy) {
  EXPECT_EQ(short_hotkey(kAlice), "5Grwva\xE2\x80\xA6utQY");
  EXPECT_EQ(short_hotkey("5Fshort"), "5Fshort");
  EXPECT_EQ(short_hotkey("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9xxxxxxxxxxxx").size(), 26u)
      << "non-ASCII text is never cut inside a character";
  const std::string html = hotkey_html(kAlice, "/miner?hotkey=" + kAlice);
  EXPECT_NE(html.find("title=\"" + kAlice + "\""), std::string::npos) << html;
  EXPECT_NE(html.find("data-copy=\"" + kAlice + "\""), std::string::npos) << html;
  EXPECT_NE(html.find(">5Grwva\xE2\x80\xA6utQY</a>"), std::string::npos) << html;
  EXPECT_EQ(html.find("http"), std::string::npos) << "nothing fetched";
  const std::string hostile = hotkey_html("5F\"><script>alert(1)</script>");
  EXPECT_EQ(hostile.find("<script>"), std::string::npos) << hostile;
  EXPECT_EQ(hostile.find("5F\""), std::string::npos) << "the quote never closes an attribute: " << hostile;
}

TEST(StatusReport, TablesRoundTripThroughJsonAndPrintAligned) {
  StatusReport r;
  r.kind = "gateway";
  r.title = "nineteen validator";
  r.facts = {{"chain", "accepted at block 12"}, {"tasks", "1"}};
  StatusTable t{"contenders", "Contenders", {"uid", "hotkey", "weight", "healthy", "note"}, {}};
  t.rows.push_back({number_cell(3, 0), hotkey_cell(kAlice, "/x"), number_cell(0.123456, 5), flag_cell(true),
                    text_cell("a<b")});
  t.rows.push_back({number_cell(12, 0), hotkey_cell("5Fshort"), number_cell(0.5, 5), flag_cell(false), text_cell("")});
  r.tables.push_back(t);

  const std::string json = status_report_json(r);
  EXPECT_NE(json.find("[3,\"" + kAlice + "\",0.12346,true,\"a<b\"]"), std::string::npos) << json;
  StatusReport back = parse_status_report_json(json);
  EXPECT_EQ(back.kind, "gateway");
  ASSERT_EQ(back.facts.size(), 2u);
  EXPECT_EQ(back.facts[0].second, "accepted at block 12");
  ASSERT_EQ(back.tables.size(), 1u);
  ASSERT_EQ(back.tables[0].rows.size(), 2u);
  EXPECT_EQ(back.tables[0].rows[0][1].kind, StatusCell::Kind::hotkey);
  EXPECT_DOUBLE_EQ(back.tables[0].rows[0][2].number, 0.12346);

  const std::string text = render_status_report_text(back);
  EXPECT_NE(text.find("  chain: accepted at block 12\n"), std::string::npos) << text;
  // Columns line up: the numbers right-aligned under their header, hotkeys shortened.
  EXPECT_TRUE(std::regex_search(text, std::regex(" +uid +hotkey +weight +healthy +note\n +3 5Grwva\xE2\x80\xA6utQY +0\\.12346 yes +a<b\n"
                                                 " +12 5Fshort +0\\.5 +no")))
      << text;

  EXPECT_THROW(parse_status_report_json("not json"), std::runtime_error);
  EXPECT_THROW(parse_status_report_json("{\"kind\":\"x\",\"title\":\"t\"}"), std::runtime_error);
  EXPECT_THROW(parse_status_report_json("{\"kind\":\"x\",\"title\":\"t\",\"tables\":[{\"id\":1}]}"), std::runtime_error);
}

TEST(StatusReport, TableHtmlEscapesAndScrollsInItsOwnBox) {
  StatusTable t{"t\"x", "T", {"a<b"}, {{text_cell("<i>")}}};
  const std::string html = render_table_html(t);
  EXPECT_EQ(html.rfind("<div class=\"scroll\">", 0), 0u) << html;
  EXPECT_NE(html.find("<th>a&lt;b</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;i&gt;</td>"), std::string::npos);
  EXPECT_EQ(html.find("t\"x"), std::string::npos);
}

TEST(SvgChart, LinesScaleToTheRangeAndBreakAtGaps) {
  LineChart c;
  c.id = "weight";
  c.title = "Weight <1>";
  c.x_labels = {"#1", "#2", "#3", "#4", "#5"};
  // 0..1 over the plot: y = 24 + 148·(1 − v); x from 48 to 470 in steps of 105.5.
  c.series.push_back({"uid 1", {0.0, 0.5, std::nullopt, 1.0, 1.0}});
  c.series.push_back({"uid <2>", {std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}});
  const std::string svg = render_line_chart(c);
  EXPECT_NE(svg.find("data-chart=\"weight\""), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 480 200\""), std::string::npos);
  EXPECT_NE(svg.find("points=\"48.0,172.0 153.5,98.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("points=\"364.5,24.0 470.0,24.0\""), std::string::npos) << svg;
  EXPECT_EQ(count_of(svg, "<polyline"), 2u) << "the gap splits the line";
  EXPECT_EQ(count_of(svg, "<circle"), 4u);
  EXPECT_NE(svg.find("<title>uid 1 at #2: 0.500</title>"), std::string::npos);
  EXPECT_NE(svg.find("Weight &lt;1&gt;"), std::string::npos);
  EXPECT_NE(svg.find("uid &lt;2&gt;"), std::string::npos) << "the legend is escaped";
  EXPECT_EQ(svg.find("http"), std::string::npos);

  LineChart empty = c;
  empty.series.clear();
  EXPECT_NE(render_line_chart(empty).find("no data yet"), std::string::npos);
}

TEST(SvgChart, BarsPerGroupFromZero) {
  BarChart c;
  c.id = "latency";
  c.title = "Answer time";
  c.bar_names = {"p50", "p99"};
  c.groups = {{"uid 1", {0.5, 2.0}}, {"uid 2", {1.0, std::nullopt}}};
  const std::string svg = render_bar_chart(c);
  EXPECT_EQ(count_of(svg, "<rect"), 3u);
  // 2.0 is the top (y 24, height 148); 0.5 is a quarter of it (height 37).
  EXPECT_NE(svg.find("height=\"148.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("y=\"135.0\" width=\"23.0\" height=\"37.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>uid 1 p99: 2.000</title>"), std::string::npos);
}
