// A regular expression → byte-level Grammar (vLLM's guided_regex), so the same token masks apply.
// The whole answer must match (anchors are implied). Characters are code points, matched as UTF-8.
#include <algorithm>
#include <utility>

#include "grammar_builder.hpp"
#include "nineteen/grammar/regex.hpp"

namespace nineteen::grammar {
namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

const Ranges kDigit = {{'0', '9'}};
const Ranges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
const Ranges kSpace = {{'\t', '\r'}, {' ', ' '}};  // \t \n \v \f \r and the space

// The code points not in `ranges` (sorted, disjoint), surrogates excluded by the builder.
Ranges complement(Ranges ranges) {
  std::sort(ranges.begin(), ranges.end());
  Ranges out;
  uint32_t next = 0;
  for (const auto& [lo, hi] : ranges) {
    if (lo > next) out.push_back({next, lo - 1});
    next = std::max(next, hi + 1);
  }
  if (next <= 0x10FFFF) out.push_back({next, 0x10FFFF});
  return out;
}

class RegexReader {
 public:
  explicit RegexReader(std::string_view pattern) : text_(pattern) {}

  Grammar read() {
    if (text_.size() > (1u << 16)) throw GrammarError("regex: longer than 65536 bytes; shorten it");
    // Anchors at the very ends are what constrained decoding does anyway.
    if (!text_.empty() && text_.front() == '^') pos_ = 1;
    if (text_.size() > pos_ && text_.back() == '$' && !escaped_at(text_.size() - 1)) end_ = text_.size() - 1;
    else end_ = text_.size();
    std::vector<std::vector<Element>> alternatives = read_alternatives();
    if (pos_ < end_) fail("unbalanced ')'");
    const uint32_t root = b_.rule_named("root");
    b_.set_alternatives(root, std::move(alternatives));
    try {
      return b_.finish(root);
    } catch (const GrammarError& e) {
      throw GrammarError(std::string("regex: ") + e.what());
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw GrammarError("regex at byte " + std::to_string(pos_) + ": " + what);
  }
  [[noreturn]] void unsupported(const std::string& construct, const std::string& what) const {
    throw GrammarError("regex at byte " + std::to_string(pos_) + ": " + what +
                           " is not supported by constrained decoding (supported: literals, escapes, [classes], ., "
                           "\\d \\w \\s and their negations, * + ? {m} {m,} {m,n}, |, groups, ^ and $ at the ends)",
                       construct);
  }

  // Whether the character at `at` is escaped by an odd run of backslashes before it.
  bool escaped_at(size_t at) const {
    size_t n = 0;
    while (at > n && text_[at - 1 - n] == '\\') ++n;
    return n % 2 == 1;
  }

  bool more() const { return pos_ < end_; }
  char peek() const { return text_[pos_]; }

  // One UTF-8 code point at pos_ (a stray byte is taken as the code point of its value).
  uint32_t read_code_point() {
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (pos_ + n > end_) n = 1;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text_[pos_ + k]) & 0x3F);
    pos_ += n;
    return cp;
  }

  uint32_t read_hex(size_t digits) {
    if (pos_ + digits > end_) fail("expected " + std::to_string(digits) + " hex digits");
    uint32_t v = 0;
    for (size_t k = 0; k < digits; ++k) {
      const char c = text_[pos_++];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) fail(std::string("'") + c + "' is not a hex digit");
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return v;
  }

