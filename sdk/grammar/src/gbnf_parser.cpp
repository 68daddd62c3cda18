// GBNF → byte-level Grammar. Classes over code points become alternatives of UTF-8 byte ranges.
#include <algorithm>
#include <map>
#include <utility>

#include "grammar_builder.hpp"

namespace nineteen::grammar {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

class GbnfReader {
 public:
  explicit GbnfReader(std::string_view text) : text_(text) {}

  Grammar read() {
    skip_space(true);
    while (pos_ < text_.size()) {
      std::string name = read_name();
      skip_space(false);
      if (text_.compare(pos_, 3, "::=") != 0) fail("expected ::= after the rule name \"" + name + "\"");
      pos_ += 3;
      uint32_t rule = b_.rule_named(name);
      if (defined_.count(rule)) fail("rule \"" + name + "\" is defined twice");
      defined_[rule] = line_;
      b_.set_alternatives(rule, read_alternatives(false));
      skip_space(false);
      if (pos_ < text_.size() && text_[pos_] != '\n') fail(std::string("unexpected character '") + text_[pos_] + "'");
      skip_space(true);
    }
    for (uint32_t r = 0; r < b_.grammar().rules.size(); ++r) {
      if (!b_.is_generated(r) && !defined_.count(r)) {
        throw GrammarError("grammar: rule \"" + b_.grammar().rule_names[r] + "\" is used but never defined");
      }
    }
    auto root = b_.find_rule("root");
    if (!root || !defined_.count(*root)) throw GrammarError("grammar: no rule named \"root\" (the start rule)");
    return b_.finish(*root);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw GrammarError("grammar line " + std::to_string(line_) + ": " + what);
  }

