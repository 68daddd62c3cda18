// The Chain interface on a Subtensor node (Bittensor), for one subnet, over JSON-RPC/WebSocket.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "nineteen/chain/chain.hpp"
#include "nineteen/chain/subtensor/extrinsic.hpp"
#include "nineteen/chain/subtensor/json_rpc_client.hpp"
#include "nineteen/chain/subtensor/metadata.hpp"
#include "nineteen/chain/subtensor/neuron_info.hpp"
#include "nineteen/keys/hotkey.hpp"

namespace nineteen::chain::subtensor {

// The hotkey that signs this node's extrinsics (sr25519: runtime/keys provides `sign`).
struct HotkeySigner {
  Hash256 public_key{};
  ExtrinsicSigner sign;
};

// The signer for a node's hotkey (a copy is kept). Subtensor extrinsics here carry MultiSignature::Sr25519,
// so an ed25519 hotkey (older nineteen key files) throws ChainError saying to import a btcli hotkey.
HotkeySigner hotkey_signer(const keys::Hotkey& hotkey);

struct SubtensorSettings {
  std::string endpoint;  // ws://127.0.0.1:9944, wss://entrypoint-finney.opentensor.ai:443
  std::uint16_t netuid = 0;
  RpcOptions rpc;
  std::uint64_t era_period = 64;  // blocks a signed extrinsic stays valid
  double block_time_s = 12;
  std::uint32_t axon_version = 1;  // serve_axon's version field
  std::uint8_t axon_protocol = 4;
  // After author_submitExtrinsic, look for the extrinsic in this many new blocks to report a
  // DispatchError by name; 0 = report "accepted" once the pool takes it.
  int inclusion_blocks = 3;
  double inclusion_poll_s = 1.0;
};

// Every method is thread-safe (one mutex; JSON-RPC calls are serialised). Reads throw ChainError when
// the node cannot be reached or answers nonsense; writes answer WriteResult refusals that name the fix.
class SubtensorChain : public Chain {
 public:
  // `signer` may be empty for a read-only client (writes are then refused).
  SubtensorChain(SubtensorSettings settings, std::optional<HotkeySigner> signer);
  ~SubtensorChain() override;

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
  // On Subtensor only the neurons with a validator permit are read (one storage read each): theirs are
  // the commitments that count (task votes).
  std::vector<Commitment> commitments() override;

  // The decoded metadata of the node's current runtime (fetched once, again when spec_version changes;
  // a runtime upgrade swaps it, so hold the pointer rather than a reference into it).
  std::shared_ptr<const Metadata> metadata();
  std::vector<NeuronLite> neurons_lite();
  bool commit_reveal_enabled();

 private:
  struct Runtime;
  const Runtime& runtime_locked();
  std::vector<NeuronLite> neurons_locked();
  std::optional<NeuronLite> own_neuron_locked();
  WriteResult not_registered();
  // Plain RPC reads (the client serialises them itself): no lock needed.
  std::uint64_t fetch_block_number();
  Hash256 fetch_block_hash(std::uint64_t number);
  // Storage value decoded by its metadata type (the default when absent); integers and bools only.
  u128 storage_uint_locked(const std::string& pallet, const std::string& entry,
                           const std::vector<Value>& keys);
  // An extrinsic handed to the pool (or refused by it); `hex` is what to look for in the next blocks.
  struct Submitted {
    WriteResult result;
    std::string hex;
    std::shared_ptr<const Metadata> metadata;
  };
  Submitted submit_locked(const std::string& what, const Bytes& call);
  // Without the lock: finds the extrinsic in up to inclusion_blocks blocks and reads its outcome.
  WriteResult await_inclusion(const std::string& what, const Submitted& submitted);
  WriteResult refuse(const std::string& reason);
  std::optional<std::string> signer_mismatch(const std::string& hotkey) const;

  SubtensorSettings settings_;
  std::optional<HotkeySigner> signer_;
  std::string signer_ss58_;
  JsonRpcClient rpc_;
  std::mutex mutex_;
  std::unique_ptr<Runtime> runtime_;
};

// Commitments.set_commitment(netuid, CommitmentInfo { fields }) with `data` cut into Data::RawN fields of
// at most 128 bytes (the chain refuses more than its Commitments.MaxFields fields).
Value commitment_info(const std::string& data);
Bytes set_commitment_call(const Metadata& metadata, std::uint16_t netuid, const std::string& data);
// A Commitments.CommitmentOf value (Registration { deposit, block, info }): its block and the bytes of its
// raw fields, in order; nullopt when it is not that shape.
std::optional<std::pair<std::uint64_t, std::string>> read_commitment_registration(const Metadata& metadata,
                                                                                  const Bytes& value);

// A SCALE-encoded DispatchError (the dispatch_error of System.ExtrinsicFailed) in words, with the fix
// when the error is one a validator or miner can act on (e.g. SettingWeightsTooFast: wait for the rate
// limit).
std::string describe_dispatch_error(const Metadata& metadata, const Value& dispatch_error);
// The advice for a SubtensorModule error name; empty when there is none.
std::string subtensor_error_fix(const std::string& error_name);

}  // namespace nineteen::chain::subtensor
