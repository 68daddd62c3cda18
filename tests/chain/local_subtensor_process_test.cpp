// `nineteen chain` as a real process, driven over ws:// by SubtensorChain (the client that talks to
// Bittensor): registration over HTTP, serve_axon, set_weights accepted, a too-early one refused by the
// chain as SubtensorModule.SettingWeightsTooFast, and the metagraph reading back the axon and the weights.
#include <gtest/gtest.h>

#include <regex>
#include <thread>
#include <tuple>

#include "child_process.hpp"
#include "nineteen/chain/chain_client.hpp"
#include "nineteen/chain/consensus_view.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/chain/subtensor/json_rpc_client.hpp"
#include "nineteen/chain/subtensor/subtensor_chain.hpp"

namespace st = nineteen::chain::subtensor;
using nineteen::chain::NodeRole;
using test_support::ChildProcess;
using test_support::ScratchDir;

namespace {

constexpr std::uint16_t kNetuid = 7;

class LocalSubtensorProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("chain.toml", "[chain]\nport = 0\nrpc_port = 0\nnetuid = " + std::to_string(kNetuid) +
                                 "\ndb = \"chain.db\"\nblock_time_s = 0.5\ntempo = 10\nrate_limit = 3\n"
                                 "version_key = 2\n");
    chain_ = std::make_unique<ChildProcess>(
        NINETEEN_BINARY, std::vector<std::string>{"chain", "--config", dir_.file("chain.toml")},
        dir_.file("chain.log"));
    http_ = chain_->wait_for_line(std::regex("serving (http://[0-9.:]+)")).value_or("");
    ws_ = chain_->wait_for_line(std::regex("JSON-RPC (ws://[0-9.:]+)")).value_or("");
    ASSERT_FALSE(http_.empty()) << chain_->output();
    ASSERT_FALSE(ws_.empty()) << chain_->output();
  }

  std::unique_ptr<st::SubtensorChain> client(const nineteen::keys::Hotkey& key, int inclusion_blocks = 3) {
    st::SubtensorSettings s;
    s.endpoint = ws_;
    s.netuid = kNetuid;
    s.block_time_s = 0.5;
    s.inclusion_blocks = inclusion_blocks;
    s.inclusion_poll_s = 0.1;
    return std::make_unique<st::SubtensorChain>(s, st::hotkey_signer(key));
  }

  void wait_for_block(st::SubtensorChain& chain, std::uint64_t block) {
    for (int i = 0; i < 200 && chain.current_block() < block; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  ScratchDir dir_{"local-subtensor"};
  std::unique_ptr<ChildProcess> chain_;
  std::string http_, ws_;
};

TEST_F(LocalSubtensorProcess, SubtensorChainServesSetsWeightsAndIsRefusedByName) {
  auto validator = nineteen::keys::Hotkey::generate();
  auto miner = nineteen::keys::Hotkey::generate();
  // Registration stays on the dev chain's HTTP route (Subtensor's is coldkey-signed and burns TAO).
  ASSERT_TRUE(nineteen::chain::ChainClient(http_, validator)
                  .register_node({validator.ss58_address(), "", 1000, NodeRole::validator, "", 0})
                  .accepted);
  ASSERT_TRUE(nineteen::chain::ChainClient(http_, miner)
                  .register_node({miner.ss58_address(), "", 0, NodeRole::miner, "", 0})
                  .accepted);

  // serve_axon, signed by the miner's sr25519 hotkey; loopback travels as 0.0.0.1 and reads back as
  // 127.0.0.1.
  auto miner_chain = client(miner);
  auto served = miner_chain->serve(miner.ss58_address(), "127.0.0.1", 8091);
  ASSERT_TRUE(served.accepted) << served.reason << "\n" << chain_->output();
  EXPECT_EQ(served.uid, std::optional<std::uint16_t>(1));

  auto params = miner_chain->params();
  EXPECT_EQ(params.rate_limit, 3u);
  EXPECT_EQ(params.tempo, 10u);
  EXPECT_EQ(params.version_key, 2u);

  // set_weights accepted, and read back from SubtensorModule.Weights.
  auto first = client(validator);
  auto accepted = first->set_weights(validator.ss58_address(), {1}, {500}, 2);
  ASSERT_TRUE(accepted.accepted) << accepted.reason << "\n" << chain_->output();
  auto weights = first->weights_of(validator.ss58_address());
  ASSERT_TRUE(weights.has_value());
  EXPECT_EQ(weights->uids, std::vector<std::uint16_t>{1});
  EXPECT_EQ(weights->values, std::vector<std::uint16_t>{65535});
  EXPECT_EQ(weights->block, accepted.block);

  // The metagraph through get_neurons_lite: roles, stake, the axon, and LastUpdate from the weights.
  auto neurons = nineteen::chain::open_chain(ws_, kNetuid)->metagraph();
  ASSERT_EQ(neurons.size(), 2u);
  EXPECT_EQ(neurons[0].hotkey, validator.ss58_address());
  EXPECT_EQ(neurons[0].role, NodeRole::validator);
  EXPECT_DOUBLE_EQ(neurons[0].stake, 1000);
  EXPECT_EQ(neurons[0].last_update, accepted.block);
  EXPECT_EQ(neurons[1].hotkey, miner.ss58_address());
  EXPECT_EQ(neurons[1].role, NodeRole::miner);
  EXPECT_EQ(neurons[1].ip, "127.0.0.1");
  EXPECT_EQ(neurons[1].port, 8091);

  // A second setting inside the rate limit, refused by the chain itself. The client checks the rate limit
  // too, so the second is sent by another client while the first is still in the pool: both pass the
  // client's check, the chain applies the first and refuses the second by name. (If a block boundary falls
  // between the two, the client refuses it first; then wait and try again.)
  auto pool_only = client(validator, 0);
  auto second = client(validator);
  second->metadata();  // fetched now, so the two submissions follow each other closely
  std::string refusal;
  for (int attempt = 0; attempt < 4 && refusal.find("SettingWeightsTooFast") == std::string::npos;
       ++attempt) {
    auto last = second->neurons_lite()[0].last_update;
    wait_for_block(*second, last + 3);
    auto in_pool = pool_only->set_weights(validator.ss58_address(), {1}, {65535}, 2);
    ASSERT_TRUE(in_pool.accepted) << in_pool.reason;
    auto refused = second->set_weights(validator.ss58_address(), {1}, {100}, 2);
    EXPECT_FALSE(refused.accepted);
    refusal = refused.reason;
  }
  EXPECT_NE(refusal.find("SubtensorModule.SettingWeightsTooFast"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("wait, then set them again"), std::string::npos) << refusal;

  // The node's own checks: garbage is a bad format, an unknown method is named.
  st::JsonRpcClient rpc(ws_);
  try {
    rpc.call("author_submitExtrinsic", R"(["0x00"])");
    ADD_FAILURE() << "garbage extrinsic accepted";
  } catch (const st::RpcNodeError& e) {
    EXPECT_EQ(e.code(), 1001) << e.what();
  }
  EXPECT_THROW(rpc.call("state_getKeysPaged", "[]"), st::RpcNodeError);

  // `nineteen chain show` reads the same through ws://; `register` over ws:// is refused with the way to do
  // it.
  auto [show_code, show_out] = test_support::run_nineteen({"chain", "show", "--chain", ws_, "--netuid", "7"});
  EXPECT_EQ(show_code, 0) << show_out;
  EXPECT_NE(show_out.find(miner.ss58_address()), std::string::npos) << show_out;
  auto [register_code, register_out] =
      test_support::run_nineteen({"chain", "register", "--chain", ws_, "--key", dir_.file("none.json"),
                                  "--stake", "1", "--role", "miner"});
  EXPECT_EQ(register_code, 2) << register_out;
}

// Task votes through the chain process: two validators publish with Commitments.set_commitment over ws://
// (SubtensorChain, as on Bittensor), every reader sees them (ws:// and the dev chain's HTTP), and the
// consensus reader turns them into the effective task weights.
TEST_F(LocalSubtensorProcess, TaskVotesRoundTripThroughTheChain) {
  auto a = nineteen::keys::Hotkey::generate();
  auto b = nineteen::keys::Hotkey::generate();
  ASSERT_TRUE(nineteen::chain::ChainClient(http_, a).register_node({a.ss58_address(), "", 600, NodeRole::validator, "", 0}).accepted);
  ASSERT_TRUE(nineteen::chain::ChainClient(http_, b).register_node({b.ss58_address(), "", 400, NodeRole::validator, "", 0}).accepted);
  const std::string vote_a = nineteen::scoring::encode_task_votes({{"chat", 0.5}, {"reverse", 0.5}});
  const std::string vote_b = nineteen::scoring::encode_task_votes({{"chat", 0.9}, {"reverse", 0.1}});
  auto published_a = client(a)->set_commitment(a.ss58_address(), vote_a);
  ASSERT_TRUE(published_a.accepted) << published_a.reason << "\n" << chain_->output();
  EXPECT_EQ(published_a.uid, std::optional<std::uint16_t>(0));
  auto published_b = client(b)->set_commitment(b.ss58_address(), vote_b);
  ASSERT_TRUE(published_b.accepted) << published_b.reason;
  // Too long for the chain's Commitments.MaxFields (3 × 128 bytes): refused before sending, with the limit.
  auto too_long = client(b)->set_commitment(b.ss58_address(), std::string(400, 'x'));
  EXPECT_FALSE(too_long.accepted);
  EXPECT_NE(too_long.reason.find("at most 384"), std::string::npos) << too_long.reason;

  for (std::shared_ptr<nineteen::chain::Chain> reader :
       {std::shared_ptr<nineteen::chain::Chain>(nineteen::chain::open_chain(ws_, kNetuid)),
        std::shared_ptr<nineteen::chain::Chain>(std::make_shared<nineteen::chain::ChainClient>(http_))}) {
    auto kept = reader->commitments();
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].hotkey, a.ss58_address());
    EXPECT_EQ(kept[0].data, vote_a);
    EXPECT_EQ(kept[0].block, published_a.block);
    EXPECT_EQ(kept[1].data, vote_b);
  }
  // chat: A 0.5 (600) reaches half the stake → 0.5; reverse: B 0.1 (400), A 0.5 (1000) → 0.5. Bounds cap
  // chat at 0.45: 0.45 / 0.55.
  std::vector<nineteen::scoring::TaskWeightBounds> catalogue = {{"chat", 0.6, 0.2, 0.45}, {"reverse", 0.4, 0, 1}};
  auto reader = nineteen::chain::open_chain(ws_, kNetuid);
  nineteen::chain::ConsensusView view = nineteen::chain::read_consensus_view(*reader, &catalogue);
  ASSERT_TRUE(view.error.empty()) << view.error;
  ASSERT_EQ(view.validators.size(), 2u);
  EXPECT_DOUBLE_EQ(view.validators[0].stake_share, 0.6);
  EXPECT_EQ(view.validators[1].task_votes.at("chat"), 0.9);
  ASSERT_TRUE(view.task_weights.has_value());
  EXPECT_TRUE(view.task_weights->from_votes);
  EXPECT_NEAR(view.task_weights->median.at("chat"), 0.5, 1e-9);
  EXPECT_NEAR(view.task_weights->weight.at("chat"), 0.45, 1e-9);
  EXPECT_NEAR(view.task_weights->weight.at("reverse"), 0.55, 1e-9);
}

