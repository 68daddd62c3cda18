// `nineteen devnet` end to end: real processes, scripted miner behaviours, and the weights they earn.
#include <gtest/gtest.h>

#include <map>

#include "child_process.hpp"
#include "nineteen/chain/open_chain.hpp"
#include "nineteen/devnet/devnet.hpp"
#include "nineteen/net/http_client.hpp"

namespace {

std::map<std::string, double> weight_by_behaviour(const std::vector<nineteen::devnet::MinerRow>& rows) {
  std::map<std::string, std::map<unsigned, double>> by;
  for (const auto& r : rows) by[r.behaviour][r.uid] = r.weight;  // one final weight per miner
  std::map<std::string, double> out;
  for (const auto& [behaviour, miners] : by) {
    for (const auto& [uid, w] : miners) out[behaviour] += w;
  }
  return out;
}

}  // namespace

TEST(Devnet, BehavioursEarnTheWeightsTheMechanismPromises) {
  test_support::ScratchDir dir("devnet");
  nineteen::devnet::DevnetOptions options;
  options.dir = dir.path().string();
  options.binary = NINETEEN_BINARY;
  options.periods = 3;
  options.exit_after = true;
  options.period_s = 12;
  options.miners = {"honest", "honest", "quantized", "wrong-model", "lazy", "slow", "flaky", "full", "offline"};
  nineteen::devnet::Devnet devnet(options);
  devnet.start();
  std::string printed;
  devnet.run([&](const std::string& text) { printed += text; });

  // The network keeps serving users: the validator's gateway answers with the key the devnet made.
  ASSERT_FALSE(devnet.gateway_url().empty()) << devnet.validator_log();
  nineteen::net::HttpClient client;
  nineteen::net::ClientRequest request;
  request.method = "POST";
  request.url = devnet.gateway_url() + "/v1/text/transform";
  request.body = R"({"model":"reverse-words","text":"hello devnet"})";
  request.headers.set("Authorization", "Bearer " + devnet.api_key());
  request.headers.set("Content-Type", "application/json");
  auto answer = client.send(request);
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, R"({"words":["olleh","tenved"]})");

  // The nodes ran on the chain's Substrate JSON-RPC (SubtensorChain): the miners' axons and the
  // validator's weights read back through it.
  ASSERT_EQ(devnet.chain_rpc_url().rfind("ws://", 0), 0u) << printed;
  EXPECT_NE(printed.find(devnet.chain_rpc_url()), std::string::npos) << printed;
  auto chain = nineteen::chain::open_chain(devnet.chain_rpc_url(), nineteen::devnet::Devnet::chain_netuid());
  size_t serving = 0;
  std::optional<nineteen::chain::ValidatorWeights> weights;
  for (const auto& n : chain->metagraph()) {
    if (n.role == nineteen::chain::NodeRole::miner && n.ip == "127.0.0.1" && n.port != 0) ++serving;
    if (n.role == nineteen::chain::NodeRole::validator) weights = chain->weights_of(n.hotkey);
  }
  EXPECT_EQ(serving, options.miners.size()) << printed;
  ASSERT_TRUE(weights.has_value()) << printed << devnet.validator_log();
  EXPECT_FALSE(weights->uids.empty());
  devnet.stop();

  auto rows = devnet.latest_rows();
  ASSERT_FALSE(rows.empty()) << printed << devnet.validator_log();
  auto w = weight_by_behaviour(rows);
  // Miners whose answers are right (honest, quantized, slow, full) hold the weight.
  EXPECT_GE(w["honest"] + w["quantized"] + w["slow"] + w["full"], 0.90) << printed;
  EXPECT_LT(w["wrong-model"], 0.01) << printed;
  EXPECT_LT(w["lazy"], 0.01) << printed;
  EXPECT_LT(w["offline"], 0.01) << printed;  // never a contender: no row at all
  EXPECT_GT(w["full"], w["flaky"]) << printed;
  EXPECT_GT(w["honest"] / 2, w["flaky"]) << printed;
  // Quantized: its answers pass checking like an honest miner's (bf16 may be slower on a CPU, so
  // its speed rank can put it a little lower), and it stays far above the penalised behaviours.
  for (const auto& r : rows) {
    if (r.behaviour == "quantized") {
      EXPECT_GE(r.quality, 0.95) << r.task << "\n" << printed;
    }
  }
  EXPECT_GT(w["quantized"], w["flaky"]) << printed;
  EXPECT_GT(w["quantized"], 0.25 * w["honest"] / 2) << printed;
  EXPECT_NE(printed.find("overall"), std::string::npos);
}
