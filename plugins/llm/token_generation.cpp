// Prefill + KV-cache decode with per-request sampling.
#include "token_generation.hpp"

#include <memory>
#include <random>

#include <nineteen/sdk/task.hpp>

#include "streamed_text.hpp"

namespace nineteen::llm {

GenerationEnd generate(const LoadedModel& loaded, const GenerationPlan& plan,
                       const std::function<bool(const GeneratedToken&)>& on_token) {
  const models::LlamaModel& model = *loaded.model;
  const int64_t prompt_length = static_cast<int64_t>(plan.prompt.size());
  models::KvCache cache = model.new_cache(1, prompt_length + plan.max_tokens);
  models::Sampler sampler(plan.sampling);
  StreamedText text(plan.stop_strings);
  models::Logits logits = model.forward({plan.prompt}, cache);
  std::unique_ptr<grammar::TokenMasker> masker;
  std::vector<float> masked;
  if (plan.grammar) {
    try {
      masker = std::make_unique<grammar::TokenMasker>(plan.grammar, plan.vocabulary, loaded.stop_tokens,
                                                      plan.grammar_settings.max_states);
    } catch (const grammar::GrammarError& e) {
      throw sdk::Error(NT_INVALID_ARGUMENT, std::string("request: the grammar cannot be run: ") + e.what());
    }
  }

  GenerationEnd end;
  end.finish_reason = "length";
  for (int64_t step = 0; step < plan.max_tokens; ++step) {
    GeneratedToken token;
    if (masker) {
      const grammar::TokenMask* mask = nullptr;
      try {
        mask = &masker->mask();
      } catch (const grammar::GrammarError& e) {
        throw sdk::Error(NT_INVALID_ARGUMENT, std::string("request: the grammar cannot be run: ") + e.what());
      }
      if (mask->count() == 0) {
        throw sdk::Error(NT_INVALID_ARGUMENT, "request: no token of this model's vocabulary can continue the "
                                              "grammar's text after " + std::to_string(step) + " tokens");
      }
      masked.assign(logits.last_row(0), logits.last_row(0) + logits.vocab);
      apply_mask(*mask, masked.data(), logits.vocab);
      token.choice = sampler.next(masked.data(), logits.vocab);
      if (!loaded.is_stop(token.choice.token)) masker->accept(token.choice.token, loaded.visible_bytes(token.choice.token));
    } else {
      token.choice = sampler.next(logits.last_row(0), logits.vocab);
    }
    if (loaded.is_stop(token.choice.token)) {
      end.finish_reason = "stop";
      end.stop_token = token.choice.token;
      break;
    }
    StreamedText::Step shown = text.push(loaded.visible_bytes(token.choice.token));
    token.delta = std::move(shown.delta);
    ++end.generated;
    if (!on_token(token)) throw sdk::Cancelled();
    if (shown.stop_hit) {
      end.finish_reason = "stop";
      end.stop_string = shown.stop_hit;
      break;
    }
    // The last allowed token needs no forward pass after it.
    if (step + 1 < plan.max_tokens) logits = model.forward({{token.choice.token}}, cache);
  }
  end.tail = text.finish();
  return end;
}

GenerationEnd make_up_tokens(const LoadedModel& loaded, const GenerationPlan& plan,
                             const std::function<bool(const GeneratedToken&)>& on_token) {
  std::mt19937_64 rng(plan.sampling.seed);
  StreamedText text(plan.stop_strings);
  GenerationEnd end;
  end.finish_reason = "length";
  for (int64_t step = 0; step < plan.max_tokens; ++step) {
    GeneratedToken token;
    do {
      token.choice.token = static_cast<int32_t>(rng() % static_cast<uint64_t>(loaded.vocab()));
    } while (loaded.is_stop(token.choice.token));
    token.choice.logprob = -1.0f;  // made up: the model was never asked
    StreamedText::Step shown = text.push(loaded.visible_bytes(token.choice.token));
    token.delta = std::move(shown.delta);
    ++end.generated;
    if (!on_token(token)) throw sdk::Cancelled();
  }
  end.tail = text.finish();
  return end;
}

}  // namespace nineteen::llm
