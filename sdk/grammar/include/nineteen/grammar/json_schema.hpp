// JSON Schema → Grammar, for structured outputs (OpenAI's response_format json_schema).
//
// The grammar writes one serialization of each valid value: object properties in the order the
// schema lists them (listed ones first, then any additional ones), no duplicate keys, at most
// `max_whitespace` of space, tab or newline between tokens, strings as JSON strings of valid
// UTF-8, numbers in JSON's syntax. Supported keywords: type, enum, const, properties, required,
// additionalProperties, items (a schema), prefixItems, minItems, maxItems, minLength, maxLength,
// anyOf, allOf of one schema, $ref to "#" or "#/..." ($defs, definitions), boolean schemas, and
// the annotations (title, description, default, examples, $comment, $schema, $id, deprecated,
// readOnly, writeOnly). Any other keyword is refused: GrammarError with keyword() naming it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nineteen/grammar/grammar.hpp"

namespace nineteen::grammar {

struct JsonGrammarOptions {
  int max_whitespace = 2;  // bytes of [ \t\n] allowed between two JSON tokens (0 = compact)
};

// `schema_json` is the schema's JSON text. Errors name the schema location (#/properties/x).
Grammar json_schema_grammar(std::string_view schema_json, const JsonGrammarOptions& options = {});

// Any JSON object (OpenAI's response_format json_object).
Grammar json_object_grammar(const JsonGrammarOptions& options = {});

// Exactly one of `choices` (vLLM's guided_choice).
Grammar choice_grammar(const std::vector<std::string>& choices);

}  // namespace nineteen::grammar
