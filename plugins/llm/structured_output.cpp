#include "structured_output.hpp"

#include <limits>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <nineteen/grammar/json_schema.hpp>
#include <nineteen/grammar/regex.hpp>

#include "loaded_model.hpp"

namespace nineteen::llm {

using sdk::Error;

namespace {

std::string json_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Compiles, turning GrammarError into the request key's error.
template <typename F>
std::shared_ptr<const grammar::Grammar> compiled(const std::string& key, F&& make) {
  try {
    return std::make_shared<const grammar::Grammar>(make());
  } catch (const grammar::GrammarError& e) {
    throw Error(e.keyword().empty() ? NT_INVALID_ARGUMENT : NT_UNIMPLEMENTED,
                "request key \"" + key + "\": " + e.what());
  }
}

}  // namespace

std::shared_ptr<const grammar::Grammar> read_output_constraint(const sdk::JsonObject& req,
                                                               const GrammarSettings& settings) {
  const char* given = nullptr;
  for (const char* key : kStructuredOutputKeys) {
    if (!req.has(key)) continue;
    if (given) {
      throw Error(NT_INVALID_ARGUMENT, std::string("request key \"") + key + "\": only one of response_format, "
                                       "guided_json, guided_choice, guided_regex and grammar may be given (\"" + given + "\" is too)");
    }
    given = key;
  }
  if (!given) return nullptr;
  const grammar::JsonGrammarOptions options{settings.json_whitespace};
  const std::string key = given;
  const rapidjson::Value& v = req.require(given);
  if (key == "response_format") {
    sdk::JsonObject format(v, "request key \"response_format\"");
    const std::string type = format.string("type");
    if (type == "text") return nullptr;
    if (type == "json_object") {
      format.allow_only({"type"});
      return compiled(key, [&] { return grammar::json_object_grammar(options); });
    }
    if (type != "json_schema") {
      throw format.bad("type", "\"text\", \"json_object\" or \"json_schema\"", format.require("type"));
    }
    format.allow_only({"type", "json_schema"});
    sdk::JsonObject spec(format.require("json_schema"), "request key \"response_format.json_schema\"");
    spec.allow_only({"name", "description", "schema", "strict"});
    if (spec.has("strict")) spec.boolean_or("strict", true);  // strict or not, the schema is enforced
    const rapidjson::Value& schema = spec.require("schema");
    if (!schema.IsObject() && !schema.IsBool()) throw spec.bad("schema", "a JSON Schema object", schema);
    return compiled("response_format.json_schema.schema",
                    [&] { return grammar::json_schema_grammar(json_text(schema), options); });
  }
  if (key == "guided_json") {
    std::string text = v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : json_text(v);
    if (!v.IsString() && !v.IsObject()) throw req.bad("guided_json", "a JSON Schema (object or string)", v);
    return compiled(key, [&] { return grammar::json_schema_grammar(text, options); });
  }
  if (key == "guided_choice") {
    if (!v.IsArray() || v.Empty()) throw req.bad("guided_choice", "a non-empty list of strings", v);
    std::vector<std::string> choices;
    for (const auto& c : v.GetArray()) {
      if (!c.IsString() || c.GetStringLength() == 0) throw req.bad("guided_choice", "a non-empty list of non-empty strings", v);
      choices.emplace_back(c.GetString(), c.GetStringLength());
    }
    return compiled(key, [&] { return grammar::choice_grammar(choices); });
  }
  if (key == "guided_regex") {
    if (!v.IsString() || v.GetStringLength() == 0) throw req.bad("guided_regex", "a regular expression (a string)", v);
    if (v.GetStringLength() > (1u << 16)) throw req.bad("guided_regex", "a regular expression of at most 64 KiB", v);
    return compiled(key, [&] { return grammar::regex_grammar(std::string_view(v.GetString(), v.GetStringLength())); });
  }
  if (!v.IsString()) throw req.bad("grammar", "GBNF text (a string)", v);
  if (v.GetStringLength() > (1u << 20)) throw req.bad("grammar", "GBNF text of at most 1 MiB", v);
  return compiled(key, [&] { return grammar::parse_gbnf(std::string_view(v.GetString(), v.GetStringLength())); });
}

std::shared_ptr<const grammar::VocabularyTrie> vocabulary_trie(const LoadedModel& model) {
  std::vector<std::string> bytes(static_cast<size_t>(model.vocab()));
  for (int64_t id = 0; id < model.vocab(); ++id) bytes[id] = model.visible_bytes(static_cast<int32_t>(id));
  return std::make_shared<const grammar::VocabularyTrie>(bytes);
}

void apply_mask(const grammar::TokenMask& mask, float* logits, int64_t vocab) {
  const float off = -std::numeric_limits<float>::infinity();
  for (int64_t word = 0; word * 64 < vocab; ++word) {
    const uint64_t bits = static_cast<size_t>(word) < mask.bits.size() ? mask.bits[word] : 0;
    if (bits == ~uint64_t(0)) continue;
    const int64_t end = std::min<int64_t>(vocab, word * 64 + 64);
    for (int64_t id = word * 64; id < end; ++id) {
      if (!((bits >> (id - word * 64)) & 1u)) logits[id] = off;
    }
  }
}

MaskReplay replay_masks(const LoadedModel& model, const std::shared_ptr<const grammar::VocabularyTrie>& trie,
                        const std::shared_ptr<const grammar::Grammar>& g, const GrammarSettings& settings,
                        const std::vector<int32_t>& tokens, std::optional<int32_t> stop) {
  MaskReplay out;
  try {
    grammar::TokenMasker masker(g, trie, model.stop_tokens, settings.max_states);
    for (size_t i = 0; i < tokens.size(); ++i) {
      const grammar::TokenMask& mask = masker.mask();
      out.masks.push_back(mask.bits);
      if (!masker.accept(tokens[i], model.visible_bytes(tokens[i]))) {
        out.problem = "token " + std::to_string(tokens[i]) + " at position " + std::to_string(i) +
                      " is outside the request's grammar (response_format or grammar)";
        return out;
      }
    }
    if (stop) {
      const grammar::TokenMask& mask = masker.mask();
      out.masks.push_back(mask.bits);
      if (!mask.allowed(*stop)) {
        out.problem = "the answer stops (token " + std::to_string(*stop) + ") before the grammar's text is complete";
      }
    }
  } catch (const grammar::GrammarError& e) {
    out.problem = std::string("the grammar cannot be run: ") + e.what();
  }
  return out;
}

}  // namespace nineteen::llm