TEST_F(LocalSubtensorProcess, AnEd25519HotkeyOrAMissingNetuidIsAClearError) {
  EXPECT_THROW(nineteen::chain::open_chain(ws_, std::nullopt), nineteen::chain::ChainError);
  EXPECT_THROW(nineteen::chain::open_chain("tcp://127.0.0.1:1", 1), nineteen::chain::ChainError);
  try {
    nineteen::chain::open_chain(ws_, kNetuid,
                                nineteen::keys::Hotkey::generate(nineteen::keys::KeyScheme::ed25519));
    ADD_FAILURE() << "an ed25519 hotkey was taken for Subtensor";
  } catch (const nineteen::chain::ChainError& e) {
    EXPECT_NE(std::string(e.what()).find("nineteen keys import"), std::string::npos) << e.what();
  }
}

TEST(ChainSetting, ABadUrlOrAMissingNetuidNamesTheKey) {
  ScratchDir dir("chain-setting");
  auto run = [&](const std::string& command, const std::string& text) {
    dir.write(command + ".toml", text);
    return test_support::run_nineteen({command, "--config", dir.file(command + ".toml")});
  };
  auto [code, out] = run("miner", "[miner]\nhotkey = \"k.json\"\nchain = \"ws://127.0.0.1:9945\"\n");
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("key \"miner.netuid\" is missing"), std::string::npos) << out;
  std::tie(code, out) = run("miner", "[miner]\nhotkey = \"k.json\"\nchain = \"tcp://127.0.0.1:9945\"\n");
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("key \"miner.chain\""), std::string::npos) << out;
  EXPECT_NE(out.find("wss://"), std::string::npos) << out;
  std::tie(code, out) =
      run("validator", "[validator]\nhotkey = \"k.json\"\nchain = \"wss://example.org:443\"\n");
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("key \"validator.netuid\" is missing"), std::string::npos) << out;
}

}  // namespace
