// MECHANISM.md §8: miner weights turned into the u16 vector a validator submits to the chain.
#pragma once

#include <cstdint>
#include <vector>

#include "nineteen/scoring/weights.hpp"

namespace nineteen::scoring {

struct ChainWeights {
  std::vector<std::uint16_t> uids;    // ascending
  std::vector<std::uint16_t> values;  // values[i] belongs to uids[i]; never 0
};

// value = round(W · 65535 / max W); entries that round to 0 are dropped, as are negative and
// non-finite weights. Empty when no weight is positive. A uid given twice keeps its larger weight.
ChainWeights to_chain_weights(const std::vector<MinerWeight>& miners);

}  // namespace nineteen::scoring
