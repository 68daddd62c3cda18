// The local (development) chain itself: registrations, blocks, weights and epochs, kept in SQLite.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nineteen/chain/chain.hpp"
#include "nineteen/chain/chain_rules.hpp"

namespace nineteen::store {
class SqliteDatabase;
}

namespace nineteen::chain {

// Holds the chain in memory and writes every change through to its own SQLite file before
// answering, so a restart (even after kill -9) continues from the last block and registration.
// It trusts the hotkeys it is given: the HTTP service checks signatures before calling it.
//
// Dev-chain rules (documented for node operators): registering grants the stake asked for (there
// are no wallets or tokens); registering a hotkey again keeps its uid and updates stake, role,
// coldkey and address; uids are never recycled.
class LocalChainState : public Chain {
 public:
  // Opens or creates `db_path`. `params` are the network's rules; they may change between runs
  // (e.g. a raised version_key), the stored block count carries on. Throws store::StoreError
  // naming the file when it cannot be used.
  LocalChainState(const std::string& db_path, ChainParams params);
  ~LocalChainState() override;

  // One block passes. Every `tempo` blocks (block % tempo == 0) an epoch recomputes incentives.
  // Returns the new block number.
  std::uint64_t advance_block();

  std::vector<Neuron> metagraph() override;
  std::uint64_t current_block() override;
  ChainParams params() override;
  WriteResult register_node(const Registration& registration) override;
  WriteResult serve(const std::string& hotkey, const std::string& ip, std::uint16_t port) override;
  WriteResult set_weights(const std::string& validator_hotkey, const std::vector<std::uint16_t>& uids,
                          const std::vector<std::uint16_t>& values, std::uint64_t version_key) override;
  std::optional<ValidatorWeights> weights_of(const std::string& validator_hotkey) override;
  Incentives incentives() override;
  WriteResult set_commitment(const std::string& hotkey, const std::string& data) override;
  std::vector<Commitment> commitments() override;

  // set_weights, and which rule refused it (nullopt when accepted or refused for another reason), so
  // the JSON-RPC face can name Subtensor's error for it.
  struct WeightsOutcome {
    WriteResult result;
    std::optional<WeightsRule> refused_by;
  };
  WeightsOutcome apply_weights(const std::string& validator_hotkey, const WeightsSubmission& submission);

 private:
  void load();
  void run_epoch_locked();
  Neuron* find_locked(const std::string& hotkey);
  void save_neuron_locked(const Neuron& neuron);

  std::mutex mutex_;
  std::unique_ptr<store::SqliteDatabase> db_;
  ChainParams params_;
  std::uint64_t block_ = 0;
  std::vector<Neuron> neurons_;                     // index = uid
  std::map<std::uint16_t, ValidatorWeights> weights_;  // validator uid → its last weights
  // Yuma bonds as Subtensor stores them (u16, each column max-upscaled): validator uid → uid → bond.
  std::map<std::uint16_t, std::map<std::uint16_t, std::uint16_t>> bonds_;
  // One Yuma epoch over the current state; fills the bonds to store. The caller holds mutex_.
  std::vector<UidIncentive> run_epoch_locked(
      std::map<std::uint16_t, std::map<std::uint16_t, std::uint16_t>>& bonds_out) const;
  Incentives incentives_;
  std::map<std::uint16_t, Commitment> commitments_;  // uid → its last commitment
};

}  // namespace nineteen::chain
