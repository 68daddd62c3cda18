// MECHANISM.md §6 text rules as a pure function: the reference's view of every position of a
// miner's answer (from one teacher-forced pass) → the answer's quality and the rule that decided it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <vector>

namespace nineteen::llm {

// One generated token of the miner's answer, as the reference model sees it.
struct ScoredPosition {
  int64_t rank = 0;              // tokens the reference finds strictly more likely (0 = its top choice)
  double reference_logprob = 0;  // log p_ref(miner's token)
  double miner_logprob = 0;      // log p_miner(miner's token), as the miner reported it
  bool in_reference_top = true;  // within the reference's top `distance_top_n`
  bool reference_top_is_stop = false;  // the reference's most likely token ends generation
  double reference_top_logprob = 0;    // log p_ref of that most likely token
};

struct TextAnswerEvidence {
  std::vector<ScoredPosition> tokens;
  // Set when the miner ended on a stop token (EOS / end of turn): the reference's rank of that token
  // at the position after the last generated token.
  std::optional<int64_t> stop_rank;
  bool reached_max_tokens = false;
  double temperature = 1.0;
};

// The constants of §6; every one a default a deployment may change.
struct TextQualityRules {
  int max_bad_tokens = 5;               // more bad tokens than this → 0
  double greedy_temperature = 0.5;      // at or below: rank limit 10, early-stop slack 0.5
  double early_stop_rank_base = 300;    // early stop when the stop token's rank > base + per_s · s
  double early_stop_rank_per_s = 50;
  double early_stop_penalty = -10;
  // Reference prefers stop over the miner's token by more → 0; at or below greedy_temperature. Above
  // it the ratio grows tenfold per 0.5 of temperature (1000 at T = 1), as the rank limit grows:
  // an honest sampler at T = 1 picks a token 100 times less likely than a stop token often enough
  // that the fixed 100 of MECHANISM.md §6 failed honest answers (our tiny model: about 1 in 20).
  double avoided_stop_ratio = 100;
  double distance_full_up_to = 0.125;   // D ≤ this → 1
  double distance_zero_above = 0.25;    // D > this → 0, linear to 0.5 in between
};

// R(T): a token ranked at or beyond this is bad.
int64_t rank_limit(double temperature, const TextQualityRules& rules = {});
// How many times more likely than the miner's token the reference's stop token must be for going
// on to count as an avoided stop: avoided_stop_ratio · 10^(2·(T − 0.5)) above greedy_temperature.
double avoided_stop_ratio(double temperature, const TextQualityRules& rules = {});
// 300 + 50·s: the stop token's rank beyond which stopping counts as an early stop.
double early_stop_rank_limit(double temperature, const TextQualityRules& rules = {});

struct TextQuality {
  double quality = 0;
  std::string reason;
};

// Applies the rules in §6's order: rank rule, early stop, avoided stop, distance.
TextQuality text_quality(const TextAnswerEvidence& evidence, const TextQualityRules& rules = {});

}  // namespace nineteen::llm
