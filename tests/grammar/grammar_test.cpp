// GBNF reading, byte matching and token masks (the trie walk against a naive per-token run).
#include <gtest/gtest.h>

#include <random>

#include <nineteen/grammar/grammar.hpp>
#include <nineteen/grammar/matcher.hpp>

namespace nineteen::grammar {
namespace {

bool matches(const std::string& gbnf, const std::string& text) {
  GrammarAutomaton a(std::make_shared<Grammar>(parse_gbnf(gbnf)));
  return a.matches(text);
}

std::string error_of(const std::string& gbnf) {
  try {
    parse_gbnf(gbnf);
  } catch (const GrammarError& e) {
    return e.what();
  }
  return "";
}

TEST(Gbnf, LiteralsAlternativesAndGroups) {
  const std::string g = "root ::= \"ab\" (\"c\" | \"de\")  # a comment\n";
  EXPECT_TRUE(matches(g, "abc"));
  EXPECT_TRUE(matches(g, "abde"));
  EXPECT_FALSE(matches(g, "ab"));
  EXPECT_FALSE(matches(g, "abd"));
  EXPECT_FALSE(matches(g, "abcc"));
}

TEST(Gbnf, RepetitionForms) {
  EXPECT_TRUE(matches("root ::= \"a\"*", ""));
  EXPECT_TRUE(matches("root ::= \"a\"*", "aaaa"));
  EXPECT_FALSE(matches("root ::= \"a\"+", ""));
  EXPECT_TRUE(matches("root ::= \"ab\"+", "ababab"));
  EXPECT_FALSE(matches("root ::= \"ab\"+", "aba"));
  EXPECT_TRUE(matches("root ::= \"a\"? \"b\"", "b"));
  EXPECT_TRUE(matches("root ::= \"a\"? \"b\"", "ab"));
  const std::string bounded = "root ::= [0-9]{2,4}";
  EXPECT_FALSE(matches(bounded, "1"));
  EXPECT_TRUE(matches(bounded, "12"));
  EXPECT_TRUE(matches(bounded, "1234"));
  EXPECT_FALSE(matches(bounded, "12345"));
  EXPECT_TRUE(matches("root ::= \"x\"{3,}", "xxxxxx"));
  EXPECT_FALSE(matches("root ::= \"x\"{3,}", "xx"));
  EXPECT_TRUE(matches("root ::= (\"a\" \"b\"){2}", "abab"));
}

TEST(Gbnf, ClassesAreCodePointsMatchedAsUtf8) {
  const std::string g = "root ::= [α-ω]+";
  EXPECT_TRUE(matches(g, "αβγ"));
  EXPECT_FALSE(matches(g, "abc"));
  EXPECT_FALSE(matches(g, "\xCE"));  // half a character is not a match, but is a live prefix
  GrammarAutomaton a(std::make_shared<Grammar>(parse_gbnf(g)));
  EXPECT_NE(a.run(a.start(), "\xCE"), GrammarAutomaton::kDead);
  const std::string negated = "root ::= [^\"\\\\]*";
  EXPECT_TRUE(matches(negated, "héllo wörld €𝄞"));
  EXPECT_FALSE(matches(negated, "a\"b"));
  EXPECT_FALSE(matches(negated, "\xFF"));       // not UTF-8
  EXPECT_FALSE(matches(negated, "\xED\xA0\x80"));  // a surrogate
  EXPECT_TRUE(matches("root ::= \"\\u00e9\\x41\"", "éA"));
  EXPECT_TRUE(matches("root ::= . .", "é€"));
}

TEST(Gbnf, RulesAndRecursion) {
  const std::string g = R"(root ::= list
list ::= "[" (item ("," item)*)? "]"
item ::= [a-z]+ | list
)";
  EXPECT_TRUE(matches(g, "[]"));
  EXPECT_TRUE(matches(g, "[a,[b,[]],cd]"));
  EXPECT_FALSE(matches(g, "[a,]"));
  EXPECT_FALSE(matches(g, "[[a]"));
}

TEST(Gbnf, ErrorsNameTheProblem) {
  EXPECT_NE(error_of("root ::= foo").find("\"foo\" is used but never defined"), std::string::npos);
  EXPECT_NE(error_of("start ::= \"a\"").find("no rule named \"root\""), std::string::npos);
  EXPECT_NE(error_of("root ::= root \"a\" | \"b\"").find("can recur without consuming input"), std::string::npos);
  EXPECT_NE(error_of("root ::= (\"a\"?)*").find("can recur without consuming input"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"abc").find("line 1: a literal has no closing quote"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"a\"\nroot ::= \"b\"").find("defined twice"), std::string::npos);
  EXPECT_NE(error_of("root ::= [0-9]{5,2}").find("max below min"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"a\"{99999}").find("above"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"a\" ) \"b\"").find("unexpected character ')'"), std::string::npos);
}

TEST(Automaton, StateLimitStopsAHostileGrammar) {
  // Nesting grows the parse stack by one entry per byte: a new state each time.
  auto g = std::make_shared<Grammar>(parse_gbnf("root ::= \"a\" root \"b\" | \"c\""));
  GrammarAutomaton a(g, 50);
  EXPECT_TRUE(a.matches("aacbb"));
  EXPECT_THROW(
      {
        auto s = a.start();
        for (int i = 0; i < 1000; ++i) s = a.step(s, 'a');
      },
      GrammarError);
}

// A vocabulary of every byte plus random multi-byte strings, including shared prefixes.
std::vector<std::string> test_vocabulary(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> v;
  for (int b = 0; b < 256; ++b) v.push_back(std::string(1, static_cast<char>(b)));
  const std::string pieces[] = {"{", "}", "\"", ":", ",", " ", "\n", "a", "b", "name", "true", "false", "null",
                                "1", "23", ".", "e", "-", "[", "]", "é", "\\", "u", "0"};
  while (v.size() < n) {
    std::string t;
    size_t len = 1 + rng() % 5;
    for (size_t k = 0; k < len; ++k) t += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
    v.push_back(t);
  }
  v.push_back("");  // a special token: never allowed by a grammar
  return v;
}

TEST(TokenMask, TrieWalkEqualsRunningEveryToken) {
  const std::vector<std::string> vocab = test_vocabulary(3000, 7);
  auto trie = std::make_shared<VocabularyTrie>(vocab);
  auto grammar = std::make_shared<Grammar>(parse_gbnf(R"(root ::= "{" ws ("\"name\"" ws ":" ws value) ws "}"
value ::= "true" | "false" | "null" | [0-9]+ ("." [0-9]+)? | "\"" [^"\\]* "\""
ws ::= [ \n]{0,2}
)"));
  const int32_t end_token = static_cast<int32_t>(vocab.size() - 1);
  TokenMasker masker(grammar, trie, {end_token});
  GrammarAutomaton naive(grammar);
  // Walk a text through the masker token by token, comparing each mask with a naive scan.
  const std::vector<std::string> path = {"{", " ", "\"", "name", "\"", ":", "\"", "a", "é", "\"", "}"};
  GrammarAutomaton::State s = naive.start();
  for (size_t step = 0; step <= path.size(); ++step) {
    const TokenMask& m = masker.mask();
    size_t allowed = 0;
    for (size_t id = 0; id < vocab.size(); ++id) {
      bool expect = !vocab[id].empty() && naive.run(s, vocab[id]) != GrammarAutomaton::kDead;
      if (static_cast<int32_t>(id) == end_token) expect = naive.accepts(s);
      ASSERT_EQ(m.allowed(static_cast<int32_t>(id)), expect) << "step " << step << " token " << id << " \"" << vocab[id] << "\"";
      allowed += expect;
    }
    EXPECT_EQ(m.count(), allowed);
    if (step == path.size()) break;
    const std::string& t = path[step];
    auto id = std::find(vocab.begin(), vocab.end(), t) - vocab.begin();
    ASSERT_TRUE(masker.accept(static_cast<int32_t>(id), t)) << t;
    s = naive.run(s, t);
  }
  EXPECT_TRUE(masker.complete());
  EXPECT_TRUE(masker.finished());
  EXPECT_TRUE(masker.mask().allowed(end_token));
  EXPECT_EQ(masker.mask().count(), 1u);
  // A token outside the mask is refused and leaves the state as it was.
  auto x = std::find(vocab.begin(), vocab.end(), "a") - vocab.begin();
  EXPECT_FALSE(masker.accept(static_cast<int32_t>(x), "a"));
  EXPECT_TRUE(masker.finished());
}

}  // namespace
}  // namespace nineteen::grammar
