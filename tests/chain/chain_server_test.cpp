// A real local chain on 127.0.0.1 with the HTTP client: registration, addresses, weights, epochs, refusals.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <rapidjson/document.h>

#include "chain_test_keys.hpp"
#include "nineteen/chain/chain_client.hpp"
#include "nineteen/cli/commands.hpp"
#include "nineteen/chain/chain_server.hpp"
#include "nineteen/chain/chain_stake_source.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/signed_request_guard.hpp"

namespace nineteen::chain {
namespace {

using testing::TempChainDir;
using testing::expect_two_validator_epoch;
using testing::test_key;

std::string error_field(const std::string& body, const char* field) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error") || !doc["error"][field].IsString()) {
    return "<not an error body: " + body + ">";
  }
  return doc["error"][field].GetString();
}

// Polls `done` every 10 ms for up to 10 s (blocks come every 50 ms; slow machines get slack).
template <typename Done>
bool eventually(Done done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

struct ChainServerFixture : ::testing::Test {
  TempChainDir dir;
  std::unique_ptr<ChainServer> server;
  ChainSettings settings;

  void SetUp() override {
    settings.port = 0;
    settings.db = dir.file("chain.sqlite");
    settings.params.block_time_s = 0.05;
    settings.params.tempo = 3;
    settings.params.rate_limit = 100000;  // a second setting is always too soon in these tests
    settings.params.version_key = 1;
    server = std::make_unique<ChainServer>(settings);
  }
  ChainClient client_for(std::uint8_t key) { return ChainClient(server->base_url(), test_key(key)); }

  net::ClientResult post_raw(const std::string& endpoint, const std::string& body, const keys::Hotkey& signer,
                             const std::string& signed_body) {
    net::HttpClient http;
    net::ClientRequest request;
    request.method = "POST";
    request.url = server->base_url() + endpoint;
    request.body = body;
    keys::add_signature_headers(request.headers, signer, "nineteen-local-chain", signed_body);
    return http.send(request);
  }
};

TEST_F(ChainServerFixture, RegisterPublishSetWeightsAndReadIncentivesOverHttp) {
  ChainClient miner_a = client_for(1), miner_b = client_for(2), big = client_for(3), small = client_for(4);
  EXPECT_EQ(miner_a.register_node({"", "", 0, NodeRole::miner, "", 0}).uid, 0);
  EXPECT_EQ(miner_b.register_node({"", "", 0, NodeRole::miner, "", 0}).uid, 1);
  EXPECT_EQ(big.register_node({"", "", 300, NodeRole::validator, "127.0.0.1", 9100}).uid, 2);
  EXPECT_EQ(small.register_node({"", "", 100, NodeRole::validator, "127.0.0.1", 9101}).uid, 3);
  auto served = miner_a.serve(test_key(1).ss58_address(), "127.0.0.1", 8091);
  ASSERT_TRUE(served.accepted) << served.reason;

  ChainClient reader(server->base_url());
  auto metagraph = reader.metagraph();
  ASSERT_EQ(metagraph.size(), 4u);
  EXPECT_EQ(metagraph[0].hotkey, test_key(1).ss58_address());
  EXPECT_EQ(metagraph[0].port, 8091);
  EXPECT_EQ(metagraph[2].role, NodeRole::validator);
  EXPECT_DOUBLE_EQ(metagraph[2].stake, 300);
  EXPECT_EQ(reader.params().rate_limit, 100000u);

  auto set = big.set_weights(test_key(3).ss58_address(), {0, 1}, {65535, 32768}, 1);
  ASSERT_TRUE(set.accepted) << set.reason;
  ASSERT_TRUE(small.set_weights(test_key(4).ss58_address(), {1}, {65535}, 1).accepted);
  auto again = big.set_weights(test_key(3).ss58_address(), {0}, {65535}, 1);
  EXPECT_FALSE(again.accepted);
  EXPECT_NE(again.reason.find("rate limit: hotkey " + test_key(3).ss58_address() + " set weights at block"),
            std::string::npos)
      << again.reason;
  auto stale = small.set_weights(test_key(4).ss58_address(), {0}, {65535}, 0);
  EXPECT_FALSE(stale.accepted);

  auto weights = reader.weights_of(test_key(3).ss58_address());
  ASSERT_TRUE(weights);
  EXPECT_EQ(weights->uids, (std::vector<std::uint16_t>{0, 1}));
  EXPECT_EQ(weights->values, (std::vector<std::uint16_t>{65535, 32768}));
  EXPECT_FALSE(reader.weights_of(test_key(1).ss58_address()));

  // Blocks advance on their own; the next epoch after the weights computes the incentives.
  ASSERT_TRUE(eventually([&] { return reader.incentives().epoch_block > weights->block; }));
  auto incentives = reader.incentives();
  expect_two_validator_epoch(incentives);
}

// Commitments over HTTP: published signed by the hotkey itself, read back by anyone; a body that is not
// hex bytes is a 400 naming the key.
TEST_F(ChainServerFixture, CommitmentsRoundTripOverHttp) {
  ASSERT_TRUE(client_for(1).register_node({test_key(1).ss58_address(), "", 100, NodeRole::validator, "", 0}).accepted);
  WriteResult published = client_for(1).set_commitment(test_key(1).ss58_address(), "tv1 chat=0.7 reverse=0.3");
  ASSERT_TRUE(published.accepted) << published.reason;
  EXPECT_FALSE(client_for(2).set_commitment(test_key(1).ss58_address(), "tv1 chat=1").accepted);  // not its key
  WriteResult stranger = client_for(2).set_commitment(test_key(2).ss58_address(), "tv1 chat=1");
  EXPECT_FALSE(stranger.accepted);
  EXPECT_NE(stranger.reason.find("not registered"), std::string::npos) << stranger.reason;
  auto kept = ChainClient(server->base_url(), std::nullopt).commitments();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].hotkey, test_key(1).ss58_address());
  EXPECT_EQ(kept[0].data, "tv1 chat=0.7 reverse=0.3");
  EXPECT_EQ(kept[0].block, published.block);
  const std::string bad = R"({"data":"tv1 chat=1"})";
  auto answer = post_raw("/set_commitment", bad, test_key(1), bad);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_NE(error_field(answer.body, "message").find("0x-prefixed hex"), std::string::npos) << answer.body;
}

