// What a node shows its operator, as facts and tables: rendered as HTML for its page, as JSON for
// GET /status.json and read back by `nineteen status`, so the page, the JSON and the terminal show
// the same facts from one model.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace nineteen::net {

struct StatusCell {
  enum class Kind { text, number, hotkey, flag };
  Kind kind = Kind::text;
  std::string text;  // text and hotkey cells
  double number = 0;
  int decimals = 3;  // how many the page shows; JSON keeps the value rounded to as many
  bool flag = false;
  std::string link;  // an optional page for the cell (hotkeys: the miner's page)
};

StatusCell text_cell(std::string text);
StatusCell number_cell(double value, int decimals = 3);
StatusCell hotkey_cell(std::string hotkey, std::string link = {});
StatusCell flag_cell(bool value);

struct StatusTable {
  std::string id;     // a stable name for scripts: "contenders", "weights", ...
  std::string title;  // for people
  std::vector<std::string> columns;
  std::vector<std::vector<StatusCell>> rows;  // each as long as `columns`
};

struct StatusReport {
  std::string kind;   // "gateway" or "miner"
  std::string title;  // "nineteen validator", ...
  std::vector<std::pair<std::string, std::string>> facts;  // in order
  std::vector<StatusTable> tables;
};

// &, <, >, " and ' as entities.
std::string html_escape(const std::string& text);
// "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" → "5Grwva…utQY"; short ones unchanged.
std::string short_hotkey(const std::string& hotkey);
// The short hotkey with the full one on hover (title) and a copy button (an inline handler, no
// outside script); a link to `link` when given. Everything escaped.
std::string hotkey_html(const std::string& hotkey, const std::string& link = {});
// A table that scrolls inside its own box on a narrow screen, so the page never overflows.
std::string render_table_html(const StatusTable& table);
// The style every status page shares: fits a phone (390 px) and a desktop, no outside asset.
const char* status_page_css();
// The page's head and end, with `title` escaped; the body goes between.
std::string status_page_head(const std::string& title);
std::string status_page_end();

std::string status_report_json(const StatusReport& report);
// Throws std::runtime_error saying what is wrong with `json` (not JSON, not a status report).
StatusReport parse_status_report_json(const std::string& json);
// Facts as "name: value" lines and each table with aligned columns, for a terminal.
std::string render_status_report_text(const StatusReport& report);

}  // namespace nineteen::net
