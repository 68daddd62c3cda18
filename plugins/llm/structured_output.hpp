// Structured outputs by constrained decoding (issue 25): the request keys that ask for them, the
// token masks generation applies before sampling, and their replay when checking.
//
// Keys: response_format {"type":"json_object"} or {"type":"json_schema","json_schema":{"schema":…}}
// (OpenAI), guided_json (a schema, vLLM), guided_choice (a list of strings, vLLM), guided_regex (a
// regular expression the whole answer matches, vLLM; grammar/regex.hpp says which syntax) and
// grammar (GBNF text, llama.cpp). At most one. The settings that shape the mask come from the task's
// tasks.toml table (GrammarSettings), so a miner and its checker build the same masks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nineteen/grammar/grammar.hpp>
#include <nineteen/grammar/matcher.hpp>
#include <nineteen/sdk/json.hpp>

namespace nineteen::llm {

struct LoadedModel;

struct GrammarSettings {
  int json_whitespace = 2;           // bytes of whitespace allowed between JSON tokens
  size_t max_states = 100000;        // parser states one request may build (about 1 KiB each)
};

// The keys read here, for allow_only_request_keys.
inline constexpr const char* kStructuredOutputKeys[] = {"response_format", "guided_json", "guided_choice", "guided_regex",
                                                        "grammar"};

// Reads the request's constraint, if any. Errors are sdk::Error naming the request key, and for
// an unsupported schema keyword NT_UNIMPLEMENTED naming that keyword.
std::shared_ptr<const grammar::Grammar> read_output_constraint(const sdk::JsonObject& request,
                                                               const GrammarSettings& settings);

// The vocabulary trie of a model: the visible bytes of every token (special tokens excluded).
std::shared_ptr<const grammar::VocabularyTrie> vocabulary_trie(const LoadedModel& model);

// Sets every logit the mask does not allow to -infinity.
void apply_mask(const grammar::TokenMask& mask, float* logits, int64_t vocab);

// The masks a generation under `g` met at each of `tokens` (then at the stop token, when
// `stop` is given), or the first token the grammar did not allow.
struct MaskReplay {
  std::vector<std::vector<uint64_t>> masks;
  std::optional<std::string> problem;
};
MaskReplay replay_masks(const LoadedModel& model, const std::shared_ptr<const grammar::VocabularyTrie>& trie,
                        const std::shared_ptr<const grammar::Grammar>& g, const GrammarSettings& settings,
                        const std::vector<int32_t>& tokens, std::optional<int32_t> stop);

}  // namespace nineteen::llm
