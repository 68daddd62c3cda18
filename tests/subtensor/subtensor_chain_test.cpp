// SubtensorChain against a fake Subtensor node on loopback: it answers recorded-shaped SCALE built from the
// V15 metadata fixture (spec 343), keeps blocks, storage, a nonce, and records what was submitted.
#include "nineteen/chain/subtensor/subtensor_chain.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <thread>

#include "fake_node.hpp"
#include "fixture_metadata.hpp"
#include "nineteen/chain/subtensor/json_rpc_server.hpp"
#include "nineteen/keys/ss58.hpp"

namespace st = nineteen::chain::subtensor;
using nineteen::chain::NodeRole;

namespace {

const char* kGenesis = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";
constexpr std::uint16_t kNetuid = 19;

// The bare "meta" blob, as state_getMetadata answers it.
std::string bare_metadata_hex() {
  return st::hex_encode(fixture_metadata::blob());
}

st::AccountId account(std::uint8_t fill) {
  st::AccountId a{};
  a.fill(fill);
  return a;
}

st::Hash256 hotkey_public() {
  auto b = st::hex_decode("0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a");
  st::Hash256 k{};
  std::copy(b.begin(), b.end(), k.begin());
  return k;
}

st::Signature64 fixed_signature() {
  st::Signature64 s{};
  s.fill(0xab);
  return s;
}

// A zero value of any type (first variant of enums), to fill event fields the test does not care about.
st::Value zero(const st::TypeRegistry& t, std::uint32_t id) { return st::zero_value(t, id); }

const st::TypeVariant& variant_named(const st::TypeRegistry& t, std::uint32_t id, const std::string& name) {
  for (const auto& v : t.get(id).def.variants)
    if (v.name == name) return v;
  throw std::runtime_error("no variant " + name);
}

class FakeSubtensor {
 public:
  FakeSubtensor() : metadata_hex(bare_metadata_hex()), metadata(st::decode_metadata_hex(metadata_hex)) {
    auto put = [&](const char* entry, std::vector<st::Value> keys, st::Value v) {
      set_storage("SubtensorModule", entry, std::move(keys), std::move(v));
    };
    put("Tempo", {st::Value::uint(kNetuid)}, st::Value::uint(360));
    put("WeightsSetRateLimit", {st::Value::uint(kNetuid)}, st::Value::uint(100));
    put("WeightsVersionKey", {st::Value::uint(kNetuid)}, st::Value::uint(5));
    put("CommitRevealWeightsEnabled", {st::Value::uint(kNetuid)}, st::Value::boolean(false));

    st::NeuronLite v;
    v.hotkey = hotkey_public();
    v.coldkey = account(0xc0);
    v.uid = 0;
    v.netuid = kNetuid;
    v.active = true;
    v.axon = st::AxonInfo{900, 1, 1, 8091, 4, 4, 0, 0};  // 0.0.0.1:8091
    v.stake = {{account(0xc0), 2'000'000'000'000ULL}};
    v.validator_permit = true;
    v.incentive = 0;
    v.last_update = 800;
    st::NeuronLite m;
    m.hotkey = account(0x11);
    m.coldkey = account(0x22);
    m.uid = 1;
    m.netuid = kNetuid;
    m.axon = st::AxonInfo{950, 1, (1u << 24) | (2u << 16) | (3u << 8) | 4u, 9000, 4, 4, 0, 0};
    m.stake = {{account(0x22), 1'500'000'000ULL}};
    m.incentive = 49151;
    st::NeuronLite m2 = m;
    m2.hotkey = account(0x33);
    m2.uid = 2;
    m2.axon = st::AxonInfo{};
    m2.incentive = 16384;
    neurons = {v, m, m2};
  }

  void set_storage(const std::string& pallet, const std::string& entry, std::vector<st::Value> keys,
                   const st::Value& v) {
    const auto& e = metadata.storage(pallet, entry);
    storage[st::hex_encode(metadata.storage_key(pallet, entry, keys))] =
        st::hex_encode(st::encode_value(metadata.types, e.value_type, v, entry));
  }

  static std::string hash_of(std::uint64_t n) {
    if (n == 0) return kGenesis;
    std::string s = "block " + std::to_string(n);
    return st::hex_encode(st::blake2_256(st::Bytes(s.begin(), s.end())));
  }

  std::uint8_t error_index(const std::string& name) const {
    for (int i = 0; i < 256; ++i) {
      auto e = metadata.module_error(7, {static_cast<std::uint8_t>(i), 0, 0, 0});
      if (e && e->name == name) return static_cast<std::uint8_t>(i);
    }
    throw std::runtime_error("no error " + name);
  }

  // Vec<EventRecord> for a block whose extrinsic 0 succeeded and extrinsic 1 succeeded or failed.
  std::string events(std::optional<std::uint8_t> failed_error) const {
    const auto& t = metadata.types;
    const auto& entry = metadata.storage("System", "Events");
    std::uint32_t record_type = t.get(entry.value_type).def.element;
    const auto& record = t.get(record_type).def;
    std::uint32_t runtime_event = record.fields[1].type;
    std::uint32_t system_event = variant_named(t, runtime_event, "System").fields[0].type;
    auto record_of = [&](std::uint32_t index, const std::string& name, std::optional<std::uint8_t> err) {
      const auto& var = variant_named(t, system_event, name);
      std::vector<st::Value> fields;
      for (const auto& f : var.fields) {
        if (f.name == std::optional<std::string>("dispatch_error") && err) {
          fields.push_back(st::Value::variant(
              "Module", {st::Value::list({st::Value::uint(7), st::Value::bytes(st::Bytes{*err, 0, 0, 0})})}));
        } else {
          fields.push_back(zero(t, f.type));
        }
      }
      return st::Value::list({st::Value::variant("ApplyExtrinsic", {st::Value::uint(index)}),
                              st::Value::variant("System", {st::Value::variant(name, fields)}),
                              st::Value::list({})});
    };
    std::vector<st::Value> records{record_of(0, "ExtrinsicSuccess", std::nullopt)};
    records.push_back(failed_error ? record_of(1, "ExtrinsicFailed", failed_error)
                                   : record_of(1, "ExtrinsicSuccess", std::nullopt));
    return st::hex_encode(st::encode_value(t, entry.value_type, st::Value::list(records), "events"));
  }

  std::string handle(const std::string& method, const rapidjson::Value& params) {
    std::lock_guard<std::mutex> lock(mutex);
    auto param = [&](rapidjson::SizeType i) -> std::string {
      return params.IsArray() && params.Size() > i && params[i].IsString() ? params[i].GetString() : "";
    };
    if (method == "state_getRuntimeVersion")
      return R"({"specName":"node-subtensor","specVersion":343,"transactionVersion":1})";
    if (method == "state_getMetadata") return "\"" + metadata_hex + "\"";
    if (method == "chain_getHeader") {
      std::stringstream s;
      s << std::hex << block;
      return R"({"number":"0x)" + s.str() + R"(","parentHash":")" + hash_of(block - 1) + "\"}";
    }
    if (method == "chain_getBlockHash") {
      std::uint64_t n = params[0].GetUint64();
      return n > block ? "null" : "\"" + hash_of(n) + "\"";
    }
    if (method == "chain_getBlock") {
      for (std::uint64_t n = block; n > 0; --n) {
        if (hash_of(n) != param(0)) continue;
        std::string xs = "[";
        for (const auto& x : block_extrinsics[n]) xs += (xs.size() > 1 ? "," : "") + ("\"" + x + "\"");
        return R"({"block":{"header":{},"extrinsics":)" + xs + "]}}";
      }
      return "null";
    }
    if (method == "state_call") {
      if (param(0) != "NeuronInfoRuntimeApi_get_neurons_lite")
        throw fake_node::RpcFailure(-32000, "unknown api");
      if (param(1) != "0x1300") throw fake_node::RpcFailure(-32000, "bad netuid argument " + param(1));
      if (!neurons_answer.empty()) return "\"" + neurons_answer + "\"";
      return "\"" + st::hex_encode(st::encode_neurons_lite(neurons)) + "\"";
    }
    if (method == "state_getStorage") {
      std::string key = param(0);
      std::string at = param(1);
      if (!at.empty()) {
        for (const auto& [n, ev] : block_events)
          if (hash_of(n) == at && key == st::hex_encode(metadata.storage_key("System", "Events")))
            return "\"" + ev + "\"";
      }
      auto it = storage.find(key);
      return it == storage.end() ? "null" : "\"" + it->second + "\"";
    }
    if (method == "system_accountNextIndex") {
      accounts_asked.push_back(param(0));
      return std::to_string(nonce);
    }
    if (method == "author_submitExtrinsic") {
      submitted.push_back(param(0));
      submitted_at.push_back(block);
      if (pool_error) throw *pool_error;
      if (pool_error_after_first && submitted.size() > 1) throw *pool_error_after_first;
      ++nonce;
      pending.push_back(param(0));
      if (include_on_submit) advance();
      return "\"" + hash_of(1'000'000 + block) + "\"";
    }
    throw fake_node::RpcFailure(-32601, "Method not found");
  }

  std::mutex mutex;
  std::string metadata_hex;
  st::Metadata metadata;
  std::uint64_t block = 1000;
  std::uint64_t nonce = 7;
  std::map<std::string, std::string> storage;
  std::vector<st::NeuronLite> neurons;
  std::string neurons_answer;  // when set, state_call answers this hex instead
  std::vector<std::string> submitted;
  std::vector<std::uint64_t> submitted_at;
  std::vector<std::string> accounts_asked;
  std::map<std::uint64_t, std::vector<std::string>> block_extrinsics;
  std::map<std::uint64_t, std::string> block_events;
  std::optional<std::uint8_t> fail_with;
  std::optional<fake_node::RpcFailure> pool_error;
  std::optional<fake_node::RpcFailure> pool_error_after_first;
  bool include_on_submit = true;  // false: submitted extrinsics wait for advance()
  std::vector<std::string> pending;

  // A new block with a timestamp extrinsic and the pending ones (caller holds `mutex`, or no server runs).
  void advance() {
    ++block;
    block_extrinsics[block] = {"0x280402000b50"};
    for (const auto& x : pending) block_extrinsics[block].push_back(x);
    if (!pending.empty()) block_events[block] = events(fail_with);
    pending.clear();
  }
};

class SubtensorChainTest : public ::testing::Test {
 protected:
  SubtensorChainTest()
      : node_([this](const std::string& m, const rapidjson::Value& p) { return fake_.handle(m, p); }) {}

