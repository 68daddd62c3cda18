// Status reports as HTML tables, JSON and terminal text.
#include "nineteen/net/status_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "nineteen/sdk/json.hpp"

namespace nineteen::net {
namespace {

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", std::clamp(digits, 0, 12), v);
  return text;
}

const char* kind_name(StatusCell::Kind k) {
  switch (k) {
    case StatusCell::Kind::number: return "number";
    case StatusCell::Kind::hotkey: return "hotkey";
    case StatusCell::Kind::flag: return "flag";
    case StatusCell::Kind::text: break;
  }
  return "text";
}

std::string cell_text(const StatusCell& c, bool shorten_hotkeys) {
  switch (c.kind) {
    case StatusCell::Kind::number: return fixed(c.number, c.decimals);
    case StatusCell::Kind::flag: return c.flag ? "yes" : "no";
    case StatusCell::Kind::hotkey: return shorten_hotkeys ? short_hotkey(c.text) : c.text;
    case StatusCell::Kind::text: break;
  }
  return c.text;
}

// Characters a terminal shows: UTF-8 continuation bytes take no column.
size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, size_t width, bool right) {
  const size_t w = display_width(s);
  const std::string fill(w < width ? width - w : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

void write_string(rapidjson::Writer<rapidjson::StringBuffer>& w, const std::string& s) {
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_member(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, const std::string& value) {
  w.Key(key);
  write_string(w, value);
}

double rounded(double v, int decimals) {
  if (!std::isfinite(v)) return 0;
  const double scale = std::pow(10.0, std::clamp(decimals, 0, 12));
  const double r = std::round(v * scale) / scale;
  return std::isfinite(r) ? r : v;
}

// Decimals a number read back from JSON is shown with: as many as it has, up to 6.
int decimals_of(double v) {
  for (int d = 0; d < 6; ++d) {
    const double scale = std::pow(10.0, d);
    if (std::fabs(std::round(v * scale) - v * scale) < 1e-9 * std::max(1.0, std::fabs(v * scale))) return d;
  }
  return 6;
}

}  // namespace

StatusCell text_cell(std::string text) {
  StatusCell c;
  c.text = std::move(text);
  return c;
}

StatusCell number_cell(double value, int decimals) {
  StatusCell c;
  c.kind = StatusCell::Kind::number;
  c.number = value;
  c.decimals = decimals;
  return c;
}

StatusCell hotkey_cell(std::string hotkey, std::string link) {
  StatusCell c;
  c.kind = StatusCell::Kind::hotkey;
  c.text = std::move(hotkey);
  c.link = std::move(link);
  return c;
}

StatusCell flag_cell(bool value) {
  StatusCell c;
  c.kind = StatusCell::Kind::flag;
  c.flag = value;
  return c;
}

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

std::string short_hotkey(const std::string& hotkey) {
  if (display_width(hotkey) <= 12) return hotkey;
  // Hotkeys are SS58 (ASCII); anything else is cut at bytes that may split a character, so only
  // ASCII is shortened and other text is shown whole.
  if (std::any_of(hotkey.begin(), hotkey.end(), [](char c) { return (c & 0x80) != 0; })) return hotkey;
  return hotkey.substr(0, 6) + "\xE2\x80\xA6" + hotkey.substr(hotkey.size() - 4);
}

std::string hotkey_html(const std::string& hotkey, const std::string& link) {
  const std::string full = html_escape(hotkey);
  std::string shown = html_escape(short_hotkey(hotkey));
  if (!link.empty()) shown = "<a href=\"" + html_escape(link) + "\">" + shown + "</a>";
  return "<span class=\"hk\" title=\"" + full + "\">" + shown +
         "</span><button type=\"button\" class=\"copy\" title=\"copy the hotkey\" data-copy=\"" + full +
         "\" onclick=\"navigator.clipboard&amp;&amp;navigator.clipboard.writeText(this.dataset.copy)\">"
         "<svg viewBox=\"0 0 16 16\" width=\"12\" height=\"12\" aria-hidden=\"true\"><rect x=\"5.5\" y=\"5.5\" "
         "width=\"9\" height=\"9\" fill=\"none\" stroke=\"currentColor\"/><path d=\"M2.5 10.5v-8h8\" fill=\"none\" "
         "stroke=\"currentColor\"/></svg></button>";
}

std::string render_table_html(const StatusTable& table) {
  std::string out = "<div class=\"scroll\"><table class=\"" + html_escape(table.id) + "\">\n<tr>";
  for (const std::string& c : table.columns) out += "<th>" + html_escape(c) + "</th>";
  out += "</tr>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (const StatusCell& c : row) {
      switch (c.kind) {
        case StatusCell::Kind::number: out += "<td class=\"n\">" + html_escape(cell_text(c, false)) + "</td>"; break;
        case StatusCell::Kind::flag: out += c.flag ? "<td class=\"ok\">yes</td>" : "<td class=\"bad\">no</td>"; break;
        case StatusCell::Kind::hotkey: out += "<td class=\"h\">" + hotkey_html(c.text, c.link) + "</td>"; break;
        case StatusCell::Kind::text:
          out += c.link.empty() ? "<td>" + html_escape(c.text) + "</td>"
                                : "<td><a href=\"" + html_escape(c.link) + "\">" + html_escape(c.text) + "</a></td>";
          break;
      }
    }
    out += "</tr>\n";
  }
  return out + "</table></div>\n";
}