  // After a backslash: a class (\d \w \s, negated \D \W \S) into `ranges` + `negated`, or one code
  // point. Returns true for a class.
  bool read_escape(Ranges& ranges, bool& negated, uint32_t& code_point, bool in_class) {
    if (!more()) fail("a pattern cannot end with a backslash");
    const char c = text_[pos_];
    const size_t at = pos_;
    switch (c) {
      case 'd': case 'D': ranges = kDigit; negated = c == 'D'; ++pos_; return true;
      case 'w': case 'W': ranges = kWord; negated = c == 'W'; ++pos_; return true;
      case 's': case 'S': ranges = kSpace; negated = c == 'S'; ++pos_; return true;
      case 'n': code_point = '\n'; break;
      case 't': code_point = '\t'; break;
      case 'r': code_point = '\r'; break;
      case 'f': code_point = '\f'; break;
      case 'v': code_point = '\v'; break;
      case '0': code_point = 0; break;
      case 'x': ++pos_; code_point = read_hex(2); return false;
      case 'u': ++pos_; code_point = read_hex(4); return false;
      case 'b':
        if (in_class) { code_point = '\b'; break; }
        unsupported("\\b", "the word boundary \\b");
      case 'B': unsupported("\\B", "the non-boundary \\B");
      case 'A': case 'Z': case 'z': case 'G':
        unsupported(std::string("\\") + c, std::string("the anchor \\") + c);
      case 'p': case 'P': unsupported(std::string("\\") + c, "the Unicode property class \\" + std::string(1, c));
      case 'k': unsupported("\\k", "the named backreference \\k");
      default:
        if (c >= '1' && c <= '9') unsupported("backreference", "the backreference \\" + std::string(1, c));
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
          pos_ = at;
          unsupported(std::string("\\") + c, "the escape \\" + std::string(1, c));
        }
        code_point = read_code_point();  // an escaped punctuation or other character: itself
        return false;
    }
    ++pos_;
    return false;
  }

  std::vector<std::vector<Element>> read_alternatives() {
    std::vector<std::vector<Element>> alternatives;
    alternatives.push_back(read_sequence());
    while (more() && peek() == '|') {
      ++pos_;
      alternatives.push_back(read_sequence());
    }
    return alternatives;
  }

  std::vector<Element> read_sequence() {
    std::vector<Element> sequence;
    while (more() && peek() != '|' && peek() != ')') {
      std::vector<Element> atom = read_atom();
      atom = read_quantifier(std::move(atom));
      sequence.insert(sequence.end(), atom.begin(), atom.end());
    }
    return sequence;
  }

  std::vector<Element> read_atom() {
    const char c = peek();
    if (c == '(') {
      ++pos_;
      if (more() && peek() == '?') {
        ++pos_;
        if (more() && peek() == ':') {
          ++pos_;
        } else if (more() && (peek() == 'P' || peek() == '<') &&
                   !(peek() == '<' && pos_ + 1 < end_ && (text_[pos_ + 1] == '=' || text_[pos_ + 1] == '!'))) {
          // A named group: the name does not change the language.
          if (peek() == 'P') ++pos_;
          if (!more() || peek() != '<') unsupported("(?P", "this (?P construct");
          const size_t close = text_.find('>', pos_);
          if (close == std::string_view::npos || close >= end_) fail("a group name without its '>'");
          pos_ = close + 1;
        } else if (more() && (peek() == '=' || peek() == '!')) {
          unsupported("lookahead", "the lookahead (?" + std::string(1, peek()));
        } else if (more() && peek() == '<') {
          unsupported("lookbehind", "the lookbehind (?<" + std::string(1, text_[pos_ + 1]));
        } else if (more() && peek() == '>') {
          unsupported("atomic group", "the atomic group (?>");
        } else {
          unsupported("inline flags", "an inline flag group (?" + std::string(more() ? 1 : 0, more() ? peek() : ' '));
        }
      }
      if (++depth_ > 200) fail("groups nested more than 200 deep");
      std::vector<std::vector<Element>> alternatives = read_alternatives();
      --depth_;
      if (!more() || peek() != ')') fail("a group without its ')'");
      ++pos_;
      return {b_.new_rule(std::move(alternatives), "group")};
    }
    if (c == '[') return {read_class()};
    if (c == '.') {
      ++pos_;
      return {b_.code_point_class({{'\n', '\n'}}, true)};  // any code point but a newline
    }
    if (c == '\\') {
      ++pos_;
      Ranges ranges;
      bool negated = false;
      uint32_t cp = 0;
      if (read_escape(ranges, negated, cp, false)) return {b_.code_point_class(ranges, negated)};
      return b_.code_point_range(cp, cp);
    }
    if (c == '*' || c == '+' || c == '?' || c == '{') fail(std::string("'") + c + "' repeats nothing");
    if (c == '^' || c == '$') unsupported(std::string(1, c), std::string("the anchor '") + c + "' inside the pattern");
    const uint32_t cp = read_code_point();
    return b_.code_point_range(cp, cp);
  }

  Element read_class() {
    ++pos_;  // '['
    bool negated = false;
    if (more() && peek() == '^') {
      negated = true;
      ++pos_;
    }
    Ranges ranges;
    bool first = true;
    while (true) {
      if (!more()) fail("a class without its ']'");
      if (peek() == ']' && !first) break;
      first = false;
      if (peek() == '[' && pos_ + 1 < end_ && (text_[pos_ + 1] == ':' || text_[pos_ + 1] == '=' || text_[pos_ + 1] == '.')) {
        unsupported("POSIX class", "a POSIX class [:name:]");
      }
      uint32_t lo = 0;
      if (peek() == '\\') {
        ++pos_;
        Ranges inner;
        bool inner_negated = false;
        if (read_escape(inner, inner_negated, lo, true)) {
          if (inner_negated) inner = complement(inner);
          ranges.insert(ranges.end(), inner.begin(), inner.end());
          continue;
        }
      } else {
        lo = read_code_point();
      }
      uint32_t hi = lo;
      if (more() && peek() == '-' && pos_ + 1 < end_ && text_[pos_ + 1] != ']') {
        ++pos_;
        if (peek() == '\\') {
          ++pos_;
          Ranges inner;
          bool inner_negated = false;
          if (read_escape(inner, inner_negated, hi, true)) fail("a range cannot end in a class escape");
        } else {
          hi = read_code_point();
        }
        if (hi < lo) fail("the range end is below its start");
      }
      ranges.push_back({lo, hi});
    }
    ++pos_;  // ']'
    if (ranges.empty() && !negated) fail("an empty class");
    return b_.code_point_class(ranges, negated);
  }

  int read_count() {
    if (!more() || peek() < '0' || peek() > '9') fail("expected a number in {m,n}");
    long v = 0;
    while (more() && peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v > kMaxRepeat) fail("a repetition bound above " + std::to_string(kMaxRepeat));
      ++pos_;
    }
    return static_cast<int>(v);
  }

  std::vector<Element> read_quantifier(std::vector<Element> atom) {
    while (more()) {
      int min = 0, max = -1;
      const char c = peek();
      if (c == '*') {
        ++pos_;
      } else if (c == '+') {
        min = 1;
        ++pos_;
      } else if (c == '?') {
        max = 1;
        ++pos_;
      } else if (c == '{') {
        ++pos_;
        min = read_count();
        max = min;
        if (more() && peek() == ',') {
          ++pos_;
          max = more() && peek() == '}' ? -1 : read_count();
        }
        if (!more() || peek() != '}') fail("a {m,n} without its '}'");
        ++pos_;
        if (max >= 0 && max < min) fail("{m,n} with n below m");
      } else {
        return atom;
      }
      // A lazy quantifier matches the same strings when the whole answer must match.
      if (more() && peek() == '?') ++pos_;
      else if (more() && peek() == '+') unsupported("possessive quantifier", "a possessive quantifier");
      // Bundle multi-element atoms so the repetition applies to all of them.
      if (atom.size() != 1) atom = {b_.new_rule({atom}, "item")};
      atom = b_.repeat(atom, min, max);
    }
    return atom;
  }

  std::string_view text_;
  size_t pos_ = 0, end_ = 0;
  int depth_ = 0;
  GrammarBuilder b_;
};

}  // namespace

Grammar regex_grammar(std::string_view pattern) { return RegexReader(pattern).read(); }

}  // namespace nineteen::grammar
