// Metadata that does not decode, and calls or values that do not fit it, give errors that say what and where.
#include "nineteen/chain/subtensor/metadata.hpp"

#include <gtest/gtest.h>

#include <random>

#include "fixture_metadata.hpp"
#include "nineteen/chain/subtensor/extrinsic.hpp"
#include "nineteen/chain/subtensor/neuron_info.hpp"

namespace st = nineteen::chain::subtensor;

namespace {

const st::Metadata& v15() {
  static st::Metadata m = st::decode_metadata_hex(fixture_metadata::at_version_hex());
  return m;
}

st::Bytes v15_blob() {
  return fixture_metadata::blob();
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const st::MetadataError& e) {
    return e.what();
  }
  return "(no MetadataError)";
}
template <typename F>
std::string printed_error(F&& f) {
  std::string e = error_of(f);
  std::printf("error: %s\n", e.c_str());
  return e;
}

}  // namespace

TEST(Metadata, V15FixtureHasRuntimeApis) {
  const auto& m = v15();
  EXPECT_EQ(m.version, 15);
  bool found = false;
  for (const auto& api : m.apis)
    for (const auto& f : api.methods)
      if (api.name == "NeuronInfoRuntimeApi" && f.name == "get_neurons_lite") found = true;
  EXPECT_TRUE(found);
  EXPECT_TRUE(m.has_call("SubtensorModule", "commit_timelocked_weights") ||
              m.has_call("SubtensorModule", "commit_crv3_weights"));
  const auto& tempo = m.storage("SubtensorModule", "Tempo");
  EXPECT_TRUE(tempo.is_map);
  EXPECT_EQ(m.types.primitive_of(tempo.value_type), st::Primitive::u16);
}

TEST(Metadata, TruncatedBlobNamesTheByte) {
  st::Bytes blob = v15_blob();
  for (std::size_t cut :
       {std::size_t{3}, std::size_t{5}, std::size_t{100}, blob.size() / 2, blob.size() - 1}) {
    st::Bytes part(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(cut));
    std::string e = error_of([&] { st::decode_metadata(part); });
    EXPECT_NE(e.find("metadata: truncated at byte"), std::string::npos) << cut << ": " << e;
  }
  st::Bytes extra = blob;
  extra.push_back(0);
  EXPECT_NE(error_of([&] { st::decode_metadata(extra); }).find("1 bytes left over"), std::string::npos);
}

TEST(Metadata, WrongMagicAndUnsupportedVersionsAreNamed) {
  st::Bytes blob = v15_blob();
  st::Bytes v13 = blob;
  v13[4] = 13;
  EXPECT_NE(error_of([&] { st::decode_metadata(v13); }).find("metadata: unsupported version 13"),
            std::string::npos);
  st::Bytes v16 = blob;
  v16[4] = 16;
  EXPECT_NE(error_of([&] { st::decode_metadata(v16); }).find("metadata: unsupported version 16"),
            std::string::npos);
  st::Bytes json{'{', '"', 'e', 'r', 'r'};
  EXPECT_NE(error_of([&] { st::decode_metadata(json); }).find("not runtime metadata"), std::string::npos);
  EXPECT_NE(error_of([] { st::decode_metadata_hex("0xzz"); }).find("metadata: expected hex"),
            std::string::npos);
  EXPECT_NE(error_of([] { st::decode_metadata_hex("0x00"); }).find("metadata"), std::string::npos);
}

