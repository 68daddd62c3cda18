// `nineteen devnet`: a whole network on loopback as real processes (chain, checker, validator and
// miners with scripted behaviours), its data under one folder, printing the weights as they are set.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nineteen/devnet/child_process.hpp"

namespace nineteen::devnet {

// How a miner behaves. Every behaviour is ordinary miner settings (its own tasks.toml and
// [miner.tasks.*] keys); the validator has no idea which is which.
struct Behaviour {
  std::string name;
  std::string description;
};
const std::vector<Behaviour>& behaviours();

// One validator of the devnet. "honest" runs `nineteen validator` (the first one also serves the
// gateway); "favour" is scripted inside the devnet: it copies the first validator's weights as soon as
// they are on the chain and gives the miner it colludes with (the first wrong-model miner, else the
// last miner) the largest weight, halving every other: Yuma consensus should clip it.
struct ValidatorSpec {
  std::string behaviour = "honest";
  double stake = 1000;
};
// The task vote each devnet validator publishes (README "Task votes"): the first honest one asks for more
// of the text task, the other honest ones for more chat, the favouring one for the text task only.
std::map<std::string, double> devnet_task_votes(const std::string& behaviour, size_t index);
// "honest:600,honest:300,favour:100" → three specs; throws std::invalid_argument naming the bad item.
std::vector<ValidatorSpec> parse_validator_specs(const std::string& list);

struct DevnetOptions {
  std::string dir = ".devnet";              // everything the network writes
  std::vector<std::string> miners = {"honest", "honest", "quantized", "wrong-model", "lazy",
                                     "slow",   "flaky",  "full",      "offline"};
  std::vector<ValidatorSpec> validators = {{"honest", 1000}};  // the first must be honest
  int periods = 0;                          // stop after this many weight settings (0: never)
  bool exit_after = false;                  // with periods: stop by itself
  double period_s = 20;
  double synthetic_multiplier = 4;          // more synthetic load than a real network, to see behaviours
  // Organic users through the first validator's gateway: every burst_every_s seconds, organic_burst
  // requests at once (0: no organic load). Bursts are what separates a miner that declares more
  // than it can serve ("full") from an honest one.
  int organic_burst = 0;
  double organic_every_s = 1;
  bool llm = true;                          // the tiny LLM task, when its plugin was built
  // The checker checks the LLM tasks through a second node (an unsigned miner serving the reference
  // model's prompt_logprobs, as vLLM would) instead of running the model itself (issue 23).
  bool check_backend = false;
  std::string binary;                       // the `nineteen` to run (default: this one)
};

// One uid of the chain's last epoch (Yuma consensus), printed when the devnet has several validators.
struct ConsensusRow {
  std::string who;  // a miner's behaviour, or "validator honest" / "validator favour"
  unsigned uid = 0;
  double stake_share = 0;              // validators: their share of the validators' stake
  std::vector<double> weight_by_validator;  // miners: each validator's normalised weight, in validator order
  double consensus = 0, incentive = 0, dividends = 0, validator_trust = 0;
  std::map<std::string, double> task_votes;  // validators: the task vote it published on the chain
};

// One miner's row in the tables printed after a weight setting.
struct MinerRow {
  std::string behaviour;
  std::string hotkey;
  unsigned uid = 0;
  std::string task;
  double capacity = 0, period_score = 0, quality = 0, speed_bonus = 0, task_share = 0, weight = 0;
  double served_share = 1;  // the share of its declared volume it served (refused or failed requests lower it)
  std::uint64_t checked = 0, kept = 0;  // its answers of this task since the devnet started
};

class Devnet {
 public:
  explicit Devnet(DevnetOptions options);
  ~Devnet();  // stops every process

  // Makes models and keys (cached in the folder), starts every process and registers them.
  void start();
  // Blocks, printing the tables after each weight setting, until `periods` settings (with exit) or
  // stop() from another thread.
  void run(const std::function<void(const std::string&)>& print);
  void stop();

  // The tables of the latest weight setting, by behaviour; empty before the first.
  std::vector<MinerRow> latest_rows() const;
  // Organic requests the driver sent and how they were answered, by HTTP status.
  std::map<int, std::uint64_t> organic_statuses() const;
  // The chain's latest epoch after a weight setting, with several validators; empty otherwise.
  std::vector<ConsensusRow> latest_consensus() const;
  // The effective task weights of the latest epoch read (the stake-weighted median of the validators'
  // task votes, clipped to the catalogue's bounds), by task; empty before the first.
  std::map<std::string, double> latest_task_weights() const;
  std::string validator_log() const;
  // The validator's OpenAI-compatible gateway and a key made for it (empty when it is not built).
  std::string gateway_url() const;
  // The chain's Substrate JSON-RPC (ws://), which the validator and the miners use, and its netuid.
  std::string chain_rpc_url() const;
  static std::uint16_t chain_netuid();
  std::string api_key() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// One organic user's request as the devnet's load driver sends it: the text task (words from the users'
// own list, 2 to 16 of them, streamed or not) or, with `chat`, the tiny chat (organic_chat_body). `path`
// is the gateway's endpoint. The synthetic generators must not be told apart from these
// (tests/devnet synthetic_vs_organic_test.cpp trains a classifier on both, as a miner receives them).
struct OrganicRequest {
  std::string path;
  std::string body;
};
OrganicRequest organic_user_request(bool chat, std::mt19937_64& rng);

// A chat user's request body for "chat-tiny-llama": what people ask a chat assistant (a question, a
// text to fix or summarise, a system prompt with p 0.5, the conversation so far with p 0.3), with
// the parameters their OpenAI-compatible clients send as often as they send them (the mix of
// plugins/llm/prompt_synthesizer.hpp's ClientParameters: stream 0.6, temperature 0.6, max tokens
// 0.7 of which max_completion_tokens 0.15, top_p 0.15, seed 0.03, logprobs 0.03, user 0.05; the
// openai-python key order 0.4). No max tokens above `max_output_tokens` (the listing's
// max_output_length: a larger value earns the user a 400).
std::string organic_chat_body(std::mt19937_64& rng, std::int64_t max_output_tokens = 1024);

}  // namespace nineteen::devnet
