// A regular expression → Grammar, for vLLM's guided_regex: the whole answer must match.
//
// Supported: literal characters (code points, matched as UTF-8), escapes (\n \t \r \f \v \0 \xHH
// \uHHHH, an escaped punctuation character), classes [...] with ranges and negation, `.` (any code
// point but a newline), \d \w \s and \D \W \S (ASCII: [0-9], [A-Za-z0-9_], [ \t\n\v\f\r]), the
// quantifiers * + ? {m} {m,} {m,n} (a lazy `?` suffix is accepted: the language is the same),
// alternation |, groups ( ), (?: ), named groups (?P<name> ) (?<name> ), and ^ / $ at the very ends.
// Anything else is refused: GrammarError whose keyword() names it (backreference, lookahead,
// lookbehind, \b, \p, inline flags, possessive quantifier, ...).
#pragma once

#include <string_view>

#include "nineteen/grammar/grammar.hpp"

namespace nineteen::grammar {

Grammar regex_grammar(std::string_view pattern);

}  // namespace nineteen::grammar
