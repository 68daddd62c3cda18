// MECHANISM.md §8: float weights → the u16 (uids, values) vector for the chain.
#include "nineteen/scoring/chain_weights.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace nineteen::scoring {

ChainWeights to_chain_weights(const std::vector<MinerWeight>& miners) {
  std::vector<std::pair<std::uint16_t, double>> usable;
  usable.reserve(miners.size());
  double largest = 0;
  for (const auto& miner : miners)
    if (std::isfinite(miner.weight) && miner.weight > 0) {
      usable.emplace_back(miner.uid, miner.weight);
      largest = std::max(largest, miner.weight);
    }

  ChainWeights out;
  if (!(largest > 0)) return out;
  std::sort(usable.begin(), usable.end());
  for (std::size_t i = 0; i < usable.size(); ++i) {
    // Sorted by (uid, weight): the last entry of a uid holds its largest weight.
    if (i + 1 < usable.size() && usable[i + 1].first == usable[i].first) continue;
    const double scaled = std::round(usable[i].second * 65535.0 / largest);
    if (scaled < 1) continue;
    out.uids.push_back(usable[i].first);
    out.values.push_back(static_cast<std::uint16_t>(std::min(scaled, 65535.0)));
  }
  return out;
}

}  // namespace nineteen::scoring