  st::SubtensorSettings settings() {
    st::SubtensorSettings s;
    s.endpoint = node_.url();
    s.netuid = kNetuid;
    s.rpc.request_timeout = std::chrono::milliseconds(2000);
    s.rpc.backoff_initial = std::chrono::milliseconds(10);
    s.inclusion_poll_s = 0.01;
    return s;
  }
  st::SubtensorChain chain(std::optional<st::HotkeySigner> signer = signer_()) {
    return st::SubtensorChain(settings(), std::move(signer));
  }
  static st::HotkeySigner signer_() {
    return st::HotkeySigner{hotkey_public(), [](const st::Bytes&) { return fixed_signature(); }};
  }
  std::string me() const { return nineteen::keys::ss58_encode(hotkey_public()); }

  // The extrinsic the client should have sent for `call` at the block it was submitted in.
  std::string expected_extrinsic(const st::Bytes& call, std::uint64_t at_block, std::uint64_t nonce) {
    st::TxParams tx;
    tx.spec_version = 343;
    tx.transaction_version = 1;
    auto g = st::hex_decode(kGenesis);
    std::copy(g.begin(), g.end(), tx.genesis_hash.begin());
    tx.era = st::Era::mortal(64, at_block);
    auto h = st::hex_decode(FakeSubtensor::hash_of(tx.era.birth(at_block)));
    std::copy(h.begin(), h.end(), tx.era_block_hash.begin());
    tx.nonce = nonce;
    return st::hex_encode(st::build_signed_extrinsic(fake_.metadata, call, tx, hotkey_public(),
                                                     [](const st::Bytes&) { return fixed_signature(); }));
  }

