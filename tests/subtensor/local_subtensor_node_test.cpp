// LocalSubtensorNode without a socket: extrinsics signed here are checked at submission (signature, nonce,
// call) and applied at the next block through LocalChainState's rules, each refusal named as the
// SubtensorModule error Subtensor would report.
#include "nineteen/chain/subtensor/local_subtensor_node.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <filesystem>

#include "nineteen/chain/subtensor/json_rpc_server.hpp"
#include "nineteen/chain/subtensor/subtensor_chain.hpp"
#include "nineteen/keys/hotkey.hpp"

namespace st = nineteen::chain::subtensor;
namespace fs = std::filesystem;
using nineteen::chain::NodeRole;

namespace {

constexpr std::uint16_t kNetuid = 3;

class LocalSubtensorNodeTest : public ::testing::Test {
 protected:
  LocalSubtensorNodeTest()
      : dir_(fs::temp_directory_path() / ("nineteen-local-node-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        state_((fs::create_directories(dir_), (dir_ / "chain.db").string()), params()),
        node_(state_, kNetuid) {
    state_.register_node({validator_.ss58_address(), "", 1000, NodeRole::validator, "", 0});
    state_.register_node({miner_.ss58_address(), "", 0, NodeRole::miner, "", 0});
  }
  ~LocalSubtensorNodeTest() override { fs::remove_all(dir_); }

  static nineteen::chain::ChainParams params() {
    nineteen::chain::ChainParams p;
    p.version_key = 5;
    p.rate_limit = 2;
    p.tempo = 100;
    return p;
  }

  std::string call(const std::string& method, const std::string& params_json) {
    rapidjson::Document params;
    params.Parse(params_json.c_str());
    return node_.handle(method, params);
  }

  // A signed extrinsic of `key` for SubtensorModule.`name`, as SubtensorChain builds it.
  std::string extrinsic(const nineteen::keys::Hotkey& key, const std::string& name, const st::CallArgs& args,
                        std::uint64_t nonce, bool tamper = false) {
    return signed_call(key, "SubtensorModule", name, args, nonce, tamper);
  }
  std::string signed_call(const nineteen::keys::Hotkey& key, const std::string& pallet, const std::string& name,
                          const st::CallArgs& args, std::uint64_t nonce, bool tamper = false) {
    st::TxParams tx;
    tx.spec_version = node_.spec_version();
    tx.transaction_version = node_.transaction_version();
    tx.genesis_hash = st::LocalSubtensorNode::block_hash(0);
    tx.era_block_hash = tx.genesis_hash;
    tx.nonce = nonce;
    st::HotkeySigner signer = st::hotkey_signer(key);
    st::Bytes call_bytes = st::encode_call(node_.metadata(), pallet, name, args);
    st::Bytes x =
        st::build_signed_extrinsic(node_.metadata(), call_bytes, tx, signer.public_key, signer.sign);
    if (tamper) x.back() ^= 1;  // the last argument byte: the signature no longer covers it
    return st::hex_encode(x);
  }

  st::CallArgs weights(std::uint16_t netuid, std::uint64_t version_key) {
    return {{"netuid", st::Value::uint(netuid)},
            {"dests", st::Value::uint_list(std::vector<std::uint16_t>{1})},
            {"weights", st::Value::uint_list(std::vector<std::uint16_t>{700})},
            {"version_key", st::Value::uint(version_key)}};
  }

  st::CallArgs axon(const std::string& ip, std::uint16_t port) {
    auto parsed = st::parse_ip(ip).value();
    return {{"netuid", st::Value::uint(kNetuid)},        {"version", st::Value::uint(1)},
            {"ip", st::Value::uint(parsed.first)},       {"port", st::Value::uint(port)},
            {"ip_type", st::Value::uint(parsed.second)}, {"protocol", st::Value::uint(4)},
            {"placeholder1", st::Value::uint(0)},        {"placeholder2", st::Value::uint(0)}};
  }

  std::string submit(const std::string& hex) { return call("author_submitExtrinsic", "[\"" + hex + "\"]"); }

  // A block passes; the outcome of each extrinsic in it, from System.Events: "ok" or the named error.
  std::vector<std::string> next_block() {
    std::uint64_t block = state_.advance_block();
    node_.on_block(block);
    const st::Metadata& m = node_.metadata();
    std::string answer =
        call("state_getStorage", "[\"" + st::hex_encode(m.storage_key("System", "Events")) + "\",\"" +
                                     st::hex_encode(st::LocalSubtensorNode::block_hash(block)) + "\"]");
    rapidjson::Document d;
    d.Parse(answer.c_str());
    st::Bytes events = st::hex_decode(d.GetString());
    st::ScaleDecoder in(events);
    st::Value records = st::decode_value(m.types, m.storage("System", "Events").value_type, in);
    std::vector<std::string> out;
    for (const auto& rec : records.items()) {
      const st::Value& ev = rec.items()[1].items()[0];
      out.push_back(ev.variant_name() == "ExtrinsicFailed" ? st::describe_dispatch_error(m, ev.items()[0])
                                                           : "ok");
    }
    return out;
  }

  fs::path dir_;
  nineteen::keys::Hotkey validator_ = nineteen::keys::Hotkey::generate();
  nineteen::keys::Hotkey miner_ = nineteen::keys::Hotkey::generate();
  nineteen::chain::LocalChainState state_;
  st::LocalSubtensorNode node_;
};

TEST_F(LocalSubtensorNodeTest, RuntimeVersionComesFromTheEmbeddedMetadata) {
  rapidjson::Document v;
  v.Parse(call("state_getRuntimeVersion", "[]").c_str());
  EXPECT_EQ(v["specVersion"].GetUint(), 343u);
  EXPECT_EQ(v["transactionVersion"].GetUint(), 1u);
  EXPECT_EQ(call("chain_getBlockHash", "[0]"),
            "\"" + st::hex_encode(st::LocalSubtensorNode::block_hash(0)) + "\"");
}

TEST_F(LocalSubtensorNodeTest, RefusalsAreNamedAsSubtensorModuleErrors) {
  submit(extrinsic(validator_, "set_weights", weights(kNetuid, 4), 0));  // below the version key 5
  submit(extrinsic(validator_, "set_weights", weights(kNetuid + 1, 5), 1));
  submit(extrinsic(miner_, "set_weights", weights(kNetuid, 5), 0));
  submit(extrinsic(miner_, "serve_axon", axon("127.0.0.1", 8091), 1));
  auto outcomes = next_block();
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_NE(outcomes[0].find("SubtensorModule.IncorrectWeightVersionKey"), std::string::npos) << outcomes[0];
  EXPECT_NE(outcomes[1].find("SubtensorModule.SubnetNotExists"), std::string::npos) << outcomes[1];
  EXPECT_NE(outcomes[2].find("SubtensorModule.NeuronNoValidatorPermit"), std::string::npos) << outcomes[2];
  EXPECT_NE(outcomes[3].find("SubtensorModule.InvalidIpAddress"), std::string::npos) << outcomes[3];

  // Accepted: weights max-upscaled as Subtensor does, then the rate limit (2 blocks) refuses the next one.
  submit(extrinsic(validator_, "set_weights", weights(kNetuid, 5), 2));
  submit(extrinsic(miner_, "serve_axon", axon("0.0.0.1", 8091), 2));
  EXPECT_EQ(next_block(), (std::vector<std::string>{"ok", "ok"}));
  auto w = state_.weights_of(validator_.ss58_address());
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->values, std::vector<std::uint16_t>{65535});
  EXPECT_EQ(state_.metagraph()[1].ip, "127.0.0.1");
  submit(extrinsic(validator_, "set_weights", weights(kNetuid, 5), 3));
  auto too_fast = next_block();
  ASSERT_EQ(too_fast.size(), 1u);
  EXPECT_NE(too_fast[0].find("SubtensorModule.SettingWeightsTooFast"), std::string::npos) << too_fast[0];
}

// Commitments.set_commitment (a validator's task vote): applied in the next block, read back from
// Commitments.CommitmentOf as Subtensor stores it; an unregistered signer and too many fields are refused
// with the Commitments pallet's own errors.
TEST_F(LocalSubtensorNodeTest, CommitmentsAreAppliedAndReadBackFromStorage) {
  const std::string vote(150, 'v');  // two raw fields: 128 + 22 bytes
  auto stranger = nineteen::keys::Hotkey::generate();
  auto commitment = [&](std::uint16_t netuid, const std::string& data) {
    return st::CallArgs{{"netuid", st::Value::uint(netuid)}, {"info", st::commitment_info(data)}};
  };
  submit(signed_call(validator_, "Commitments", "set_commitment", commitment(kNetuid, vote), 0));
  submit(signed_call(stranger, "Commitments", "set_commitment", commitment(kNetuid, "tv1 a=1"), 0));
  submit(signed_call(miner_, "Commitments", "set_commitment", commitment(kNetuid, std::string(4 * 128, 'x')), 0));
  submit(signed_call(miner_, "Commitments", "set_commitment", commitment(kNetuid + 1, "tv1 a=1"), 1));
  auto outcomes = next_block();
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0], "ok");
  EXPECT_NE(outcomes[1].find("Commitments.AccountNotAllowedCommit"), std::string::npos) << outcomes[1];
  EXPECT_NE(outcomes[2].find("Commitments.TooManyFieldsInCommitmentInfo"), std::string::npos) << outcomes[2];
  EXPECT_NE(outcomes[3].find("SubtensorModule.SubnetNotExists"), std::string::npos) << outcomes[3];

