// Byte-for-byte checks against @polkadot/types, run with Node as a real process on the same metadata:
// the recorded mainnet metadata of @bitgo/sdk-coin-tao (V14, spec 219) and bittensor's V15 fixture (spec
// 343).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "fixture_metadata.hpp"
#include "nineteen/chain/subtensor/extrinsic.hpp"
#include "nineteen/devnet/child_process.hpp"
#include "nineteen/chain/subtensor/metadata.hpp"
#include "nineteen/chain/subtensor/subtensor_chain.hpp"
#include "reference_inputs.hpp"

namespace st = nineteen::chain::subtensor;
namespace fs = std::filesystem;

namespace {

const std::string kJsFolder = std::string(NINETEEN_SOURCE_DIR) + "/tests/bittensor-js";
const std::string kBitgo = kJsFolder + "/recorded/bitgo-sdk-coin-tao-1.16.4-mainnet.js";
const std::string kV15 = fixture_metadata::path();

struct Source {
  std::string path;
  std::string metadata_hex;
  std::string genesis;
  std::uint32_t spec = 0;
};

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The value of `key: '...'` in bitgo's mainnet.js.
std::string js_field(const std::string& js, const std::string& key) {
  auto at = js.find(key + ": '");
  if (at == std::string::npos) return "";
  at += key.size() + 3;
  return js.substr(at, js.find('\'', at) - at);
}

std::optional<Source> load_source(const std::string& path, std::string* why) {
  if (!fs::exists(path)) {
    *why = path + " is missing (tools/bootstrap.sh places it)";
    return std::nullopt;
  }
  Source s;
  s.path = path;
  std::string text = read_file(path);
  if (path.size() > 3 && path.substr(path.size() - 3) == ".js") {
    s.metadata_hex = js_field(text, "metadata");
    s.genesis = js_field(text, "genesisHash");
    s.spec = static_cast<std::uint32_t>(std::stoul(js_field(text, "specVersion")));
  } else {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    s.metadata_hex = text;
    s.genesis = reference_inputs::kFinneyGenesis;
    s.spec = 343;
  }
  return s;
}

bool node_ready(std::string* why) {
  if (std::system("node --version >/dev/null 2>&1") != 0) {
    *why = "node is not installed (tools/bootstrap.sh installs it)";
    return false;
  }
  if (!fs::exists(kJsFolder + "/node_modules/@polkadot/types/package.json")) {
    *why = "@polkadot/types is not installed in " + kJsFolder + " (run tools/bootstrap.sh, or npm ci there)";
    return false;
  }
  return true;
}

std::string run_reference(const Source& s, const std::string& inputs_json,
                          const std::string& script = "extrinsic_reference.mjs") {
  std::string cmd =
      "node " + kJsFolder + "/" + script + " '" + s.path + "' '" + inputs_json + "' 2>/dev/null";
  return nineteen::devnet::ChildProcess::run_shell(cmd).second;
}

std::string hex(const st::Bytes& b) {
  return st::hex_encode(b);
}

class PolkadotReference : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    if (!node_ready(&why)) GTEST_SKIP() << why << ": reference check skipped";
    auto s = load_source(GetParam(), &why);
    if (!s) GTEST_SKIP() << why << ": reference check skipped";
    source_ = *s;
    metadata_ = st::decode_metadata_hex(source_.metadata_hex);
    // Mainnet spec 219 keeps one raw field per commitment (MaxFields 1), spec 343 three: a vote of two.
    commitment_ = metadata_.version == 14 ? reference_inputs::kShortCommitment : reference_inputs::kCommitment;
    inputs_ = reference_inputs::json(source_.genesis, source_.spec, commitment_);
    auto& cache = cache_()[GetParam()];
    if (cache.empty()) cache = run_reference(source_, inputs_);
    ref_.Parse(cache.c_str());
    ASSERT_FALSE(ref_.HasParseError()) << "extrinsic_reference.mjs printed: " << cache.substr(0, 400);
    ASSERT_TRUE(ref_.IsObject());
  }
  static std::map<std::string, std::string>& cache_() {
    static std::map<std::string, std::string> c;
    return c;
  }
  std::string ref(const char* a, const char* b) const { return ref_[a][b].GetString(); }

  st::TxParams tx() const {
    st::TxParams p;
    p.spec_version = source_.spec;
    p.transaction_version = 1;
    auto g = st::hex_decode(source_.genesis);
    std::copy(g.begin(), g.end(), p.genesis_hash.begin());
    p.era = st::Era::mortal(reference_inputs::kEraPeriod, reference_inputs::kEraCurrent);
    auto h = st::hex_decode(reference_inputs::kBlockHash);
    std::copy(h.begin(), h.end(), p.era_block_hash.begin());
    p.nonce = reference_inputs::kNonce;
    p.tip = reference_inputs::kTip;
    return p;
  }
  st::Hash256 public_key() const {
    st::Hash256 k{};
    auto b = st::hex_decode(reference_inputs::kPublicKey);
    std::copy(b.begin(), b.end(), k.begin());
    return k;
  }
  st::Signature64 signature() const {
    st::Signature64 s{};
    s.fill(reference_inputs::kSignatureByte);
    return s;
  }

  // Checks call, signing payload and signed extrinsic of one call against the reference's `name` entry.
  void check_signed(const char* name, const st::Bytes& call) {
    SCOPED_TRACE(name);
    EXPECT_EQ(hex(call), ref(name, "call"));
    st::EncodedExtensions ext = st::encode_signed_extensions(metadata_, tx());
    st::Bytes raw = call;
    raw.insert(raw.end(), ext.extra.begin(), ext.extra.end());
    raw.insert(raw.end(), ext.additional.begin(), ext.additional.end());
    EXPECT_EQ(hex(raw), ref(name, "payload"));
    st::Bytes signed_payload = st::signing_payload(call, ext);
    if (raw.size() > 256) {
      auto h = st::blake2_256(raw);
      EXPECT_EQ(signed_payload, st::Bytes(h.begin(), h.end()));
    } else {
      EXPECT_EQ(signed_payload, raw);
    }
    st::Bytes seen;
    st::Bytes built =
        st::build_signed_extrinsic(metadata_, call, tx(), public_key(), [&](const st::Bytes& p) {
          seen = p;
          return signature();
        });
    EXPECT_EQ(seen, signed_payload);
    EXPECT_EQ(hex(built), ref(name, "extrinsic"));

    // polkadot's extrinsic reads back with our decoder, and its signing payload is the one we rebuild.
    st::DecodedExtrinsic d = st::decode_signed_extrinsic(metadata_, st::hex_decode(ref(name, "extrinsic")));
    EXPECT_EQ(d.signer, public_key());
    EXPECT_EQ(d.nonce, reference_inputs::kNonce);
    EXPECT_TRUE(d.tip == reference_inputs::kTip);
    EXPECT_EQ(d.call, call);
    EXPECT_EQ(st::signing_payload_of(metadata_, d, tx()), signed_payload);
  }

  st::Bytes set_weights_call(const std::vector<std::uint16_t>& dests,
                             const std::vector<std::uint16_t>& weights) {
    return st::encode_call(metadata_, "SubtensorModule", "set_weights",
                           {{"netuid", st::Value::uint(reference_inputs::kNetuid)},
                            {"dests", st::Value::uint_list(dests)},
                            {"weights", st::Value::uint_list(weights)},
                            {"version_key", st::Value::uint(reference_inputs::kVersionKey)}});
  }

  Source source_;
  std::string commitment_;
  st::Metadata metadata_;
  std::string inputs_;
  rapidjson::Document ref_;
};