  FakeSubtensor fake_;
  fake_node::FakeNode node_;
};

}  // namespace

TEST_F(SubtensorChainTest, MetagraphFromNeuronsLite) {
  auto c = chain(std::nullopt);
  auto mg = c.metagraph();
  ASSERT_EQ(mg.size(), 3u);
  EXPECT_EQ(mg[0].hotkey, me());
  EXPECT_EQ(mg[0].coldkey, nineteen::keys::ss58_encode(account(0xc0)));
  EXPECT_EQ(mg[0].role, NodeRole::validator);
  EXPECT_DOUBLE_EQ(mg[0].stake, 2000.0);
  EXPECT_EQ(mg[0].ip, "127.0.0.1");  // posted as 0.0.0.1
  EXPECT_EQ(mg[0].port, 8091);
  EXPECT_EQ(mg[0].last_update, 800u);
  EXPECT_EQ(mg[1].role, NodeRole::miner);
  EXPECT_DOUBLE_EQ(mg[1].stake, 1.5);
  EXPECT_EQ(mg[1].ip, "1.2.3.4");
  EXPECT_EQ(mg[1].port, 9000);
  EXPECT_EQ(mg[2].ip, "");  // not serving
  EXPECT_EQ(mg[2].port, 0);
  EXPECT_EQ(c.current_block(), 1000u);
}

TEST_F(SubtensorChainTest, ParamsFromStorage) {
  auto c = chain(std::nullopt);
  auto p = c.params();
  EXPECT_EQ(p.version_key, 5u);
  EXPECT_EQ(p.rate_limit, 100u);
  EXPECT_EQ(p.tempo, 360u);
  EXPECT_FALSE(c.commit_reveal_enabled());
  EXPECT_EQ(c.metadata()->version, 15);
}

TEST_F(SubtensorChainTest, SetWeightsSubmitsTheExpectedExtrinsic) {
  auto c = chain();
  auto r = c.set_weights(me(), {0, 2, 1}, {0, 60000, 30000}, 5);
  ASSERT_TRUE(r.accepted) << r.reason;
  EXPECT_EQ(r.block, 1001u);  // found in the next block, its events say success
  ASSERT_EQ(fake_.submitted.size(), 1u);
  EXPECT_EQ(fake_.accounts_asked.back(), me());
  // Zeros dropped, sorted by uid, max-normalised to 65535: 30000/60000 → 32768.
  st::Bytes call =
      st::encode_call(fake_.metadata, "SubtensorModule", "set_weights",
                      {{"netuid", st::Value::uint(kNetuid)},
                       {"dests", st::Value::uint_list(std::vector<std::uint16_t>{1, 2})},
                       {"weights", st::Value::uint_list(std::vector<std::uint16_t>{32768, 65535})},
                       {"version_key", st::Value::uint(5)}});
  EXPECT_EQ(fake_.submitted[0], expected_extrinsic(call, 1000, 7));
}

TEST_F(SubtensorChainTest, DispatchErrorIsNamedWithItsFix) {
  fake_.fail_with = fake_.error_index("SettingWeightsTooFast");
  auto c = chain();
  auto r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.block, 1001u);
  EXPECT_EQ(r.reason,
            "set_weights failed in block 1001: SubtensorModule.SettingWeightsTooFast: the subnet's "
            "WeightsSetRateLimit "
            "has not passed since this hotkey's last weights: wait, then set them again");
  fake_.fail_with = fake_.error_index("NeuronNoValidatorPermit");
  r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_NE(r.reason.find("SubtensorModule.NeuronNoValidatorPermit: this hotkey has no validator permit"),
            std::string::npos)
      << r.reason;
}