  // Newlines end a rule unless inside parentheses; `newline_ok` lets them pass.
  void skip_space(bool newline_ok) {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n' && newline_ok) {
        ++line_;
        ++pos_;
      } else {
        return;
      }
    }
  }

  std::string read_name() {
    size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    if (start == pos_) fail("expected a rule name");
    return std::string(text_.substr(start, pos_ - start));
  }

  // Is the text at pos_ the start of the next rule (`name ::=`)?
  bool at_rule_start() const {
    size_t p = pos_;
    while (p < text_.size() && is_name_char(text_[p])) ++p;
    if (p == pos_) return false;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    return text_.compare(p, 3, "::=") == 0;
  }

  uint32_t hex(size_t digits) {
    uint32_t v = 0;
    for (size_t i = 0; i < digits; ++i) {
      if (pos_ >= text_.size()) fail("a \\x/\\u escape ends early");
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else fail(std::string("bad hex digit '") + c + "' in an escape");
    }
    return v;
  }

  // One code point of a literal or class, escapes decoded.
  uint32_t read_char() {
    if (pos_ >= text_.size()) fail("the text ends inside a literal or class");
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '\\') {
      ++pos_;
      if (pos_ >= text_.size()) fail("the text ends after a backslash");
      char e = text_[pos_++];
      switch (e) {
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case '\\': return '\\';
        case '"': return '"';
        case '\'': return '\'';
        case '[': return '[';
        case ']': return ']';
        case '-': return '-';
        case '^': return '^';
        case '/': return '/';
        case 'x': return hex(2);
        case 'u': return hex(4);
        case 'U': return hex(8);
        default: fail(std::string("unknown escape \\") + e);
      }
    }
    // UTF-8 decode.
    int extra = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (extra < 0) fail("invalid UTF-8 in the grammar text");
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    ++pos_;
    for (int i = 0; i < extra; ++i) {
      if (pos_ >= text_.size()) fail("invalid UTF-8 in the grammar text");
      cp = (cp << 6) | (static_cast<unsigned char>(text_[pos_++]) & 0x3F);
    }
    if (text_[pos_ - 1] == '\n') ++line_;
    return cp;
  }

  std::vector<std::vector<Element>> read_alternatives(bool nested) {
    std::vector<std::vector<Element>> alternatives;
    alternatives.push_back(read_sequence(nested));
    while (pos_ < text_.size() && text_[pos_] == '|') {
      ++pos_;
      skip_space(true);
      alternatives.push_back(read_sequence(nested));
    }
    return alternatives;
  }

  std::vector<Element> read_sequence(bool nested) {
    std::vector<Element> seq;
    size_t last_start = 0;  // where the last element's elements begin (a literal is several)
    for (;;) {
      skip_space(nested);
      if (pos_ >= text_.size()) break;
      char c = text_[pos_];
      if (c == '\n') {  // the end of a rule, unless the next line continues it
        size_t save = pos_;
        int save_line = line_;
        skip_space(true);
        if (pos_ >= text_.size() || at_rule_start() || text_[pos_] == ')') {
          pos_ = save;
          line_ = save_line;
          break;
        }
        continue;
      }
      if (c == '|' || c == ')') break;
      if (c == '"') {
        ++pos_;
        last_start = seq.size();
        std::vector<Element> lit;
        while (pos_ < text_.size() && text_[pos_] != '"') {
          uint32_t cp = read_char();
          for (const auto& e : b_.code_point_range(cp, cp)) lit.push_back(e);
        }
        if (pos_ >= text_.size()) fail("a literal has no closing quote");
        ++pos_;
        if (lit.size() > 1) {  // a literal repeated by a postfix repeats whole: wrap it
          seq.push_back(b_.new_rule({lit}, "literal"));
        } else {
          seq.insert(seq.end(), lit.begin(), lit.end());
          if (lit.empty()) last_start = seq.size();
        }
      } else if (c == '[') {
        ++pos_;
        last_start = seq.size();
        seq.push_back(read_class());
      } else if (c == '.') {
        ++pos_;
        last_start = seq.size();
        seq.push_back(b_.code_point_class({{0, 0x10FFFF}}, false));
      } else if (c == '(') {
        ++pos_;
        skip_space(true);
        auto alts = read_alternatives(true);
        skip_space(true);
        if (pos_ >= text_.size() || text_[pos_] != ')') fail("expected ) to close a group");
        ++pos_;
        last_start = seq.size();
        seq.push_back(b_.new_rule(std::move(alts), "group"));
      } else if (is_name_char(c)) {
        if (!nested && at_rule_start()) break;
        std::string name = read_name();
        last_start = seq.size();
        Element e;
        e.kind = Element::Rule;
        e.index = b_.rule_named(name);
        seq.push_back(e);
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (seq.size() <= last_start) fail(std::string("'") + c + "' follows nothing it could repeat");
        ++pos_;
        int min = 0, max = -1;
        if (c == '+') min = 1;
        if (c == '?') max = 1;
        if (c == '{') {
          skip_space(false);
          min = read_int();
          skip_space(false);
          max = min;
          if (pos_ < text_.size() && text_[pos_] == ',') {
            ++pos_;
            skip_space(false);
            max = pos_ < text_.size() && text_[pos_] == '}' ? -1 : read_int();
            skip_space(false);
          }
          if (pos_ >= text_.size() || text_[pos_] != '}') fail("expected } to close a repetition");
          ++pos_;
          if (max >= 0 && max < min) fail("repetition {" + std::to_string(min) + "," + std::to_string(max) + "}: max below min");
        }
        Element item = seq.back();
        seq.pop_back();
        auto repeated = b_.repeat({item}, min, max);
        last_start = seq.size();
        seq.insert(seq.end(), repeated.begin(), repeated.end());
        if (repeated.size() != 1) {  // keep a later postfix applying to the whole repetition
          Element wrapped = b_.new_rule({std::vector<Element>(seq.begin() + last_start, seq.end())}, "repeat");
          seq.resize(last_start);
          seq.push_back(wrapped);
        }
      } else {
        fail(std::string("unexpected character '") + c + "'");
      }
    }
    return seq;
  }

  int read_int() {
    size_t start = pos_;
    long v = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      v = v * 10 + (text_[pos_++] - '0');
      if (v > kMaxRepeat) fail("a repetition count above " + std::to_string(kMaxRepeat));
    }
    if (start == pos_) fail("expected a number in a repetition");
    return static_cast<int>(v);
  }

  Element read_class() {
    bool negated = false;
    if (pos_ < text_.size() && text_[pos_] == '^') {
      negated = true;
      ++pos_;
    }
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    while (pos_ < text_.size() && text_[pos_] != ']') {
      uint32_t lo = read_char();
      uint32_t hi = lo;
      if (pos_ + 1 < text_.size() && text_[pos_] == '-' && text_[pos_ + 1] != ']') {
        ++pos_;
        hi = read_char();
        if (hi < lo) fail("a class range runs backwards");
      }
      ranges.push_back({lo, hi});
    }
    if (pos_ >= text_.size()) fail("a class has no closing ]");
    ++pos_;
    return b_.code_point_class(ranges, negated);
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  GrammarBuilder b_;
  std::map<uint32_t, int> defined_;
};

}  // namespace

Grammar parse_gbnf(std::string_view text) { return GbnfReader(text).read(); }

}  // namespace nineteen::grammar
