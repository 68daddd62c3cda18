// The local chain's rules as pure functions: who may set which weights, and an epoch's incentives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/chain/chain.hpp"

namespace nineteen::chain {

struct WeightsSubmission {
  std::vector<std::uint16_t> uids;
  std::vector<std::uint16_t> values;
  std::uint64_t version_key = 0;
};

// What the chain knows when a validator submits weights.
struct WeightsContext {
  const Neuron* submitter = nullptr;  // nullptr: the hotkey is not registered
  std::string submitter_hotkey;
  std::size_t neuron_count = 0;        // uids 0 … neuron_count − 1 exist
  std::uint64_t current_block = 0;
  std::optional<std::uint64_t> last_set_block;  // when this validator last set weights
  ChainParams params;
};

// Which rule refused a submission (the JSON-RPC face of the local chain names it as Subtensor's error).
enum class WeightsRule {
  not_registered,
  not_validator,
  no_stake,
  length_mismatch,
  empty,
  unknown_uid,
  duplicate_uid,
  not_max_upscaled,
  version_key,
  rate_limit
};

struct WeightsRefusal {
  WeightsRule rule;
  std::string reason;
};

// nullopt when the submission is accepted, else the rule and the reason, checked in this order:
// registered, role validator, stake > 0, as many values as uids, not empty, uids exist and are
// distinct, max-upscaled (the largest value is 65535, MECHANISM.md §8), version_key ≥ the
// network's, and at least rate_limit blocks since the validator's last setting.
std::optional<WeightsRefusal> weights_check(const WeightsSubmission& submission, const WeightsContext& context);
// The same, the reason only.
std::optional<std::string> weights_refusal(const WeightsSubmission& submission, const WeightsContext& context);

// The epoch itself is Yuma consensus: yuma_consensus.hpp.

}  // namespace nineteen::chain
