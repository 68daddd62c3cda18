// sr25519 cross-verified with an independent implementation: @polkadot/util-crypto run by a real
// `node` process (tests/bittensor-js/sr25519_crosscheck.mjs). Both directions, random seeds,
// mnemonics and messages, tampered ones refused; the same SS58 address for the same seed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "nineteen/keys/bip39.hpp"
#include "nineteen/keys/hotkey.hpp"
#include "temp_folder.hpp"

using namespace nineteen::keys;
using nineteen::keys::testing::TempFolder;

namespace {

const std::string kJsFolder = NINETEEN_BITTENSOR_JS_DIR;

std::string hex0x(const std::uint8_t* data, std::size_t size) { return "0x" + to_hex(data, size); }

std::mt19937_64& rng() {
  static std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

std::string random_bytes(std::size_t size) {
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(rng()() & 0xff);
  return out;
}

std::string hex0x(const std::string& bytes) {
  return hex0x(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

std::string bytes_of_hex(const std::string& hex) {
  auto bytes = from_hex(hex.compare(0, 2, "0x") == 0 ? hex.substr(2) : hex);
  return bytes ? *bytes : std::string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Node and the npm packages are test prerequisites (tools/bootstrap.sh installs both; CI has them):
// their absence fails the test rather than skipping it, so the cross-check cannot silently vanish.
std::string missing_prerequisite() {
  if (std::system("node --version >/dev/null 2>&1") != 0) {
    return "`node` is not on PATH; run tools/bootstrap.sh (it installs Node.js and the npm references)";
  }
  for (const char* package : {"@polkadot/util-crypto", "@polkadot/util"}) {
    if (!std::filesystem::exists(kJsFolder + "/node_modules/" + package + "/package.json")) {
      return std::string(package) + " is not installed in " + kJsFolder + "; run tools/bootstrap.sh";
    }
  }
  return {};
}

struct Case {
  Hotkey key;
  std::string mnemonic;  // empty for a random seed
  std::vector<std::pair<std::string, Signature>> signed_messages;
};

}  // namespace

TEST(Sr25519CrossCheck, AgreesWithPolkadotJsBothWays) {
  const std::string missing = missing_prerequisite();
  ASSERT_TRUE(missing.empty()) << missing;

  std::vector<Case> cases;
  for (int i = 0; i < 12; ++i) {
    Case c{Hotkey::generate(), {}, {}};
    if (i == 0) {  // //Alice's mini-secret: the known answer of sr25519_test.cpp, confirmed here by polkadot-js
      const std::string alice = bytes_of_hex("0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a");
      Seed seed;
      std::copy(alice.begin(), alice.end(), seed.begin());
      c.key = Hotkey::from_seed(seed, KeyScheme::sr25519);
      EXPECT_EQ(c.key.ss58_address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    }
    if (i % 2 == 1) {  // every other key from a mnemonic of 12..24 words
      std::string entropy = random_bytes(16 + 4 * static_cast<std::size_t>((i / 2) % 5));
      c.mnemonic = bip39_entropy_to_mnemonic(std::vector<std::uint8_t>(entropy.begin(), entropy.end()));
      c.key = Hotkey::from_seed(bip39_mini_secret(c.mnemonic), KeyScheme::sr25519);
    }
    for (std::size_t size : {0u, 1u, 32u, 257u, 1000u}) {
      std::string message = random_bytes(size + rng()() % 5);
      c.signed_messages.emplace_back(message, c.key.sign(message));
    }
    cases.push_back(std::move(c));
  }
  std::vector<std::string> to_sign;
  for (std::size_t size : {0u, 5u, 64u, 300u}) to_sign.push_back(random_bytes(size));

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("keys");
  w.StartArray();
  for (const Case& c : cases) {
    w.StartObject();
    w.Key("seed");
    w.String(hex0x(c.key.seed().data(), 32).c_str());
    w.Key("mnemonic");
    c.mnemonic.empty() ? w.Null() : w.String(c.mnemonic.c_str());
    w.Key("publicKey");
    w.String(hex0x(c.key.public_key().data(), 32).c_str());
    w.Key("address");
    w.String(c.key.ss58_address().c_str());
    w.Key("signed");
    w.StartArray();
    for (const auto& [message, signature] : c.signed_messages) {
      w.StartObject();
      w.Key("message");
      w.String(hex0x(message).c_str());
      w.Key("signature");
      w.String(hex0x(signature.data(), signature.size()).c_str());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("toSign");
  w.StartArray();
  for (const auto& message : to_sign) w.String(hex0x(message).c_str());
  w.EndArray();
  w.EndObject();

  TempFolder dir;
  const std::string in = dir.write("in.json", std::string(buffer.GetString(), buffer.GetSize()));
  const std::string out = dir.file("out.json"), err = dir.file("stderr.txt");
  const std::string command =
      "node '" + kJsFolder + "/sr25519_crosscheck.mjs' '" + in + "' '" + out + "' 2>'" + err + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n" << read_text(err);

  rapidjson::Document doc;
  doc.Parse(read_text(out).c_str());
  ASSERT_FALSE(doc.HasParseError()) << read_text(out);
  const auto& keys = doc["keys"];
  ASSERT_EQ(keys.Size(), cases.size());
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    const auto& r = keys[static_cast<rapidjson::SizeType>(k)];
    SCOPED_TRACE("key " + std::to_string(k) + (c.mnemonic.empty() ? " (random seed)" : " (mnemonic)"));
    if (!c.mnemonic.empty()) EXPECT_EQ(r["miniSecret"].GetString(), hex0x(c.key.seed().data(), 32)) << c.mnemonic;
    EXPECT_EQ(r["publicKey"].GetString(), hex0x(c.key.public_key().data(), 32));
    EXPECT_EQ(r["address"].GetString(), c.key.ss58_address());
    for (std::size_t m = 0; m < c.signed_messages.size(); ++m) {
      const auto i = static_cast<rapidjson::SizeType>(m);
      EXPECT_TRUE(r["verified"][i].GetBool()) << "polkadot-js refused our signature of message " << m;
      EXPECT_TRUE(r["signatureVerify"][i].GetBool()) << "signatureVerify refused message " << m;
      EXPECT_FALSE(r["tamperedMessage"][i].GetBool()) << "polkadot-js accepted a changed message " << m;
      EXPECT_FALSE(r["tamperedSignature"][i].GetBool()) << "polkadot-js accepted a changed signature " << m;
    }
    const auto& theirs = r["signedByPolkadot"];
    ASSERT_EQ(theirs.Size(), to_sign.size());
    for (rapidjson::SizeType m = 0; m < theirs.Size(); ++m) {
      const std::string message = bytes_of_hex(theirs[m]["message"].GetString());
      const std::string signature_bytes = bytes_of_hex(theirs[m]["signature"].GetString());
      ASSERT_EQ(signature_bytes.size(), 64u);
      Signature signature;
      std::copy(signature_bytes.begin(), signature_bytes.end(), signature.begin());
      EXPECT_TRUE(verify_signature(KeyScheme::sr25519, c.key.public_key(), message, signature))
          << "we refused polkadot-js's signature of message " << m;
      EXPECT_FALSE(verify_signature(c.key.public_key(), message + "x", signature));
      Signature tampered = signature;
      tampered[(m * 13) % 64] ^= 0x04;
      EXPECT_FALSE(verify_signature(c.key.public_key(), message, tampered));
      EXPECT_FALSE(verify_signature(cases[(k + 1) % cases.size()].key.public_key(), message, signature));
    }
  }
}
