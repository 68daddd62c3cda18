// The local dev chain answering Substrate's JSON-RPC subset as a Subtensor node does, so that nodes on the
// devnet run SubtensorChain, the very client that talks to Bittensor.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nineteen/chain/local_chain_state.hpp"
#include "nineteen/chain/subtensor/extrinsic.hpp"
#include "nineteen/chain/subtensor/metadata.hpp"
#include "nineteen/chain/subtensor/neuron_info.hpp"

namespace nineteen::chain::subtensor {

// The runtime metadata the local chain serves: bittensor's recorded V15 metadata (spec 343,
// runtime/chain/metadata/metadata_v15_spec343.hex), compiled into the binary so that `nineteen chain` needs
// no data file at run time. The hex of Option<Vec<u8>> around the "meta" blob, as recorded.
const char* embedded_metadata_hex();

// What the handler serves (LocalChainState's rules stay; this is their Substrate-shaped face):
//   state_getMetadata, state_getRuntimeVersion (spec and transaction version from the metadata's own
//   System.Version constant), chain_getHeader, chain_getBlockHash, chain_getBlock, system_accountNextIndex,
//   state_getStorage (Tempo, WeightsSetRateLimit, WeightsVersionKey, CommitRevealWeightsEnabled = false,
//   Weights, LastUpdate, the epoch block, Commitments.CommitmentOf, and System.Events per block), state_call
//   NeuronInfoRuntimeApi_get_neurons_lite, author_submitExtrinsic.
// A submitted extrinsic is checked at once (decodes, sr25519 signature over the payload rebuilt with this
// chain's genesis, spec, transaction version and era block, nonce in order, a call this chain applies:
// SubtensorModule.set_weights or serve_axon, Commitments.set_commitment with raw fields), queued, and applied in the next block through LocalChainState;
// a refusal by a rule is a System.ExtrinsicFailed event whose DispatchError names the SubtensorModule error
// (SettingWeightsTooFast, IncorrectWeightVersionKey, ...), as Subtensor reports it.
// Registration is not here: Subtensor's is coldkey-signed and burns TAO; the dev chain grants stake over
// its HTTP route (`nineteen chain register`).
class LocalSubtensorNode {
 public:
  // Decodes the embedded metadata; `netuid` is the subnet the local chain is (other netuids have no neurons).
  LocalSubtensorNode(LocalChainState& state, std::uint16_t netuid);

  // The JSON-RPC handler (JsonRpcServer::Handler): the JSON text of "result"; throws RpcServerError.
  // Thread-safe.
  std::string handle(const std::string& method, const rapidjson::Value& params);

  // A new block `block` exists in the state: apply the queued extrinsics in it (ChainServer::on_block).
  void on_block(std::uint64_t block);

  const Metadata& metadata() const { return metadata_; }
  std::uint32_t spec_version() const { return spec_version_; }
  std::uint32_t transaction_version() const { return transaction_version_; }
  std::uint16_t netuid() const { return netuid_; }
  // Block hashes: blake2-256 of a fixed text and the number; block 0's is the genesis hash.
  static Hash256 block_hash(std::uint64_t number);

 private:
  struct Pending {
    std::string hex;
    DecodedExtrinsic extrinsic;
  };
  struct Block {
    std::vector<std::string> extrinsics;
    Bytes events;  // SCALE Vec<EventRecord>
  };
  // The SubtensorModule error an extrinsic failed with; nullopt = success.
  std::optional<std::string> apply_locked(const DecodedExtrinsic& x);
  std::optional<std::string> apply_set_weights(const DecodedExtrinsic& x);
  std::optional<std::string> apply_serve_axon(const DecodedExtrinsic& x);
  std::optional<std::string> apply_set_commitment(const DecodedExtrinsic& x);
  Bytes event_record(std::uint32_t index, const std::optional<std::string>& error) const;
  std::string submit_locked(const std::string& hex);
  std::optional<Bytes> storage_locked(const Bytes& key, std::optional<std::uint64_t> at);
  std::vector<NeuronLite> neurons() const;
  std::string header_json(std::uint64_t number) const;
  std::optional<std::uint64_t> block_of_hash(const std::string& hex) const;

  LocalChainState& state_;
  const std::uint16_t netuid_;
  std::string metadata_hex_;  // bare blob, as state_getMetadata answers
  Metadata metadata_;
  std::uint32_t spec_version_ = 0;
  std::uint32_t transaction_version_ = 0;
  std::string spec_name_;
  std::map<WeightsRule, std::string> weights_errors_;  // rule → SubtensorModule error name
  std::string no_subnet_error_;                        // a netuid other than ours

  std::mutex mutex_;
  std::uint64_t head_ = 0;  // the last block whose extrinsics are applied (what the RPC face reports)
  std::vector<Pending> pending_;
  std::map<Hash256, std::uint64_t> nonces_;  // applied extrinsics per signer (kept in memory)
  std::map<std::uint64_t, Block> blocks_;    // recent blocks with extrinsics
};

}  // namespace nineteen::chain::subtensor