TEST(Metadata, CorruptedBytesNeverCrashTheDecoder) {
  st::Bytes blob = v15_blob();
  std::mt19937 rng(19);
  int refused = 0;
  for (int round = 0; round < 60; ++round) {
    st::Bytes bad = blob;
    for (int i = 0; i < 4; ++i) bad[5 + rng() % (bad.size() - 5)] = static_cast<std::uint8_t>(rng());
    try {
      st::decode_metadata(bad);
    } catch (const st::MetadataError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
}

TEST(Metadata, LookupsNameWhatIsMissing) {
  const auto& m = v15();
  EXPECT_NE(error_of([&] { m.pallet("Subtensor"); }).find("no pallet \"Subtensor\" (pallets: System"),
            std::string::npos);
  EXPECT_NE(error_of([&] { m.call("SubtensorModule", "commit_crv3_weights_v9"); }).find("has no call"),
            std::string::npos);
  EXPECT_NE(error_of([&] { m.storage("SubtensorModule", "Tempi"); }).find("no storage entry \"Tempi\""),
            std::string::npos);
  EXPECT_FALSE(m.module_error(7, {250, 0, 0, 0}));
  EXPECT_FALSE(m.module_error(250, {0, 0, 0, 0}));
  auto e = m.module_error(m.pallet("SubtensorModule").index, {0, 0, 0, 0});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->pallet, "SubtensorModule");
}

TEST(Metadata, CallArgumentsAreCheckedAgainstTheirTypes) {
  const auto& m = v15();
  auto args = [](st::Value netuid, st::Value dests) {
    return st::CallArgs{{"netuid", std::move(netuid)},
                        {"dests", std::move(dests)},
                        {"weights", st::Value::uint_list(std::vector<std::uint16_t>{1})},
                        {"version_key", st::Value::uint(0)}};
  };
  std::vector<std::uint16_t> one{1};
  EXPECT_NO_THROW(st::encode_call(m, "SubtensorModule", "set_weights",
                                  args(st::Value::uint(1), st::Value::uint_list(one))));
  EXPECT_NE(
      printed_error([&] {
        st::encode_call(m, "SubtensorModule", "set_weights",
                        args(st::Value::uint(70000), st::Value::uint_list(one)));
      }).find("SubtensorModule.set_weights argument \"netuid\": expected u16, got 70000 (out of range)"),
      std::string::npos);
  EXPECT_NE(printed_error([&] {
              st::encode_call(m, "SubtensorModule", "set_weights",
                              args(st::Value::uint(1), st::Value::text("x")));
            }).find("argument \"dests\": expected Vec<u16>, got \"x\""),
            std::string::npos);
  st::CallArgs misnamed = args(st::Value::uint(1), st::Value::uint_list(one));
  misnamed[1].first = "uids";
  EXPECT_NE(printed_error([&] {
              st::encode_call(m, "SubtensorModule", "set_weights", misnamed);
            }).find("argument 1 is \"dests\" in this runtime, got \"uids\""),
            std::string::npos);
  EXPECT_NE(printed_error([&] { st::encode_call(m, "SubtensorModule", "set_weights", {}); })
                .find("set_weights takes 4 arguments (netuid: u16, dests: Vec<u16>, weights: Vec<u16>, "
                      "version_key: u64), got 0"),
            std::string::npos);
}

TEST(Extrinsic, ImmortalEraAndBirthBlock) {
  EXPECT_EQ(st::Era::immortal_era().encode(), st::Bytes{0});
  st::Era e = st::Era::mortal(64, 4898328);
  EXPECT_EQ(e.period, 64u);
  EXPECT_EQ(e.birth(4898328), 4898328u);
  EXPECT_EQ(e.birth(4898328 + 30), 4898328u);
  EXPECT_EQ(st::Era::mortal(100, 5).period, 128u);
  EXPECT_EQ(st::Era::mortal(1u << 20, 5).period, 65536u);
}

// The hand-written NeuronInfoLite layout (BITTENSOR.md) against the runtime API's own output type in V15.
TEST(Metadata, NeuronInfoLiteLayoutMatchesTheRuntimeApiType) {
  const auto& m = v15();
  std::optional<std::uint32_t> output;
  for (const auto& api : m.apis)
    for (const auto& f : api.methods)
      if (api.name == "NeuronInfoRuntimeApi" && f.name == "get_neurons_lite") output = f.output;
  ASSERT_TRUE(output);
  st::NeuronLite n;
  n.hotkey.fill(1);
  n.coldkey.fill(2);
  n.uid = 300;
  n.netuid = 19;
  n.active = true;
  n.axon = st::AxonInfo{5, 6, 7, 8091, 4, 4, 0, 0};
  n.stake = {{n.coldkey, 123456789}};
  n.emission = 99;
  n.incentive = 40000;
  n.last_update = 1234567;
  n.validator_permit = true;
  n.pruning_score = 65535;
  st::Bytes bytes = st::encode_neurons_lite({n, n});
  st::ScaleDecoder in(bytes, "neurons");
  st::Value v = st::decode_value(m.types, *output, in);
  EXPECT_TRUE(in.at_end()) << in.remaining() << " bytes not read by the metadata's type";
  ASSERT_EQ(v.items().size(), 2u);
  const auto& fields = v.items()[0].items();
  const auto& def = m.types.get(m.types.get(*output).def.element).def;
  ASSERT_EQ(fields.size(), def.fields.size());
  std::vector<std::string> names;
  for (const auto& f : def.fields) names.push_back(f.name.value_or("?"));
  std::vector<std::string> expected{
      "hotkey",          "coldkey",         "uid",       "netuid",      "active",           "axon_info",
      "prometheus_info", "stake",           "rank",      "emission",    "incentive",        "consensus",
      "trust",           "validator_trust", "dividends", "last_update", "validator_permit", "pruning_score"};
  EXPECT_EQ(names, expected);
  EXPECT_TRUE(fields[2].as_uint() == 300);
  EXPECT_TRUE(fields[15].as_uint() == 1234567);
  EXPECT_EQ(st::decode_neurons_lite(bytes).size(), 2u);
}

TEST(Extrinsic, SignedExtrinsicReadsBack) {
  const auto& m = v15();
  st::Bytes call =
      st::encode_call(m, "SubtensorModule", "set_weights",
                      {{"netuid", st::Value::uint(19)},
                       {"dests", st::Value::uint_list(std::vector<std::uint16_t>{1, 2})},
                       {"weights", st::Value::uint_list(std::vector<std::uint16_t>{32768, 65535})},
                       {"version_key", st::Value::uint(5)}});
  st::TxParams tx;
  tx.spec_version = 343;
  tx.transaction_version = 1;
  tx.genesis_hash.fill(0x2f);
  tx.era = st::Era::mortal(64, 123456);
  tx.era_block_hash.fill(0x77);
  tx.nonce = 70000;
  tx.tip = 3;
  st::Hash256 key{};
  key.fill(0x46);
  st::Bytes signed_payload;
  st::Signature64 sig{};
  sig.fill(0xab);
  st::Bytes x = st::build_signed_extrinsic(m, call, tx, key, [&](const st::Bytes& p) {
    signed_payload = p;
    return sig;
  });
  st::DecodedExtrinsic d = st::decode_signed_extrinsic(m, x);
  EXPECT_EQ(d.signer, key);
  EXPECT_EQ(d.signature_kind, "Sr25519");
  EXPECT_EQ(d.signature, sig);
  EXPECT_EQ(d.nonce, 70000u);
  EXPECT_TRUE(d.tip == 3);
  EXPECT_EQ(d.era.period, 64u);
  EXPECT_EQ(d.era.phase, tx.era.phase);
  EXPECT_EQ(d.pallet, "SubtensorModule");
  EXPECT_EQ(d.call_name, "set_weights");
  ASSERT_EQ(d.args.size(), 4u);
  EXPECT_EQ(d.args[1].first, "dests");
  EXPECT_TRUE(d.args[2].second.items()[0].as_uint() == 32768);
  EXPECT_EQ(d.call, call);
  st::TxParams node_side = tx;
  node_side.nonce = 0;  // taken from the extrinsic
  EXPECT_EQ(st::signing_payload_of(m, d, node_side), signed_payload);

  st::Bytes cut(x.begin(), x.end() - 1);
  EXPECT_NE(error_of([&] { st::decode_signed_extrinsic(m, cut); }).find("extrinsic: truncated at byte 0"),
            std::string::npos);
}