TEST_F(SubtensorChainTest, PoolRefusalNamesTheNodeMessage) {
  fake_.pool_error = fake_node::RpcFailure(1010, "Invalid Transaction", "Custom error: 6");
  auto c = chain();
  auto r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(
      r.reason.find("set_weights refused by the node: Invalid Transaction: Custom error: 6 (Subtensor's own"),
      std::string::npos)
      << r.reason;
}

TEST_F(SubtensorChainTest, ResendAfterADroppedSocketIsNotARefusal) {
  // The first submit reaches the pool but its answer is lost; the resend is answered "Already Imported".
  node_.drop_after_next_submit = true;
  fake_.pool_error_after_first = fake_node::RpcFailure(1013, "Transaction Already Imported");
  auto c = chain();
  auto r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_TRUE(r.accepted) << r.reason;
  EXPECT_EQ(r.block, 1001u);
  EXPECT_EQ(fake_.submitted.size(), 2u);
  EXPECT_EQ(fake_.submitted[0], fake_.submitted[1]);
}

TEST_F(SubtensorChainTest, ReadsGoOnWhileAWriteWaitsForItsBlock) {
  fake_.include_on_submit = false;
  st::SubtensorSettings s = settings();
  s.block_time_s = 2;
  s.inclusion_blocks = 1;
  st::SubtensorChain c(s, signer_());
  nineteen::chain::WriteResult r;
  std::thread writer([&] { r = c.set_weights(me(), {1}, {1}, 5); });
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard<std::mutex> lock(fake_.mutex);
      if (!fake_.pending.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.metagraph().size(), 3u);
  EXPECT_EQ(c.params().tempo, 360u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
  {
    std::lock_guard<std::mutex> lock(fake_.mutex);
    fake_.advance();
  }
  writer.join();
  EXPECT_TRUE(r.accepted) << r.reason;
  EXPECT_EQ(r.block, 1001u);
}

TEST_F(SubtensorChainTest, ClientSideRefusalsSubmitNothing) {
  auto c = chain();
  fake_.neurons[0].last_update = 990;
  auto r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.reason,
            "rate limit: weights last set at block 990, the subnet allows one setting per 100 blocks: "
            "wait 90 more blocks (about 1080 s)");
  fake_.neurons[0].last_update = 800;

  r = c.set_weights(me(), {1}, {1}, 4);
  EXPECT_NE(r.reason.find("version_key 4 is below the subnet's WeightsVersionKey 5"), std::string::npos)
      << r.reason;

  r = c.set_weights(me(), {1, 1}, {1, 2}, 5);
  EXPECT_EQ(r.reason, "uid 1 appears twice");
  r = c.set_weights(me(), {1}, {0}, 5);
  EXPECT_EQ(r.reason, "every weight is zero: nothing to set");

  r = c.set_weights(nineteen::keys::ss58_encode(account(0x11)), {1}, {1}, 5);
  EXPECT_NE(r.reason.find("this client signs as " + me() + " only"), std::string::npos);

  fake_.set_storage("SubtensorModule", "CommitRevealWeightsEnabled", {st::Value::uint(kNetuid)},
                    st::Value::boolean(true));
  r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_NE(r.reason.find("has commit-reveal on (CommitRevealWeightsEnabled)"), std::string::npos)
      << r.reason;

  auto ro = chain(std::nullopt);
  r = ro.set_weights(me(), {1}, {1}, 5);
  EXPECT_NE(r.reason.find("no hotkey to sign with"), std::string::npos);

  fake_.neurons.erase(fake_.neurons.begin());
  fake_.set_storage("SubtensorModule", "CommitRevealWeightsEnabled", {st::Value::uint(kNetuid)},
                    st::Value::boolean(false));
  r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_NE(r.reason.find("is not registered on subnet 19: run `btcli subnet register --netuid 19`"),
            std::string::npos)
      << r.reason;
  EXPECT_TRUE(fake_.submitted.empty());
}

