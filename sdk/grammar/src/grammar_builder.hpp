// Building a Grammar piece by piece: named and generated rules, byte sets shared by value,
// code-point classes as UTF-8 byte sequences, bounded and unbounded repetition.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nineteen/grammar/grammar.hpp"

namespace nineteen::grammar {

constexpr int kMaxRepeat = 10000;        // the largest {m,n} bound a grammar or schema may use
constexpr size_t kMaxElements = 2000000;  // the largest grammar, in elements, a request may build

class GrammarBuilder {
 public:
  uint32_t rule_named(const std::string& name);
  std::optional<uint32_t> find_rule(const std::string& name) const;
  bool is_generated(uint32_t rule) const { return generated_[rule]; }
  void set_alternatives(uint32_t rule, std::vector<std::vector<Element>> alternatives);
  // A fresh rule named base-N holding `alternatives`; returns a reference to it.
  Element new_rule(std::vector<std::vector<Element>> alternatives, const std::string& base);
  Element ref(uint32_t rule) const { return {Element::Rule, rule}; }
  Element bytes(const ByteSet& set);
  Element byte(uint8_t b) {
    ByteSet s;
    s.add(b, b);
    return bytes(s);
  }
  // The bytes of `text`, one element each.
  std::vector<Element> literal(std::string_view text);
  // The UTF-8 encodings of code points lo..hi: one element per byte when lo == hi, else a rule.
  std::vector<Element> code_point_range(uint32_t lo, uint32_t hi);
  // A class of code points (negated: every other code point but surrogates): one element.
  Element code_point_class(std::vector<std::pair<uint32_t, uint32_t>> ranges, bool negated);
  // `item` repeated min..max times (max < 0: unbounded), as a sequence of elements.
  std::vector<Element> repeat(const std::vector<Element>& item, int min, int max);

  const Grammar& grammar() const { return g_; }
  Grammar finish(uint32_t root);

 private:
  Grammar g_;
  std::vector<bool> generated_;
  std::map<std::string, uint32_t> names_;
  std::map<std::array<uint64_t, 4>, uint32_t> sets_;
  std::map<std::string, uint32_t> counters_;
  size_t elements_ = 0;  // elements added so far, bounded by kMaxElements as they come
  void count(const std::vector<std::vector<Element>>& alternatives);
};

}  // namespace nineteen::grammar