const char* status_page_css() {
  return "*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0 auto;padding:1em;max-width:1280px;"
         "color:#222;line-height:1.35}h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.2em 0 .4em;"
         "border-bottom:1px solid #ddd}h3{font-size:1em;margin:.8em 0 .3em}small{color:#666;font-weight:normal}"
         ".scroll{overflow-x:auto;max-width:100%;margin:.3em 0 1em}table{border-collapse:collapse;font-size:.85em}"
         "th,td{border:1px solid #ccc;padding:.15em .4em;white-space:nowrap}th{background:#f0f0f0;text-align:left;white-space:normal;vertical-align:bottom}"
         "td.n{text-align:right;font-family:ui-monospace,monospace}td.h{font-family:ui-monospace,monospace}"
         ".bad{color:#a00}.ok{color:#070}button.copy{border:0;background:none;cursor:pointer;padding:0 .2em;"
         "color:#666;vertical-align:middle}button.copy svg{display:block}.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,380px),1fr));gap:.8em}"
         "figure.chart{margin:0;min-width:0}figure.chart svg{width:100%;height:auto;"
         "display:block}figcaption{font-size:.8em}figcaption .key{display:inline-block;margin-right:.8em;"
         "white-space:nowrap}figcaption .sw{display:inline-block;width:.8em;height:.8em;margin-right:.2em;"
         "vertical-align:middle}dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1em .8em;"
         "font-size:.9em}dl.facts dt{color:#555}dl.facts dd{margin:0;overflow-wrap:anywhere}"
         "ol.steps li{margin:.3em 0;overflow-wrap:anywhere}code{overflow-wrap:anywhere}";
}

std::string status_page_head(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" +
         html_escape(title) + "</title>\n<style>" + status_page_css() + "</style></head><body>\n";
}

std::string status_page_end() { return "</body></html>\n"; }