TEST_F(SubtensorChainTest, ServePostsZeroZeroZeroOneForLoopbackAndSkipsWhenUnchanged) {
  auto c = chain();
  auto same = c.serve(me(), "127.0.0.1", 8091);  // already 0.0.0.1:8091 on chain
  EXPECT_TRUE(same.accepted);
  EXPECT_TRUE(fake_.submitted.empty());

  auto r = c.serve(me(), "127.0.0.1", 8092);
  ASSERT_TRUE(r.accepted) << r.reason;
  EXPECT_EQ(r.uid, std::optional<std::uint16_t>(0));
  st::Bytes call = st::encode_call(fake_.metadata, "SubtensorModule", "serve_axon",
                                   {{"netuid", st::Value::uint(kNetuid)},
                                    {"version", st::Value::uint(1)},
                                    {"ip", st::Value::uint(1)},
                                    {"port", st::Value::uint(8092)},
                                    {"ip_type", st::Value::uint(4)},
                                    {"protocol", st::Value::uint(4)},
                                    {"placeholder1", st::Value::uint(0)},
                                    {"placeholder2", st::Value::uint(0)}});
  ASSERT_EQ(fake_.submitted.size(), 1u);
  EXPECT_EQ(fake_.submitted[0], expected_extrinsic(call, 1000, 7));

  EXPECT_NE(c.serve(me(), "0.0.0.0", 8092).reason.find("not serving"), std::string::npos);
  EXPECT_NE(c.serve(me(), "miner.example", 8092).reason.find("is not an IPv4 or IPv6 address"),
            std::string::npos);
  EXPECT_NE(c.serve(me(), "1.2.3.4", 0).reason.find("port 0"), std::string::npos);
}

