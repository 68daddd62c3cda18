// Checking answers: validate each, score all of them in one forward pass, apply §6.
#include "answer_check.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <rapidjson/document.h>

#include "generation_request.hpp"
#include "miner_answer.hpp"
#include "prompt_encoding.hpp"

namespace nineteen::llm {
namespace {

// An answer that passed the structural checks and waits for the model.
struct ScoredAnswer {
  size_t index = 0;
  MinerAnswer answer;
  double temperature = 1;
  bool reached_max_tokens = false;
  bool stop_appended = false;
  models::ScoreRequest score;
};

std::string visible_text(const LoadedModel& model, const std::vector<int32_t>& tokens) {
  std::string text;
  for (int32_t t : tokens) text += model.visible_bytes(t);
  return text;
}

// Either a finished verdict (quality 0 with the reason) or an answer ready to score.
std::optional<sdk::CheckResult> prepare(const LoadedModel& model, LlmTaskType type, const CheckLimits& limits,
                                        std::string_view request_json, std::string_view response,
                                        ScoredAnswer& out) {
  GenerationRequest request;
  std::vector<int32_t> prompt;
  int64_t max_tokens = 0;
  try {
    request = GenerationRequest::parse(request_json, type, limits.max_tokens_limit, limits.grammar,
                                       tool_format_of(model.chat_template ? &*model.chat_template : nullptr));
    prompt = encode_prompt(model, request);
    max_tokens = resolve_max_tokens(request, static_cast<int64_t>(prompt.size()), limits.max_context,
                                    limits.max_tokens_limit);
  } catch (const std::exception& e) {
    return sdk::CheckResult{0.0, std::string("the request itself is invalid: ") + e.what()};
  }
  MinerAnswerRead read = read_miner_answer(response, type);
  if (!read.answer) return sdk::CheckResult{0.0, "malformed answer: " + read.problem};
  MinerAnswer& a = *read.answer;
  if (static_cast<int64_t>(a.tokens.size()) > max_tokens) {
    return sdk::CheckResult{0.0, std::to_string(a.tokens.size()) + " tokens, more than max_tokens " +
                                     std::to_string(max_tokens)};
  }
  // vLLM lists the stop token it ended on among the token ids; read it as the stop it is.
  if (a.finish_reason == "stop" && !a.stop_string && !a.tokens.empty() && model.is_stop(a.tokens.back()) &&
      (!a.stop_token || *a.stop_token == a.tokens.back())) {
    a.stop_token = a.tokens.back();
    a.tokens.pop_back();
    if (a.logprobs.size() > a.tokens.size()) {
      a.logprobs.pop_back();
    } else if (a.tokens_without_logprob > 0) {
      --a.tokens_without_logprob;
    }
  }
  const int64_t n = static_cast<int64_t>(a.tokens.size());
  if (a.tokens_without_logprob > 0) {
    return sdk::CheckResult{0.0, std::to_string(a.tokens_without_logprob) + " of " + std::to_string(n) +
                                     " tokens came without logprobs"};
  }
  for (int32_t t : a.tokens) {
    if (t >= model.vocab()) {
      return sdk::CheckResult{0.0, "token id " + std::to_string(t) + " is outside the model's vocabulary of " +
                                       std::to_string(model.vocab())};
    }
    if (model.is_stop(t)) {
      return sdk::CheckResult{0.0, "the stop token " + std::to_string(t) + " appears among the generated tokens"};
    }
  }
  out.score.tokens = prompt;
  out.score.tokens.insert(out.score.tokens.end(), a.tokens.begin(), a.tokens.end());
  if (a.finish_reason == "length") {
    if (n != max_tokens) {
      return sdk::CheckResult{0.0, "finish_reason \"length\" after " + std::to_string(n) + " tokens, but max_tokens is " +
                                       std::to_string(max_tokens)};
    }
  } else if (a.stop_string) {
    if (std::find(request.stop.begin(), request.stop.end(), *a.stop_string) == request.stop.end()) {
      return sdk::CheckResult{0.0, "stop_reason \"" + *a.stop_string + "\" is not one of the request's stop strings"};
    }
    if (visible_text(model, a.tokens).find(*a.stop_string) == std::string::npos) {
      return sdk::CheckResult{0.0, "stop_reason \"" + *a.stop_string + "\" does not occur in the answer's tokens"};
    }
  } else {
    int32_t stop = a.stop_token ? *a.stop_token : model.default_stop(type == LlmTaskType::Chat);
    if (!model.is_stop(stop)) {
      return sdk::CheckResult{0.0, "stop_reason " + std::to_string(stop) + " is not a stop token of this model"};
    }
    out.score.tokens.push_back(stop);
    out.stop_appended = true;
  }
  if (static_cast<int64_t>(out.score.tokens.size()) > model.max_positions()) {
    return sdk::CheckResult{0.0, "prompt and answer make " + std::to_string(out.score.tokens.size()) +
                                     " tokens, more than the model's " + std::to_string(model.max_positions())};
  }
  out.score.first_scored = static_cast<int64_t>(prompt.size());
  if (request.tools.active() || a.has_tool_call || a.finish_reason == "tool_calls") {
    // The call the tokens make, parsed as the miner should have: it must be the one claimed.
    std::optional<ToolCall> made;
    if (a.finish_reason != "length" && !a.stop_string) made = parse_tool_call(visible_text(model, a.tokens), request.tools, "");
    const bool claims = a.has_tool_call || a.finish_reason == "tool_calls";
    if (made && !claims) return sdk::CheckResult{0.0, "the tokens make a call to \"" + made->name + "\" but the answer shows no tool_calls"};
    if (!made && claims) return sdk::CheckResult{0.0, "the answer shows tool_calls its tokens do not make"};
    if (made) {
      rapidjson::Document claimed, parsed;
      claimed.Parse(a.tool_arguments.c_str());
      parsed.Parse(made->arguments.c_str());
      if (a.tool_name != made->name || a.finish_reason != "tool_calls" || claimed.HasParseError() || !(claimed == parsed)) {
        return sdk::CheckResult{0.0, "the answer's tool call (\"" + a.tool_name + "\", " + a.tool_arguments +
                                         ") is not the one its tokens make (\"" + made->name + "\", " + made->arguments + ")"};
      }
    }
  }
  if (request.grammar && !model.model) {
    // A checking engine (check_backend) scores on its own unmasked distribution: an honest masked
    // answer would read as wrong there. Failing the check leaves the answer unchecked, not scored 0.
    throw sdk::Error(NT_UNIMPLEMENTED,
                     "structured outputs (response_format, guided_*, grammar, forced tool calls) cannot be checked "
                     "through check_backend: the engine cannot apply this task's grammar masks; check this task "
                     "in process to score them");
  }
  if (request.grammar && limits.vocabulary) {
    // The same masks generation applied: a token outside one scores 0, and every position is
    // scored on the masked distribution.
    std::optional<int32_t> stop;
    if (out.stop_appended) stop = out.score.tokens.back();
    MaskReplay replay = replay_masks(model, limits.vocabulary, request.grammar, limits.grammar, a.tokens, stop);
    if (replay.problem) return sdk::CheckResult{0.0, *replay.problem};
    out.score.allowed = std::move(replay.masks);
  }
  out.temperature = request.sampling.temperature;
  out.reached_max_tokens = n >= max_tokens;
  out.answer = std::move(a);
  return std::nullopt;
}

}  // namespace

int64_t rank_horizon(double temperature, bool stop_scored, const TextQualityRules& rules) {
  int64_t horizon = rank_limit(temperature, rules);
  if (stop_scored) {
    horizon = std::max<int64_t>(horizon, static_cast<int64_t>(std::floor(early_stop_rank_limit(temperature, rules))) + 1);
  }
  return horizon;
}

std::vector<sdk::CheckResult> check_answers(const LoadedModel& model, LlmTaskType type, const CheckLimits& limits,
                                            const std::vector<std::string_view>& requests,
                                            const std::vector<std::string_view>& responses,
                                            const TextQualityRules& rules) {
  if (!model.model) {
    throw sdk::Error(NT_INTERNAL, "check: model_dir \"" + model.dir + "\" was loaded without weights (check_backend)");
  }
  return check_answers(model, InProcessScorer(*model.model), type, limits, requests, responses, rules);
}

std::vector<sdk::CheckResult> check_answers(const LoadedModel& model, const ReferenceScorer& scorer, LlmTaskType type,
                                            const CheckLimits& limits, const std::vector<std::string_view>& requests,
                                            const std::vector<std::string_view>& responses,
                                            const TextQualityRules& rules) {
  std::vector<sdk::CheckResult> results(requests.size());
  if (requests.size() != responses.size()) {
    throw sdk::Error(NT_INVALID_ARGUMENT, "check: " + std::to_string(requests.size()) + " requests but " +
                                              std::to_string(responses.size()) + " responses");
  }
  std::vector<ScoredAnswer> pending;
  for (size_t i = 0; i < requests.size(); ++i) {
    ScoredAnswer a;
    a.index = i;
    if (auto verdict = prepare(model, type, limits, requests[i], responses[i], a)) {
      results[i] = *verdict;
    } else {
      pending.push_back(std::move(a));
    }
  }
  // An answer of zero tokens that did not stop has nothing to score (prepare refuses it via
  // finish_reason "length" with max_tokens ≥ 1), so every pending answer has a scored position.
  std::vector<models::SequenceScore> scores;
  if (!pending.empty()) {
    std::vector<models::ScoreRequest> batch;
    std::vector<int64_t> horizons;
    for (ScoredAnswer& a : pending) {
      batch.push_back(a.score);
      horizons.push_back(rank_horizon(a.temperature, a.stop_appended, rules));
    }
    const int top_n = static_cast<int>(std::min<int64_t>(limits.distance_top_n, model.vocab()));
    scores = scorer.score(batch, top_n, horizons);
    if (scores.size() != pending.size()) {
      throw sdk::Error(NT_INTERNAL, "check: the scorer gave " + std::to_string(scores.size()) + " scores for " +
                                        std::to_string(pending.size()) + " answers");
    }
    for (size_t k = 0; k < pending.size(); ++k) {
      const size_t want = pending[k].score.tokens.size() - static_cast<size_t>(pending[k].score.first_scored);
      if (scores[k].positions.size() != want) {
        throw sdk::Error(NT_INTERNAL, "check: the scorer gave " + std::to_string(scores[k].positions.size()) +
                                          " positions for an answer of " + std::to_string(want));
      }
    }
  }

  for (size_t k = 0; k < pending.size(); ++k) {
    const ScoredAnswer& a = pending[k];
    const std::vector<models::ScoredToken>& positions = scores[k].positions;
    TextAnswerEvidence evidence;
    evidence.temperature = a.temperature;
    evidence.reached_max_tokens = a.reached_max_tokens;
    for (size_t t = 0; t < a.answer.tokens.size(); ++t) {
      const models::ScoredToken& s = positions[t];
      ScoredPosition p;
      p.rank = s.rank;
      p.reference_logprob = s.logprob;
      p.miner_logprob = a.answer.logprobs[t];
      p.in_reference_top = std::any_of(s.top.begin(), s.top.end(),
                                       [&](const models::TokenLogprob& x) { return x.token == s.token; });
      if (!s.top.empty()) {
        p.reference_top_is_stop = model.is_stop(s.top.front().token);
        p.reference_top_logprob = s.top.front().logprob;
      }
      evidence.tokens.push_back(p);
    }
    if (a.stop_appended) evidence.stop_rank = positions.back().rank;
    TextQuality q = text_quality(evidence, rules);
    results[a.index] = {q.quality, q.reason};
  }
  return results;
}

}  // namespace nineteen::llm
