// The chain as nodes see it: metagraph, blocks, weights and incentives, whatever chain is behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nineteen::chain {

enum class NodeRole { miner, validator };

const char* role_name(NodeRole role);
// "miner" or "validator"; nullopt otherwise.
std::optional<NodeRole> parse_role(const std::string& text);

// One registered node (a neuron, in Bittensor's words).
struct Neuron {
  std::uint16_t uid = 0;
  std::string hotkey;   // SS58
  std::string coldkey;  // SS58
  double stake = 0;
  NodeRole role = NodeRole::miner;
  std::string ip;          // empty until the node publishes its address
  std::uint16_t port = 0;  // 0 until published
  std::uint64_t last_update = 0;  // block of its last registration, address or weights
};

struct Registration {
  std::string hotkey;   // SS58; the signer on a remote chain
  std::string coldkey;  // SS58; empty = same as the hotkey (a dev chain has no wallets)
  double stake = 0;
  NodeRole role = NodeRole::miner;
  std::string ip;
  std::uint16_t port = 0;
};

// The answer to a write. A refusal is an answer, not an error: `reason` says which rule and what to do.
struct WriteResult {
  bool accepted = false;
  std::string reason;             // empty when accepted
  std::uint64_t block = 0;        // the block the write landed in (or was refused at)
  std::optional<std::uint16_t> uid;  // register: the node's uid
};

// The last weights a validator set (MECHANISM.md §8).
struct ValidatorWeights {
  std::string hotkey;
  std::uint16_t uid = 0;
  std::vector<std::uint16_t> uids;
  std::vector<std::uint16_t> values;
  std::uint64_t block = 0;
  std::uint64_t version_key = 0;
};

// One uid's result of the last epoch (Yuma consensus on the local chain, read from Subtensor's
// neurons on Bittensor).
struct UidIncentive {
  std::uint16_t uid = 0;
  double incentive = 0;  // I: the miner's share of incentive (normalised over uids)
  double share = 0;      // incentive / Σ incentive
  double dividends = 0;  // D: the validator's share of dividends (normalised over uids)
  double consensus = 0;  // C: the stake-weighted median weight the validators gave this uid
  double validator_trust = 0;  // Tv: how much of the validator's weight survived clipping at consensus
};

struct Incentives {
  std::uint64_t epoch_block = 0;  // the block of the epoch that computed them; 0 = no epoch yet
  std::vector<UidIncentive> by_uid;  // ascending uid; uids with nothing earned nor weighted are absent
};

// What a neuron published about itself on the chain (Subtensor's Commitments pallet, `set_commitment`):
// validators publish their task votes here (scoring/task_votes.hpp). One text per hotkey; a new one
// replaces the old.
struct Commitment {
  std::string hotkey;
  std::uint16_t uid = 0;
  std::uint64_t block = 0;  // the block it was published in
  std::string data;         // the bytes, as published (text for task votes)
};

// The largest commitment the local chain keeps: 3 raw fields of 128 bytes, as Subtensor's spec 343
// (Commitments.MaxFields = 3, Data::Raw128). A Subtensor node may allow less (mainnet spec 219: 1 field).
inline constexpr std::size_t kCommitmentMaxBytes = 3 * 128;

// The network's rules for weights.
struct ChainParams {
  std::uint64_t version_key = 0;  // set_weights needs a version_key ≥ this
  std::uint64_t rate_limit = 150;  // blocks between two weight settings of one validator
  std::uint64_t tempo = 360;       // blocks per epoch
  double block_time_s = 12;
};

// A chain that cannot be reached or answered nonsense; the message names the address.
class ChainError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Implementations: LocalChainState (in process), ChainClient (HTTP to `nineteen chain`); later a
// Subtensor client. Every method is thread-safe. Reads throw ChainError when the chain cannot answer.
class Chain {
 public:
  virtual ~Chain() = default;

  virtual std::vector<Neuron> metagraph() = 0;  // ascending uid
  virtual std::uint64_t current_block() = 0;
  virtual ChainParams params() = 0;

  virtual WriteResult register_node(const Registration& registration) = 0;
  // Publishes where a registered node listens.
  virtual WriteResult serve(const std::string& hotkey, const std::string& ip, std::uint16_t port) = 0;
  // Submits a validator's weights; refused (with the reason) unless MECHANISM.md §8's rules hold.
  virtual WriteResult set_weights(const std::string& validator_hotkey, const std::vector<std::uint16_t>& uids,
                                  const std::vector<std::uint16_t>& values, std::uint64_t version_key) = 0;
  virtual std::optional<ValidatorWeights> weights_of(const std::string& validator_hotkey) = 0;
  // As of the last epoch.
  virtual Incentives incentives() = 0;

  // Publishes `data` as the hotkey's commitment on this subnet (replacing its last one); refused when
  // the hotkey is not registered or the data is longer than the chain allows.
  virtual WriteResult set_commitment(const std::string& hotkey, const std::string& data) = 0;
  // Every registered neuron's last commitment, ascending uid; neurons that published none are absent.
  virtual std::vector<Commitment> commitments() = 0;
};

}  // namespace nineteen::chain
