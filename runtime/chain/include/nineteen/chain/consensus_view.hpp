// The chain's last epoch as every node sees it: each validator's weights beside the consensus (Yuma on
// the local chain; Subtensor's own on Bittensor), and the validators' published task votes with the
// effective task weights they give. One reader for the gateway's status page and the devnet's tables.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/chain/chain.hpp"
#include "nineteen/scoring/task_votes.hpp"

namespace nineteen::chain {

struct ConsensusView {
  std::uint64_t epoch_block = 0;
  struct Validator {
    std::string hotkey;
    std::uint16_t uid = 0;
    double stake_share = 0;  // of the validators' stake
    double trust = 0, dividends = 0;
    double stake = 0;
    bool has_weights = false;  // false: on the chain, has set no weights yet
    // Its published task vote (task → weight, as published); empty when none or unreadable.
    std::map<std::string, double> task_votes;
    std::string task_votes_error;  // a commitment that is not a task vote, in words
  };
  struct Miner {
    std::string hotkey;
    std::uint16_t uid = 0;
    std::vector<double> weights;  // each validator's normalised weight on it, in `validators` order
    double consensus = 0, incentive = 0;
    bool weighted = false;  // some validator gave it weight
  };
  std::vector<Validator> validators;  // every validator on the chain, ascending uid
  std::vector<Miner> miners;          // every other neuron, ascending uid
  // The effective task weights (scoring::effective_task_weights) when a catalogue was given.
  std::optional<scoring::EffectiveTaskWeights> task_weights;
  std::string error;  // why the chain could not be read, if so
};

// Reads it; a chain error goes into `error`, never thrown. With `catalogue`, the task votes are combined
// into the effective task weights.
ConsensusView read_consensus_view(Chain& chain,
                                  const std::vector<scoring::TaskWeightBounds>* catalogue = nullptr);

// The validators' task votes as the combination rule takes them (those that published a readable one).
std::vector<scoring::TaskVote> task_votes_of(const ConsensusView& view);

}  // namespace nineteen::chain
