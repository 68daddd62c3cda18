// A byte-level context-free grammar for constrained decoding, and its reader for llama.cpp's GBNF.
//
// Rules are lists of alternatives; an alternative is a sequence of elements, each either a set of
// bytes or a reference to a rule. Text is matched byte by byte: a character class over code points
// (`[^"\\]`, `[α-ω]`) becomes the UTF-8 byte sequences of its code points, so a token that ends in
// the middle of a multi-byte character is judged on the bytes it has. No libtorch, no JSON.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nineteen::grammar {

// A grammar, schema or constraint that cannot be compiled. `keyword` names the JSON-schema keyword
// (or GBNF construct) that is not supported, when that is the reason; empty otherwise.
class GrammarError : public std::runtime_error {
 public:
  explicit GrammarError(const std::string& message, std::string keyword = {})
      : std::runtime_error(message), keyword_(std::move(keyword)) {}
  const std::string& keyword() const { return keyword_; }

 private:
  std::string keyword_;
};

struct ByteSet {
  std::array<uint64_t, 4> bits{};
  bool has(uint8_t b) const { return (bits[b >> 6] >> (b & 63)) & 1u; }
  void add(uint8_t lo, uint8_t hi) {
    for (unsigned b = lo; b <= hi; ++b) bits[b >> 6] |= uint64_t(1) << (b & 63);
  }
  bool operator==(const ByteSet& o) const { return bits == o.bits; }
};

struct Element {
  enum Kind : uint8_t { Bytes, Rule };
  Kind kind = Bytes;
  uint32_t index = 0;  // into Grammar::byte_sets or Grammar::rules
};

struct Grammar {
  std::vector<std::string> rule_names;                   // for messages; generated rules are named name-N
  std::vector<std::vector<std::vector<Element>>> rules;  // rule -> alternatives -> elements
  std::vector<ByteSet> byte_sets;
  uint32_t root = 0;

  // Throws GrammarError when a rule can reach itself without consuming a byte (left recursion,
  // or a repetition of something that may be empty), which a pushdown matcher cannot run.
  void check_left_recursion() const;
  size_t element_count() const;
};

// `g` with fixed text before and after what it matches (a new root rule: before, old root, after),
// e.g. a tool call's JSON inside Qwen2.5's "<tool_call>\n" ... "\n</tool_call>".
Grammar surround(Grammar g, std::string_view before, std::string_view after);

// Reads GBNF as llama.cpp writes it: `name ::= alternatives`, "literals" and [classes] with \n \t
// \r \\ \" \xHH \uHHHH escapes, `.`, (groups), *, +, ?, {m}, {m,}, {m,n}, # comments. The start
// rule is `root`. Errors name the line and what was expected.
Grammar parse_gbnf(std::string_view text);

}  // namespace nineteen::grammar