TEST_F(ChainServerFixture, NobodyCanSetAnothersWeights) {
  ChainClient validator = client_for(3), intruder = client_for(5);
  validator.register_node({"", "", 100, NodeRole::validator, "", 0});
  intruder.register_node({"", "", 0, NodeRole::miner, "", 0});
  // The client itself will not sign for another key …
  auto local = intruder.set_weights(test_key(3).ss58_address(), {1}, {65535}, 1);
  EXPECT_FALSE(local.accepted);
  EXPECT_NE(local.reason.find("cannot act for"), std::string::npos);
  // … and the chain acts for the signer only: the intruder's own (miner) key is refused.
  auto own = intruder.set_weights(test_key(5).ss58_address(), {1}, {65535}, 1);
  EXPECT_FALSE(own.accepted);
  EXPECT_NE(own.reason.find("registered as a miner"), std::string::npos) << own.reason;
  EXPECT_FALSE(ChainClient(server->base_url()).weights_of(test_key(3).ss58_address()));
  // Any text is sent safely in the query: an odd "hotkey" simply has no weights.
  EXPECT_FALSE(ChainClient(server->base_url()).weights_of("not a key&hotkey=" + test_key(3).ss58_address()));
}

TEST_F(ChainServerFixture, ABadSignatureIsRefusedWith401) {
  const std::string body = R"({"uids":[0],"values":[65535],"version_key":1})";
  client_for(3).register_node({"", "", 100, NodeRole::validator, "", 0});
  // Signed over another body: what a man in the middle who changed the weights would send.
  auto result = post_raw("/set_weights", body, test_key(3), R"({"uids":[0],"values":[1],"version_key":1})");
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(error_field(result.body, "code"), "bad_signature");
  EXPECT_EQ(error_field(result.body, "type"), "authentication_error");
  net::HttpClient http;
  net::ClientRequest unsigned_request{"POST", server->base_url() + "/register", {}, R"({"stake":1,"role":"miner"})", {}};
  EXPECT_EQ(http.send(unsigned_request).status, 401);
  EXPECT_FALSE(ChainClient(server->base_url()).weights_of(test_key(3).ss58_address()));
  EXPECT_EQ(ChainClient(server->base_url()).metagraph().size(), 1u);
}

