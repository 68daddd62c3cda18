// ChainStakeSource: validator stakes from the chain's metagraph, refreshed at most once per interval.
#include "nineteen/chain/chain_stake_source.hpp"

#include <spdlog/spdlog.h>

namespace nineteen::chain {

ChainStakeSource::ChainStakeSource(Chain& chain, std::chrono::milliseconds refresh_every)
    : chain_(chain), refresh_every_(refresh_every) {}

std::string ChainStakeSource::refresh_locked() {
  last_attempt_ = std::chrono::steady_clock::now();
  try {
    std::unordered_map<std::string, double> stakes;
    for (const auto& n : chain_.metagraph()) {
      if (n.role == NodeRole::validator) stakes[n.hotkey] = n.stake;
    }
    validator_stakes_ = std::move(stakes);
    return "";
  } catch (const std::exception& e) {
    spdlog::warn("stake threshold: cannot read the metagraph, keeping the last one read: {}", e.what());
    return e.what();
  }
}

std::string ChainStakeSource::refresh() {
  std::lock_guard<std::mutex> lock(mutex_);
  return refresh_locked();
}

std::optional<double> ChainStakeSource::stake_of(const std::string& hotkey_ss58) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!last_attempt_ || std::chrono::steady_clock::now() - *last_attempt_ >= refresh_every_) refresh_locked();
  auto it = validator_stakes_.find(hotkey_ss58);
  if (it == validator_stakes_.end()) return std::nullopt;
  return it->second;
}

}  // namespace nineteen::chain
