// guided_regex: a regular expression compiled to the grammar form. Judged against std::regex
// (ECMAScript, full match) on every string of a small alphabet up to length 4 plus hand-picked ones,
// for each supported construct; unsupported constructs are refused by name.
#include <gtest/gtest.h>

#include <memory>
#include <regex>

#include "nineteen/grammar/matcher.hpp"
#include "nineteen/grammar/regex.hpp"

namespace nineteen::grammar {
namespace {

bool ours(GrammarAutomaton& a, const std::string& text) { return a.matches(text); }

// Every string over `alphabet` of length 0..max_length.
std::vector<std::string> strings_over(const std::string& alphabet, size_t max_length) {
  std::vector<std::string> out{""};
  std::vector<std::string> layer{""};
  for (size_t length = 1; length <= max_length; ++length) {
    std::vector<std::string> next;
    for (const std::string& s : layer) {
      for (char c : alphabet) next.push_back(s + c);
    }
    out.insert(out.end(), next.begin(), next.end());
    layer = std::move(next);
  }
  return out;
}

TEST(Regex, AgreesWithStdRegexOnEveryShortString) {
  // ASCII patterns, so that std::regex (which sees bytes) is a fair reference.
  const std::vector<std::string> patterns = {
      "abc", "a|b|cd", "a*", "a+b?", "(ab)*c", "(a|b){2}", "a{1,3}", "a{2,}b", "[abc]+", "[^a]*", "[a-c]{0,2}x?",
      ".a.", "\\d+", "\\w*\\s?", "[\\d ]+", "\\D\\W?", "(?:a|bc)+", "(?P<x>a)b", "^a(b|)c$", "a.*?b", "(a*b*)c",
      "x{3}", "[-a]", "[a-]b", "\\.\\*\\+", "((a)|(b(c)?))*", "a??b", "[\\w.-]+@[a-c]+\\.[a-z]{2,3}",
      "(0|[1-9][0-9]*)(\\.[0-9]+)?", "[^\\s]+", "\\x41\\u0042", "yes|no|maybe"};
  const std::vector<std::string> extra = {"AB", "ab@c.de", "x@y.io", "10.5", "01", "0.25", "yes", "maybe", "mayb",
                                          "a b", "a\nb", "a-b", ".*+", "xxx", "xxxx", "aaaab", "abcbcbc", "_9 "};
  const std::vector<std::string> shorts = strings_over("ab c.1-@x\n_", 3);
  for (const std::string& pattern : patterns) {
    SCOPED_TRACE(pattern);
    std::string ecma = pattern;
    // std::regex has no (?P<name>...): the same group without its name.
    if (ecma == "(?P<x>a)b") ecma = "(a)b";
    if (ecma == "\\x41\\u0042") ecma = "AB";
    const std::regex reference(ecma, std::regex::ECMAScript);
    GrammarAutomaton a(std::make_shared<const Grammar>(regex_grammar(pattern)));
    size_t accepted = 0;
    std::vector<std::string> texts = shorts;
    texts.insert(texts.end(), extra.begin(), extra.end());
    for (const std::string& text : texts) {
      // ECMAScript's '.' also refuses \r and the Unicode line breaks; the texts here have only \n.
      const bool want = std::regex_match(text, reference);
      EXPECT_EQ(ours(a, text), want) << "text \"" << text << "\"";
      accepted += want;
    }
    EXPECT_GT(accepted, 0u) << "a pattern no test string matches proves little";
  }
}

TEST(Regex, CodePointsAreMatchedAsUtf8) {
  GrammarAutomaton a(std::make_shared<const Grammar>(regex_grammar("[α-ω]+ é.")));
  EXPECT_TRUE(a.matches("αβγ é😀"));
  EXPECT_FALSE(a.matches("abc é!"));
  EXPECT_FALSE(a.matches("α e!"));
  // A token may end inside a character: the bytes so far keep the state alive.
  GrammarAutomaton b(std::make_shared<const Grammar>(regex_grammar("日本")));
  auto s = b.run(b.start(), "\xE6\x97");
  EXPECT_NE(s, GrammarAutomaton::kDead);
  EXPECT_TRUE(b.accepts(b.run(s, "\xA5\xE6\x9C\xAC")));
}

TEST(Regex, UnsupportedSyntaxIsRefusedByName) {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"(a)\\1", "backreference"},        {"a(?=b)", "lookahead"},         {"(?<=a)b", "lookbehind"},
      {"\\bword\\b", "\\b"},              {"\\p{L}+", "\\p"},              {"(?i)abc", "inline flags"},
      {"a*+", "possessive quantifier"},   {"(?>ab)", "atomic group"},     {"a^b", "^"},
      {"[[:alpha:]]", "POSIX class"},     {"\\Aabc", "\\A"},               {"\\q", "\\q"}};
  for (const auto& [pattern, keyword] : refused) {
    SCOPED_TRACE(pattern);
    try {
      regex_grammar(pattern);
      ADD_FAILURE() << "accepted";
    } catch (const GrammarError& e) {
      EXPECT_EQ(e.keyword(), keyword) << e.what();
      EXPECT_NE(std::string(e.what()).find("not supported by constrained decoding"), std::string::npos) << e.what();
    }
  }
  // Malformed patterns: an error naming the place, with no keyword.
  for (const std::string bad : {"(ab", "ab)", "[ab", "a{2,1}", "*a", "a{", "[z-a]", "\\"}) {
    SCOPED_TRACE(bad);
    try {
      regex_grammar(bad);
      ADD_FAILURE() << "accepted";
    } catch (const GrammarError& e) {
      EXPECT_TRUE(e.keyword().empty()) << e.what();
      EXPECT_NE(std::string(e.what()).find("regex"), std::string::npos) << e.what();
    }
  }
  // A repetition of something that may be empty would loop without consuming: refused, not hung.
  EXPECT_THROW(regex_grammar("(a*)*"), GrammarError);
}

}  // namespace
}  // namespace nineteen::grammar