  auto kept = state_.commitments();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].hotkey, validator_.ss58_address());
  EXPECT_EQ(kept[0].data, vote);
  const st::Metadata& m = node_.metadata();
  st::Bytes key = m.storage_key("Commitments", "CommitmentOf",
                                {st::Value::uint(kNetuid), st::Value::bytes(validator_.public_key())});
  rapidjson::Document answer;
  answer.Parse(call("state_getStorage", "[\"" + st::hex_encode(key) + "\"]").c_str());
  ASSERT_TRUE(answer.IsString());
  auto read = st::read_commitment_registration(m, st::hex_decode(answer.GetString()));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->first, kept[0].block);
  EXPECT_EQ(read->second, vote);
  // Nobody else published: no value.
  st::Bytes none = m.storage_key("Commitments", "CommitmentOf",
                                 {st::Value::uint(kNetuid), st::Value::bytes(miner_.public_key())});
  EXPECT_EQ(call("state_getStorage", "[\"" + st::hex_encode(none) + "\"]"), "null");
}

TEST_F(LocalSubtensorNodeTest, SubmissionChecksSignatureNonceAndCall) {
  auto refused = [&](const std::string& hex) -> std::string {
    try {
      submit(hex);
    } catch (const st::RpcServerError& e) {
      return std::to_string(e.code()) + " " + e.what() + ": " + e.data();
    }
    return "accepted";
  };
  EXPECT_NE(refused(extrinsic(validator_, "set_weights", weights(kNetuid, 5), 0, true))
                .find("1010 Invalid Transaction: "
                      "Transaction has a bad signature"),
            std::string::npos);
  EXPECT_NE(refused("0x1234").find("1001"), std::string::npos);
  EXPECT_NE(refused(extrinsic(validator_, "set_weights", weights(kNetuid, 5), 1)).find("future"),
            std::string::npos);
  EXPECT_EQ(refused(extrinsic(validator_, "set_weights", weights(kNetuid, 5), 0)), "accepted");
  EXPECT_EQ(call("system_accountNextIndex", "[\"" + validator_.ss58_address() + "\"]"), "1");
  EXPECT_NE(refused(extrinsic(validator_, "set_weights", weights(kNetuid, 5), 0)).find("outdated"),
            std::string::npos);
  EXPECT_NE(refused(extrinsic(validator_, "burned_register",
                              {{"netuid", st::Value::uint(kNetuid)},
                               {"hotkey", st::Value::bytes(validator_.public_key())}},
                              1))
                .find("call is not expected"),
            std::string::npos);
}

}  // namespace