TEST_F(ChainServerFixture, MalformedJsonGetsA400AndTheServerKeepsServing) {
  for (const std::string& body : {std::string("{not json"), std::string("[1,2]"),
                                 std::string(R"({"uids":[0],"values":[70000],"version_key":1})"),
                                 std::string(R"({"uids":"all","values":[1],"version_key":1})")}) {
    auto result = post_raw("/set_weights", body, test_key(3), body);
    ASSERT_TRUE(result.ok()) << result.error_message;
    EXPECT_EQ(result.status, 400) << body;
    EXPECT_EQ(error_field(result.body, "type"), "invalid_request_error") << body;
    EXPECT_NE(error_field(result.body, "message").find("set_weights body"), std::string::npos) << result.body;
  }
  auto missing_role = post_raw("/register", R"({"stake":1})", test_key(3), R"({"stake":1})");
  EXPECT_EQ(missing_role.status, 400);
  EXPECT_EQ(error_field(missing_role.body, "message"),
            "register body key \"role\": expected a string, but it is missing");
  ChainClient validator = client_for(3);
  EXPECT_TRUE(validator.register_node({"", "", 1, NodeRole::validator, "", 0}).accepted);
  EXPECT_GE(validator.current_block(), 0u);
}

TEST_F(ChainServerFixture, TheChainSurvivesARestartOfTheServer) {
  client_for(1).register_node({"", "", 0, NodeRole::miner, "127.0.0.1", 8091});
  ASSERT_TRUE(eventually([&] { return server->state().current_block() >= 3; }));
  server->stop();
  std::uint64_t block_at_stop = server->state().current_block();
  server.reset();
  server = std::make_unique<ChainServer>(settings);
  ChainClient reader(server->base_url());
  EXPECT_GE(reader.current_block(), block_at_stop);
  ASSERT_EQ(reader.metagraph().size(), 1u);
  EXPECT_EQ(reader.metagraph()[0].port, 8091);
}

TEST_F(ChainServerFixture, TheMinersStakeThresholdReadsTheChain) {
  ChainClient chain(server->base_url());
  ChainStakeSource stakes(chain, std::chrono::milliseconds(0));
  EXPECT_FALSE(stakes.stake_of(test_key(3).ss58_address()));
  client_for(3).register_node({"", "", 250, NodeRole::validator, "", 0});
  client_for(1).register_node({"", "", 0, NodeRole::miner, "", 0});
  EXPECT_EQ(stakes.stake_of(test_key(3).ss58_address()), 250.0);
  EXPECT_FALSE(stakes.stake_of(test_key(1).ss58_address())) << "a miner is not a validator";
  // The chain goes away: the last metagraph read stays in use.
  server->stop();
  EXPECT_FALSE(stakes.refresh().empty());
  EXPECT_EQ(stakes.stake_of(test_key(3).ss58_address()), 250.0);
}

TEST_F(ChainServerFixture, TheRegisterCommandRegistersAKeyFile) {
  const std::string key_file = dir.file("validator.key");
  keys::save_hotkey(test_key(7), key_file);
  int rc = chain_command({"register", "--chain", server->base_url(), "--key", key_file, "--stake", "42", "--role",
                          "validator", "--ip", "127.0.0.1", "--port", "9200"});
  EXPECT_EQ(rc, 0);
  auto metagraph = ChainClient(server->base_url()).metagraph();
  ASSERT_EQ(metagraph.size(), 1u);
  EXPECT_EQ(metagraph[0].hotkey, test_key(7).ss58_address());
  EXPECT_DOUBLE_EQ(metagraph[0].stake, 42);
  EXPECT_EQ(metagraph[0].port, 9200);
  EXPECT_EQ(chain_command({"register", "--chain", server->base_url(), "--key", key_file, "--stake", "lots",
                           "--role", "validator"}),
            2);
  EXPECT_EQ(chain_command({"register", "--chain", server->base_url(), "--key", key_file, "--stake", "1", "--role",
                           "validator", "--ip", "nowhere", "--port", "1"}),
            1);
  EXPECT_EQ(chain_command({"show", "--chain", server->base_url()}), 0);
}

TEST(ChainClient, AnUnreachableChainIsAnErrorNamingTheAddress) {
  ChainClient client("http://127.0.0.1:1");
  try {
    client.metagraph();
    FAIL() << "no error from a closed port";
  } catch (const ChainError& e) {
    EXPECT_NE(std::string(e.what()).find("chain at http://127.0.0.1:1: GET /metagraph"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace nineteen::chain

namespace nineteen::chain {
namespace {

TEST(ChainCommand, BadUsageIs2AndAMissingSettingsFileIs1) {
  EXPECT_EQ(chain_command({}), 2);
  EXPECT_EQ(chain_command({"--bogus", "x"}), 2);
  EXPECT_EQ(chain_command({"register", "--chain", "http://127.0.0.1:1"}), 2);
  EXPECT_EQ(chain_command({"--config", "/nonexistent/chain.toml"}), 1);
}

}  // namespace
}  // namespace nineteen::chain
