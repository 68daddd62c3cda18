// Who the validators are and their stake, as the miner needs it: the signature guard's stake check
// and the split of declared capacity by stake share.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "nineteen/keys/stake_source.hpp"

namespace nineteen::miner {

class ValidatorDirectory : public keys::StakeSource {
 public:
  // The sum of all validators' stake (0 when none is known). Thread-safe.
  virtual double total_validator_stake() = 0;
};

// Backed by a JSON node list file (re-read when it changes on disk).
std::shared_ptr<ValidatorDirectory> validators_from_node_list(const std::string& path);
// Backed by the chain's metagraph (re-read at most every `refresh_s`; the last good one is kept when
// the chain cannot be reached). `chain_url` as chain::open_chain takes it (netuid for ws:// and wss://).
std::shared_ptr<ValidatorDirectory> validators_from_chain(const std::string& chain_url,
                                                          std::optional<std::uint16_t> netuid, double refresh_s = 12);
// Knows no validator (for a miner serving unsigned requests as an upstream).
std::shared_ptr<ValidatorDirectory> no_validators();

}  // namespace nineteen::miner