std::string status_report_json(const StatusReport& report) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  write_member(w, "kind", report.kind);
  write_member(w, "title", report.title);
  w.Key("facts");
  w.StartObject();
  for (const auto& [name, value] : report.facts) {
    write_string(w, name);
    write_string(w, value);
  }
  w.EndObject();
  w.Key("tables");
  w.StartArray();
  for (const StatusTable& t : report.tables) {
    w.StartObject();
    write_member(w, "id", t.id);
    write_member(w, "title", t.title);
    w.Key("columns");
    w.StartArray();
    for (const std::string& c : t.columns) write_string(w, c);
    w.EndArray();
    w.Key("kinds");  // so a reader knows which strings are hotkeys
    w.StartArray();
    for (size_t i = 0; i < t.columns.size(); ++i) {
      w.String(t.rows.empty() || i >= t.rows.front().size() ? "text" : kind_name(t.rows.front()[i].kind));
    }
    w.EndArray();
    w.Key("rows");
    w.StartArray();
    for (const auto& row : t.rows) {
      w.StartArray();
      for (const StatusCell& c : row) {
        if (c.kind == StatusCell::Kind::number) {
          if (c.decimals <= 0 && std::isfinite(c.number) && std::fabs(c.number) < 9e15) {
            w.Int64(std::llround(c.number));  // counts and ids as JSON integers
          } else if (std::isfinite(c.number)) {
            w.Double(rounded(c.number, c.decimals));
          } else {
            w.Null();
          }
        } else if (c.kind == StatusCell::Kind::flag) {
          w.Bool(c.flag);
        } else {
          write_string(w, c.text);
        }
      }
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

StatusReport parse_status_report_json(const std::string& json) {
  rapidjson::Document d = sdk::parse_json(json, "status report");
  auto fail = [](const std::string& why) { throw std::runtime_error("status report: " + why); };
  if (!d.IsObject()) fail("expected a JSON object");
  StatusReport r;
  auto string_member = [&](const rapidjson::Value& v, const char* key) -> std::string {
    if (!v.HasMember(key) || !v[key].IsString()) fail(std::string("key \"") + key + "\": expected a string");
    return std::string(v[key].GetString(), v[key].GetStringLength());
  };
  r.kind = string_member(d, "kind");
  r.title = string_member(d, "title");
  if (d.HasMember("facts")) {
    if (!d["facts"].IsObject()) fail("key \"facts\": expected an object");
    for (const auto& m : d["facts"].GetObject()) {
      r.facts.emplace_back(m.name.GetString(), m.value.IsString() ? m.value.GetString() : sdk::to_json(m.value));
    }
  }
  if (!d.HasMember("tables") || !d["tables"].IsArray()) fail("key \"tables\": expected an array");
  for (const auto& tv : d["tables"].GetArray()) {
    if (!tv.IsObject()) fail("each of \"tables\" must be an object");
    StatusTable t;
    t.id = string_member(tv, "id");
    t.title = string_member(tv, "title");
    if (!tv.HasMember("columns") || !tv["columns"].IsArray()) fail("table \"" + t.id + "\": \"columns\" must be an array");
    for (const auto& c : tv["columns"].GetArray()) t.columns.push_back(c.IsString() ? c.GetString() : sdk::to_json(c));
    std::vector<std::string> kinds(t.columns.size(), "text");
    if (tv.HasMember("kinds") && tv["kinds"].IsArray()) {
      for (rapidjson::SizeType i = 0; i < tv["kinds"].Size() && i < kinds.size(); ++i) {
        if (tv["kinds"][i].IsString()) kinds[i] = tv["kinds"][i].GetString();
      }
    }
    if (!tv.HasMember("rows") || !tv["rows"].IsArray()) fail("table \"" + t.id + "\": \"rows\" must be an array");
    for (const auto& rv : tv["rows"].GetArray()) {
      if (!rv.IsArray()) fail("table \"" + t.id + "\": each row must be an array");
      std::vector<StatusCell> row;
      for (rapidjson::SizeType i = 0; i < rv.Size(); ++i) {
        const auto& v = rv[i];
        if (v.IsNumber()) {
          row.push_back(number_cell(v.GetDouble(), decimals_of(v.GetDouble())));
        } else if (v.IsBool()) {
          row.push_back(flag_cell(v.GetBool()));
        } else if (v.IsNull()) {
          row.push_back(text_cell("-"));
        } else if (v.IsString()) {
          const bool hotkey = i < kinds.size() && kinds[i] == "hotkey";
          row.push_back(hotkey ? hotkey_cell(v.GetString()) : text_cell(v.GetString()));
        } else {
          row.push_back(text_cell(sdk::to_json(v)));
        }
      }
      t.rows.push_back(std::move(row));
    }
    r.tables.push_back(std::move(t));
  }
  return r;
}

std::string render_status_report_text(const StatusReport& report) {
  std::string out = report.title + "\n";
  size_t name_width = 0;
  for (const auto& f : report.facts) name_width = std::max(name_width, display_width(f.first));
  for (const auto& [name, value] : report.facts) out += "  " + pad(name + ":", name_width + 1, false) + " " + value + "\n";
  for (const StatusTable& t : report.tables) {
    out += "\n" + t.title + "\n";
    if (t.rows.empty()) {
      out += "  (none)\n";
      continue;
    }
    std::vector<size_t> widths(t.columns.size(), 0);
    for (size_t i = 0; i < t.columns.size(); ++i) widths[i] = display_width(t.columns[i]);
    for (const auto& row : t.rows) {
      for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        widths[i] = std::max(widths[i], display_width(cell_text(row[i], true)));
      }
    }
    std::string line = " ";
    for (size_t i = 0; i < t.columns.size(); ++i) line += " " + pad(t.columns[i], widths[i], false);
    out += rtrim(line) + "\n";
    for (const auto& row : t.rows) {
      line = " ";
      for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        line += " " + pad(cell_text(row[i], true), widths[i], row[i].kind == StatusCell::Kind::number);
      }
      out += rtrim(line) + "\n";
    }
  }
  return out;
}

}  // namespace nineteen::net
