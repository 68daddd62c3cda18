// Weight-setting rules (MECHANISM.md §8), as pure functions.
#include "nineteen/chain/chain_rules.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace nineteen::chain {

std::optional<WeightsRefusal> weights_check(const WeightsSubmission& s, const WeightsContext& c) {
  const std::string who = "hotkey " + c.submitter_hotkey;
  if (!c.submitter)
    return WeightsRefusal{
        WeightsRule::not_registered,
        who + " is not registered on this chain; register it first (`nineteen chain register`)"};
  if (c.submitter->role != NodeRole::validator) {
    return WeightsRefusal{WeightsRule::not_validator,
                          who + " (uid " + std::to_string(c.submitter->uid) + ") is registered as a " +
                              role_name(c.submitter->role) + "; only validators may set weights"};
  }
  if (!(c.submitter->stake > 0)) {
    return WeightsRefusal{WeightsRule::no_stake, who + " (uid " + std::to_string(c.submitter->uid) +
                                                     ") has no stake; only validators with stake may set "
                                                     "weights"};
  }
  if (s.uids.size() != s.values.size()) {
    return WeightsRefusal{WeightsRule::length_mismatch, "weights: " + std::to_string(s.uids.size()) +
                                                            " uids but " + std::to_string(s.values.size()) +
                                                            " values; give one value per uid"};
  }
  if (s.uids.empty())
    return WeightsRefusal{WeightsRule::empty,
                          "weights: the vector is empty; give at least one uid with a value above 0"};
  std::set<std::uint16_t> seen;
  for (std::uint16_t uid : s.uids) {
    if (uid >= c.neuron_count) {
      return WeightsRefusal{WeightsRule::unknown_uid,
                            "weights: uid " + std::to_string(uid) +
                                " does not exist (the chain has uids 0.." +
                                std::to_string(c.neuron_count == 0 ? 0 : c.neuron_count - 1) + ")"};
    }
    if (!seen.insert(uid).second)
      return WeightsRefusal{WeightsRule::duplicate_uid,
                            "weights: uid " + std::to_string(uid) + " appears twice"};
  }
  std::uint16_t largest = *std::max_element(s.values.begin(), s.values.end());
  if (largest != 65535) {
    return WeightsRefusal{WeightsRule::not_max_upscaled,
                          "weights: the largest value is " + std::to_string(largest) +
                              ", expected 65535 (values are max-upscaled: round(W · 65535 / max W))"};
  }
  if (s.version_key < c.params.version_key) {
    return WeightsRefusal{WeightsRule::version_key, "weights: version_key " + std::to_string(s.version_key) +
                                                        " is older than the network's " +
                                                        std::to_string(c.params.version_key) +
                                                        "; upgrade the validator"};
  }
  if (c.last_set_block && c.current_block < *c.last_set_block + c.params.rate_limit) {
    std::uint64_t allowed_at = *c.last_set_block + c.params.rate_limit;
    return WeightsRefusal{WeightsRule::rate_limit,
                          "rate limit: " + who + " set weights at block " +
                              std::to_string(*c.last_set_block) + "; the next setting " +
                              "is allowed from block " + std::to_string(allowed_at) + " (" +
                              std::to_string(c.params.rate_limit) + " blocks apart), now block " +
                              std::to_string(c.current_block) + ", so wait " +
                              std::to_string(allowed_at - c.current_block) + " more blocks"};
  }
  return std::nullopt;
}

std::optional<std::string> weights_refusal(const WeightsSubmission& s, const WeightsContext& c) {
  auto refusal = weights_check(s, c);
  if (!refusal) return std::nullopt;
  return refusal->reason;
}

}  // namespace nineteen::chain
