#include "grammar_builder.hpp"

#include <algorithm>
#include <functional>

namespace nineteen::grammar {

uint32_t GrammarBuilder::rule_named(const std::string& name) {
  auto it = names_.find(name);
  if (it != names_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(g_.rules.size());
  g_.rules.emplace_back();
  g_.rule_names.push_back(name);
  generated_.push_back(false);
  names_[name] = id;
  return id;
}

std::optional<uint32_t> GrammarBuilder::find_rule(const std::string& name) const {
  auto it = names_.find(name);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

void GrammarBuilder::count(const std::vector<std::vector<Element>>& alternatives) {
  for (const auto& alt : alternatives) elements_ += alt.size() + 1;
  if (elements_ > kMaxElements) {
    throw GrammarError("grammar: more than " + std::to_string(kMaxElements) + " elements; simplify it");
  }
}

void GrammarBuilder::set_alternatives(uint32_t rule, std::vector<std::vector<Element>> alternatives) {
  count(alternatives);
  g_.rules[rule] = std::move(alternatives);
}

Element GrammarBuilder::new_rule(std::vector<std::vector<Element>> alternatives, const std::string& base) {
  std::string name;
  do {
    name = base + "-" + std::to_string(++counters_[base]);
  } while (names_.count(name));
  uint32_t id = rule_named(name);
  generated_[id] = true;
  count(alternatives);
  g_.rules[id] = std::move(alternatives);
  return ref(id);
}

Element GrammarBuilder::bytes(const ByteSet& set) {
  auto it = sets_.find(set.bits);
  if (it != sets_.end()) return {Element::Bytes, it->second};
  uint32_t id = static_cast<uint32_t>(g_.byte_sets.size());
  g_.byte_sets.push_back(set);
  sets_[set.bits] = id;
  return {Element::Bytes, id};
}

std::vector<Element> GrammarBuilder::literal(std::string_view text) {
  std::vector<Element> out;
  for (char c : text) out.push_back(byte(static_cast<uint8_t>(c)));
  return out;
}

namespace {

int utf8_length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

void encode(uint32_t cp, uint8_t* out) {
  int n = utf8_length(cp);
  if (n == 1) {
    out[0] = static_cast<uint8_t>(cp);
    return;
  }
  for (int i = n - 1; i > 0; --i) {
    out[i] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    cp >>= 6;
  }
  out[0] = static_cast<uint8_t>((n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0) | cp);
}

// Splits [lo, hi] (no surrogates) into ranges whose UTF-8 encodings are byte-wise rectangles:
// every byte position ranges independently (the method of Rust's utf8-ranges).
void utf8_sequences(uint32_t lo, uint32_t hi, std::vector<std::vector<std::pair<uint8_t, uint8_t>>>& out) {
  if (lo > hi) return;
  for (uint32_t boundary : {0x7Fu, 0x7FFu, 0xFFFFu}) {
    if (lo <= boundary && hi > boundary) {
      utf8_sequences(lo, boundary, out);
      utf8_sequences(boundary + 1, hi, out);
      return;
    }
  }
  int n = utf8_length(lo);
  for (int i = 1; i < n; ++i) {
    uint32_t m = (uint32_t(1) << (6 * i)) - 1;
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        utf8_sequences(lo, lo | m, out);
        utf8_sequences((lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) != m) {
        utf8_sequences(lo, (hi & ~m) - 1, out);
        utf8_sequences(hi & ~m, hi, out);
        return;
      }
    }
  }
  uint8_t a[4], b[4];
  encode(lo, a);
  encode(hi, b);
  std::vector<std::pair<uint8_t, uint8_t>> seq;
  for (int i = 0; i < n; ++i) seq.push_back({a[i], b[i]});
  out.push_back(std::move(seq));
}

}  // namespace

std::vector<Element> GrammarBuilder::code_point_range(uint32_t lo, uint32_t hi) {
  if (lo == hi && lo <= 0x10FFFF && !(lo >= 0xD800 && lo <= 0xDFFF)) {
    uint8_t buf[4];
    encode(lo, buf);
    std::vector<Element> out;
    for (int i = 0; i < utf8_length(lo); ++i) out.push_back(byte(buf[i]));
    return out;
  }
  return {code_point_class({{lo, hi}}, false)};
}

Element GrammarBuilder::code_point_class(std::vector<std::pair<uint32_t, uint32_t>> ranges, bool negated) {
  for (auto& r : ranges) {
    if (r.first > 0x10FFFF) throw GrammarError("grammar: code point above U+10FFFF in a class");
    r.second = std::min<uint32_t>(r.second, 0x10FFFF);
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  if (negated) {
    std::vector<std::pair<uint32_t, uint32_t>> complement;
    uint32_t next = 0;
    for (const auto& r : merged) {
      if (r.first > next) complement.push_back({next, r.first - 1});
      next = r.second + 1;
    }
    if (next <= 0x10FFFF) complement.push_back({next, 0x10FFFF});
    merged = std::move(complement);
  }
  // Surrogates are not characters: cut them out.
  std::vector<std::pair<uint32_t, uint32_t>> clean;
  for (const auto& r : merged) {
    if (r.second < 0xD800 || r.first > 0xDFFF) {
      clean.push_back(r);
      continue;
    }
    if (r.first < 0xD800) clean.push_back({r.first, 0xD7FF});
    if (r.second > 0xDFFF) clean.push_back({0xE000, r.second});
  }
  ByteSet ascii;
  std::vector<std::vector<std::pair<uint8_t, uint8_t>>> sequences;
  bool any_ascii = false;
  for (const auto& r : clean) {
    if (r.first < 0x80) {
      ascii.add(static_cast<uint8_t>(r.first), static_cast<uint8_t>(std::min<uint32_t>(r.second, 0x7F)));
      any_ascii = true;
    }
    if (r.second >= 0x80) utf8_sequences(std::max<uint32_t>(r.first, 0x80), r.second, sequences);
  }
  if (sequences.empty()) {
    return bytes(ascii);  // an empty set is a valid class that matches nothing
  }
  std::vector<std::vector<Element>> alternatives;
  if (any_ascii) alternatives.push_back({bytes(ascii)});
  // Sequences sharing a lead byte range are kept apart; the matcher handles the ambiguity-free set.
  for (const auto& seq : sequences) {
    std::vector<Element> alt;
    for (const auto& [lo, hi] : seq) {
      ByteSet s;
      s.add(lo, hi);
      alt.push_back(bytes(s));
    }
    alternatives.push_back(std::move(alt));
  }
  return new_rule(std::move(alternatives), "class");
}

std::vector<Element> GrammarBuilder::repeat(const std::vector<Element>& item, int min, int max) {
  if (min > kMaxRepeat || max > kMaxRepeat) {
    throw GrammarError("grammar: a repetition bound above " + std::to_string(kMaxRepeat));
  }
  std::vector<Element> out;
  for (int i = 0; i < min; ++i) out.insert(out.end(), item.begin(), item.end());
  if (max < 0) {
    // star ::= item star | ε  (right recursion: the matcher's stack does not grow)
    Element star = new_rule({}, "star");
    std::vector<Element> loop = item;
    loop.push_back(star);
    count({loop, {}});
    g_.rules[star.index] = {loop, {}};
    out.push_back(star);
  } else if (max > min) {
    // opt_k ::= item opt_{k-1} | ε, nested max - min deep
    Element tail = new_rule({item, {}}, "opt");
    for (int i = 1; i < max - min; ++i) {
      std::vector<Element> alt = item;
      alt.push_back(tail);
      tail = new_rule({alt, {}}, "opt");
    }
    out.push_back(tail);
  }
  if (out.size() > kMaxElements) throw GrammarError("grammar: a repetition makes the grammar too large");
  return out;
}

Grammar GrammarBuilder::finish(uint32_t root) {
  g_.root = root;
  if (g_.element_count() > kMaxElements) {
    throw GrammarError("grammar: more than " + std::to_string(kMaxElements) + " elements; simplify it");
  }
  g_.check_left_recursion();
  return std::move(g_);
}

size_t Grammar::element_count() const {
  size_t n = 0;
  for (const auto& rule : rules) {
    for (const auto& alt : rule) n += alt.size() + 1;
  }
  return n;
}

void Grammar::check_left_recursion() const {
  const size_t n = rules.size();
  // Nullable rules, by fixpoint.
  std::vector<bool> nullable(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < n; ++r) {
      if (nullable[r]) continue;
      for (const auto& alt : rules[r]) {
        bool all = std::all_of(alt.begin(), alt.end(),
                               [&](const Element& e) { return e.kind == Element::Rule && nullable[e.index]; });
        if (all) {
          nullable[r] = changed = true;
          break;
        }
      }
    }
  }
  // Rules reachable at the left edge, then a cycle search.
  std::vector<std::vector<uint32_t>> left(n);
  for (size_t r = 0; r < n; ++r) {
    for (const auto& alt : rules[r]) {
      for (const Element& e : alt) {
        if (e.kind != Element::Rule) break;
        left[r].push_back(e.index);
        if (!nullable[e.index]) break;
      }
    }
  }
  std::vector<int> color(n, 0);
  std::function<void(uint32_t)> visit = [&](uint32_t r) {
    color[r] = 1;
    for (uint32_t next : left[r]) {
      if (color[next] == 1) {
        throw GrammarError("grammar: rule \"" + rule_names[next] +
                           "\" can recur without consuming input (left recursion, or a repetition of "
                           "something that may be empty); rewrite it right-recursively");
      }
      if (color[next] == 0) visit(next);
    }
    color[r] = 2;
  };
  for (size_t r = 0; r < n; ++r) {
    if (color[r] == 0) visit(static_cast<uint32_t>(r));
  }
}

Grammar surround(Grammar g, std::string_view before, std::string_view after) {
  std::vector<Element> sequence;
  auto literal = [&](std::string_view text) {
    for (unsigned char c : text) {
      ByteSet set;
      set.add(c, c);
      g.byte_sets.push_back(set);
      sequence.push_back(Element{Element::Bytes, static_cast<uint32_t>(g.byte_sets.size() - 1)});
    }
  };
  literal(before);
  sequence.push_back(Element{Element::Rule, g.root});
  literal(after);
  g.rules.push_back({sequence});
  g.rule_names.push_back("surround");
  g.root = static_cast<uint32_t>(g.rules.size() - 1);
  return g;
}

}  // namespace nineteen::grammar