TEST_F(SubtensorChainTest, RegisterIsRefusedWithTheBtcliCommand) {
  auto c = chain();
  nineteen::chain::Registration reg;
  reg.hotkey = me();
  auto r = c.register_node(reg);
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.reason.find("btcli subnet register --netuid 19"), std::string::npos);
}

TEST_F(SubtensorChainTest, WeightsOfAndIncentives) {
  fake_.set_storage("SubtensorModule", "Weights", {st::Value::uint(kNetuid), st::Value::uint(0)},
                    st::Value::list({st::Value::list({st::Value::uint(1), st::Value::uint(32768)}),
                                     st::Value::list({st::Value::uint(2), st::Value::uint(65535)})}));
  auto c = chain(std::nullopt);
  auto w = c.weights_of(me());
  ASSERT_TRUE(w);
  EXPECT_EQ(w->uid, 0);
  EXPECT_EQ(w->uids, (std::vector<std::uint16_t>{1, 2}));
  EXPECT_EQ(w->values, (std::vector<std::uint16_t>{32768, 65535}));
  EXPECT_EQ(w->block, 800u);
  EXPECT_FALSE(c.weights_of(nineteen::keys::ss58_encode(account(0x11))));

  auto inc = c.incentives();
  ASSERT_EQ(inc.by_uid.size(), 2u);
  EXPECT_EQ(inc.by_uid[0].uid, 1);
  EXPECT_NEAR(inc.by_uid[0].share, 0.75, 1e-4);
  EXPECT_NEAR(inc.by_uid[1].share, 0.25, 1e-4);
}

TEST_F(SubtensorChainTest, GarbageNeuronsAreAClearChainError) {
  fake_.neurons_answer = "0x0401";
  auto c = chain(std::nullopt);
  try {
    c.metagraph();
    FAIL() << "expected ChainError";
  } catch (const nineteen::chain::ChainError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("NeuronInfoRuntimeApi_get_neurons_lite(19): neurons: truncated at byte"),
              std::string::npos)
        << msg;
  }
}

// The same client on the library's JsonRpcServer (what the local dev chain would serve with).
TEST_F(SubtensorChainTest, WorksOnTheLibraryJsonRpcServer) {
  st::JsonRpcServer server("127.0.0.1", 0, [this](const std::string& m, const rapidjson::Value& p) {
    try {
      return fake_.handle(m, p);
    } catch (const fake_node::RpcFailure& f) {
      throw st::RpcServerError(f.code, f.what(), f.data);
    }
  });
  st::SubtensorSettings s = settings();
  s.endpoint = server.url();
  st::SubtensorChain c(s, signer_());
  EXPECT_EQ(c.metagraph().size(), 3u);
  EXPECT_EQ(c.params().tempo, 360u);
  auto r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_TRUE(r.accepted) << r.reason;
  fake_.pool_error = fake_node::RpcFailure(1010, "Invalid Transaction", "Custom error: 6");
  r = c.set_weights(me(), {1}, {1}, 5);
  EXPECT_NE(r.reason.find("Custom error: 6"), std::string::npos) << r.reason;
}

TEST(HotkeySigner, Ed25519HotkeysAreRefusedWithTheFix) {
  auto ed = nineteen::keys::Hotkey::generate(nineteen::keys::KeyScheme::ed25519);
  try {
    st::hotkey_signer(ed);
    FAIL() << "expected ChainError";
  } catch (const nineteen::chain::ChainError& e) {
    EXPECT_NE(std::string(e.what()).find("is ed25519; Subtensor needs an sr25519 hotkey"), std::string::npos);
  }
  auto sr = nineteen::keys::Hotkey::generate();
  st::HotkeySigner s = st::hotkey_signer(sr);
  EXPECT_EQ(s.public_key, sr.public_key());
  st::Bytes msg{1, 2, 3};
  auto sig = s.sign(msg);
  EXPECT_TRUE(nineteen::keys::sr25519_verify(sr.public_key(), msg.data(), msg.size(), sig));
}