TEST_P(PolkadotReference, MetadataDecodesAsPolkadotReadsIt) {
  EXPECT_EQ(metadata_.version, ref_["metadataVersion"].GetInt());
  EXPECT_EQ(metadata_.version == 14 ? 219u : 343u, source_.spec);
  EXPECT_EQ(source_.genesis, "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03");

  std::map<std::string, int> ours, theirs;
  for (const auto& p : metadata_.pallets) ours[p.name] = p.index;
  for (const auto& m : ref_["pallets"].GetObject()) theirs[m.name.GetString()] = m.value.GetInt();
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(metadata_.pallet("SubtensorModule").index, 7);

  std::vector<std::string> exts;
  for (const auto& e : metadata_.signed_extensions) exts.push_back(e.identifier);
  std::vector<std::string> ref_exts;
  for (const auto& e : ref_["signedExtensions"].GetArray()) ref_exts.push_back(e.GetString());
  EXPECT_EQ(exts, ref_exts);

  for (const auto& c : ref_["calls"].GetObject()) {
    SCOPED_TRACE(c.name.GetString());
    st::CallInfo info = metadata_.call("SubtensorModule", c.name.GetString());
    EXPECT_EQ(info.pallet_index, c.value["index"][0].GetInt());
    EXPECT_EQ(info.call_index, c.value["index"][1].GetInt());
    const auto& args = c.value["args"].GetArray();
    ASSERT_EQ(info.variant->fields.size(), args.Size());
    for (rapidjson::SizeType i = 0; i < args.Size(); ++i) {
      EXPECT_EQ(info.variant->fields[i].name.value_or(""), args[i][0].GetString());
      EXPECT_EQ(info.variant->fields[i].type, args[i][1].GetUint());
    }
  }
  // Every storage entry SubtensorChain reads exists in this runtime.
  for (const char* entry : {"Tempo", "WeightsSetRateLimit", "WeightsVersionKey", "CommitRevealWeightsEnabled",
                            "LastUpdate", "Weights"}) {
    EXPECT_NO_THROW(metadata_.storage("SubtensorModule", entry)) << entry;
  }
  EXPECT_NO_THROW(metadata_.storage("System", "Events"));
  EXPECT_EQ(metadata_.call("SubtensorModule", "set_weights").call_index, 0);
  EXPECT_EQ(metadata_.call("SubtensorModule", "serve_axon").call_index, 4);

  // Every SubtensorModule error decodes by name from a DispatchError::Module.
  int checked = 0;
  for (const auto& e : ref_["errors"].GetObject()) {
    auto info = metadata_.module_error(7, {static_cast<std::uint8_t>(e.value.GetInt()), 0, 0, 0});
    ASSERT_TRUE(info) << e.name.GetString();
    EXPECT_EQ(info->pallet, "SubtensorModule");
    EXPECT_EQ(info->name, e.name.GetString());
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

TEST_P(PolkadotReference, SetWeightsMatchesByteForByte) {
  check_signed("set_weights", set_weights_call(reference_inputs::kDests, reference_inputs::kWeights));
}

TEST_P(PolkadotReference, LongSetWeightsSignsTheBlake2OfAPayloadOver256Bytes) {
  auto [dests, weights] = reference_inputs::long_weights();
  check_signed("long_set_weights", set_weights_call(dests, weights));
}

TEST_P(PolkadotReference, ServeAxonMatchesByteForByte) {
  const auto& a = reference_inputs::kAxon;
  st::Bytes call = st::encode_call(metadata_, "SubtensorModule", "serve_axon",
                                   {{"netuid", st::Value::uint(reference_inputs::kNetuid)},
                                    {"version", st::Value::uint(a.version)},
                                    {"ip", st::Value::uint(a.ip)},
                                    {"port", st::Value::uint(a.port)},
                                    {"ip_type", st::Value::uint(a.ip_type)},
                                    {"protocol", st::Value::uint(a.protocol)},
                                    {"placeholder1", st::Value::uint(0)},
                                    {"placeholder2", st::Value::uint(0)}});
  check_signed("serve_axon", call);
}

TEST_P(PolkadotReference, CommitAndRevealWeightsMatchByteForByte) {
  check_signed(
      "commit_weights",
      st::encode_call(metadata_, "SubtensorModule", "commit_weights",
                      {{"netuid", st::Value::uint(reference_inputs::kNetuid)},
                       {"commit_hash", st::Value::bytes(st::hex_decode(reference_inputs::kCommitHash))}}));
  check_signed("reveal_weights",
               st::encode_call(metadata_, "SubtensorModule", "reveal_weights",
                               {{"netuid", st::Value::uint(reference_inputs::kNetuid)},
                                {"uids", st::Value::uint_list(reference_inputs::kDests)},
                                {"values", st::Value::uint_list(reference_inputs::kWeights)},
                                {"salt", st::Value::uint_list(reference_inputs::kSalt)},
                                {"version_key", st::Value::uint(reference_inputs::kVersionKey)}}));
}

// A validator's task vote, published with Commitments.set_commitment: the call (Data::RawN fields of at
// most 128 bytes), its signing payload and signed extrinsic, the CommitmentOf storage key, and the stored
// Registration read back, byte for byte as @polkadot/types builds them from the same metadata.
TEST_P(PolkadotReference, SetCommitmentMatchesByteForByte) {
  ASSERT_TRUE(ref_.HasMember("set_commitment")) << "the reference found no Commitments.set_commitment";
  EXPECT_EQ(metadata_.call("Commitments", "set_commitment").pallet_index, ref_["commitments"]["index"].GetInt());
  EXPECT_EQ(metadata_.call("Commitments", "set_commitment").call_index, 0);
  check_signed("set_commitment", st::set_commitment_call(metadata_, reference_inputs::kNetuid, commitment_));
  EXPECT_EQ(commitment_.size() <= 128 ? 1u : 2u, (commitment_.size() + 127) / 128);
  EXPECT_LE((commitment_.size() + 127) / 128, ref_["commitments"]["maxFields"].GetUint());

  st::Hash256 key = public_key();
  EXPECT_EQ(hex(metadata_.storage_key("Commitments", "CommitmentOf",
                                      {st::Value::uint(reference_inputs::kNetuid), st::Value::bytes(key)})),
            ref("commitments", "storageKey"));
  auto read = st::read_commitment_registration(metadata_, st::hex_decode(ref("commitments", "registration")));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->first, reference_inputs::kCommitmentBlock);
  EXPECT_EQ(read->second, commitment_);
}

TEST_P(PolkadotReference, EraEncodingMatches) {
  EXPECT_EQ(hex(st::Era::mortal(reference_inputs::kEraPeriod, reference_inputs::kEraCurrent).encode()),
            ref_["era"].GetString());
}

TEST_P(PolkadotReference, StorageKeysMatch) {
  auto netuid = st::Value::uint(reference_inputs::kNetuid);
  EXPECT_EQ(hex(metadata_.storage_key("SubtensorModule", "Tempo", {netuid})), ref("storage", "tempo"));
  EXPECT_EQ(hex(metadata_.storage_key("SubtensorModule", "WeightsSetRateLimit", {netuid})),
            ref("storage", "weightsSetRateLimit"));
  EXPECT_EQ(hex(metadata_.storage_key("System", "Account", {st::Value::bytes(public_key())})),
            ref("storage", "systemAccount"));
  EXPECT_EQ(hex(metadata_.storage_key("System", "Number")), ref("storage", "systemNumber"));
  EXPECT_EQ(hex(metadata_.storage_key("SubtensorModule", "LastUpdate", {netuid})),
            ref("storage", "lastUpdate"));
  EXPECT_EQ(hex(metadata_.storage_key("SubtensorModule", "Keys", {netuid, st::Value::uint(3)})),
            ref("storage", "keys"));
}

// A real sr25519 signature (runtime/keys) on extrinsics built here, verified by @polkadot/util-crypto over
// the payload @polkadot/types rebuilds from the decoded extrinsic; a tampered call fails.
TEST_P(PolkadotReference, RealSr25519SignaturesVerifyInPolkadot) {
  nineteen::keys::Seed seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
  auto hotkey = nineteen::keys::Hotkey::from_seed(seed, nineteen::keys::KeyScheme::sr25519);
  st::HotkeySigner signer = st::hotkey_signer(hotkey);
  auto [ld, lw] = reference_inputs::long_weights();
  std::vector<st::Bytes> calls{set_weights_call(reference_inputs::kDests, reference_inputs::kWeights),
                               set_weights_call(ld, lw)};
  std::vector<std::string> hexes;
  for (const auto& call : calls)
    hexes.push_back(hex(st::build_signed_extrinsic(metadata_, call, tx(), signer.public_key, signer.sign)));
  st::Bytes tampered = st::hex_decode(hexes[0]);
  tampered.back() ^= 1;  // the version key's top byte
  hexes.push_back(hex(tampered));

  std::string input = "{\"extrinsics\":[";
  for (std::size_t i = 0; i < hexes.size(); ++i) input += (i ? ",\"" : "\"") + hexes[i] + "\"";
  input += "],\"genesis\":\"" + source_.genesis + "\",\"spec_version\":" + std::to_string(source_.spec) +
           ",\"transaction_version\":1,\"block_hash\":\"" + reference_inputs::kBlockHash + "\"}";
  std::string answer = run_reference(source_, input, "extrinsic_verify.mjs");
  rapidjson::Document d;
  d.Parse(answer.c_str());
  ASSERT_TRUE(!d.HasParseError() && d.IsArray() && d.Size() == 3)
      << "extrinsic_verify.mjs printed: " << answer;
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(std::string(d[i]["signer"].GetString()), hotkey.ss58_address());
    EXPECT_EQ(d[i]["nonce"].GetUint64(), reference_inputs::kNonce);
    EXPECT_STREQ(d[i]["call"].GetString(), "subtensorModule.setWeights");
    EXPECT_EQ(d[i]["valid"].GetBool(), i < 2);
  }
}

INSTANTIATE_TEST_SUITE_P(Metadata, PolkadotReference, ::testing::Values(kBitgo, kV15), [](const auto& info) {
  return info.param == kBitgo ? "BitgoMainnetV14" : "BittensorV15";
});

}  // namespace
