// The miner's stake threshold read from the chain: a keys::StakeSource over any Chain, cached.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "nineteen/chain/chain.hpp"
#include "nineteen/keys/stake_source.hpp"

namespace nineteen::chain {

class ChainStakeSource : public keys::StakeSource {
 public:
  // `chain` must outlive this. The metagraph is read again when the cached copy is older than
  // `refresh_every` (one block by default), on the next stake_of.
  explicit ChainStakeSource(Chain& chain, std::chrono::milliseconds refresh_every = std::chrono::seconds(12));

  // The stake of a registered validator; nullopt for a miner, an unknown hotkey, or while the chain
  // has never answered. When a refresh fails the last metagraph read stays in use (logged), and the
  // next try waits another refresh_every, so a dead chain is not asked on every request.
  std::optional<double> stake_of(const std::string& hotkey_ss58) override;

  // Reads the metagraph now. "" on success, else the error (the previous list stays).
  std::string refresh();

 private:
  std::string refresh_locked();

  Chain& chain_;
  const std::chrono::milliseconds refresh_every_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_attempt_;
  std::unordered_map<std::string, double> validator_stakes_;
};

}  // namespace nineteen::chain
