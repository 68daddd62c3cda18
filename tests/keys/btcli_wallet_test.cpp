// btcli wallet files as btcli writes them (compact JSON, any field order, fields missing or null):
// hotkeys load from phrase, seed or privateKey; mismatches, public-only and encrypted files are refused.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "nineteen/keys/bip39.hpp"
#include "nineteen/keys/btcli_wallet.hpp"
#include "nineteen/cli/commands.hpp"
#include "nineteen/keys/secret_uri.hpp"
#include "temp_folder.hpp"

using namespace nineteen::keys;
using nineteen::keys::testing::TempFolder;

namespace {

// The dev phrase's key, checked against polkadot-js in sr25519_test.cpp.
constexpr const char* kDevMiniSecret = "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";
constexpr const char* kDevPublicKey = "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";

struct Field {
  std::string name, value;  // value is JSON (quoted string or null)
};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// The six fields of btcli's serialized_keypair_to_keyfile_data for the dev phrase's key.
std::vector<Field> dev_key_fields() {
  Hotkey key = Hotkey::from_seed(bip39_mini_secret(kSubstrateDevPhrase), KeyScheme::sr25519);
  auto secret = sr25519_secret_to_bytes(key.sr25519_secret());
  return {{"accountId", quoted(kDevPublicKey)},
          {"publicKey", quoted(kDevPublicKey)},
          {"privateKey", quoted("0x" + to_hex(secret.data(), secret.size()))},
          {"secretPhrase", quoted(std::string(kSubstrateDevPhrase))},
          {"secretSeed", quoted(kDevMiniSecret)},
          {"ss58Address", quoted(key.ss58_address())}};
}

// Compact JSON as serde_json::to_string writes a HashMap.
std::string json_of(const std::vector<Field>& fields) {
  std::string out = "{";
  for (const auto& f : fields) out += (out.size() > 1 ? "," : "") + quoted(f.name) + ":" + f.value;
  return out + "}";
}

std::vector<Field> only(std::vector<Field> fields, std::initializer_list<const char*> names) {
  fields.erase(std::remove_if(fields.begin(), fields.end(),
                              [&](const Field& f) {
                                return std::none_of(names.begin(), names.end(),
                                                    [&](const char* n) { return f.name == n; });
                              }),
               fields.end());
  return fields;
}

std::string load_error(const std::string& text, const std::string& path = "/w/hotkeys/h") {
  try {
    hotkey_from_btcli_json(text, path);
  } catch (const KeyFileError& e) {
    return e.what();
  }
  return "<no error>";
}

std::string public_hex(const Hotkey& key) { return "0x" + to_hex(key.public_key().data(), 32); }

// A btcli wallet folder: WALLETS/NAME/{coldkey,coldkeypub.txt,hotkeys/HOTKEY,hotkeys/HOTKEYpub.txt}.
std::string make_wallet(const TempFolder& dir, const std::string& hotkey_json) {
  namespace fs = std::filesystem;
  fs::path wallets = dir.file("wallets");
  fs::create_directories(wallets / "miner" / "hotkeys");
  auto write = [](const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
    ::chmod(p.c_str(), 0600);
  };
  write(wallets / "miner" / "hotkeys" / "default", hotkey_json);
  write(wallets / "miner" / "hotkeys" / "defaultpub.txt",
        json_of(only(dev_key_fields(), {"accountId", "publicKey", "ss58Address"})));
  write(wallets / "miner" / "coldkey", "$NACL" + std::string(24, '\x01') + "ciphertext");
  write(wallets / "miner" / "coldkeypub.txt",
        json_of({{"ss58Address", quoted(hotkey_from_secret_uri("//Alice").ss58_address())},
                 {"publicKey", quoted(public_hex(hotkey_from_secret_uri("//Alice")))},
                 {"accountId", quoted(public_hex(hotkey_from_secret_uri("//Alice")))}}));
  return wallets.string();
}

}  // namespace

TEST(BtcliWallet, EveryFieldOrderLoadsTheSameKey) {
  std::vector<Field> fields = dev_key_fields();
  std::sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
  int orders = 0;
  do {
    if (orders++ % 37 != 0) continue;  // 20 of the 720 orders: enough to catch order dependence, quick
    Hotkey key = hotkey_from_btcli_json(json_of(fields), "hot");
    EXPECT_EQ(public_hex(key), kDevPublicKey) << json_of(fields);
    EXPECT_EQ(key.scheme(), KeyScheme::sr25519);
  } while (std::next_permutation(fields.begin(), fields.end(),
                                 [](const Field& a, const Field& b) { return a.name < b.name; }));
  EXPECT_EQ(orders, 720);
}

TEST(BtcliWallet, EachSecretAloneIsEnough) {
  const auto all = dev_key_fields();
  Hotkey from_phrase = hotkey_from_btcli_json(json_of(only(all, {"secretPhrase"})), "a");
  EXPECT_EQ(public_hex(from_phrase), kDevPublicKey);
  EXPECT_TRUE(from_phrase.has_seed());
  Hotkey from_seed = hotkey_from_btcli_json(json_of(only(all, {"secretSeed", "ss58Address"})), "b");
  EXPECT_EQ(public_hex(from_seed), kDevPublicKey);
  Hotkey from_private = hotkey_from_btcli_json(json_of(only(all, {"privateKey", "publicKey"})), "c");
  EXPECT_EQ(public_hex(from_private), kDevPublicKey);
  EXPECT_FALSE(from_private.has_seed());
  EXPECT_TRUE(verify_signature(from_private.public_key(), "m", from_private.sign("m")));
  // btcli writes null for what a key does not have; the next secret in order is used.
  auto with_nulls = only(all, {"privateKey", "ss58Address"});
  with_nulls.push_back({"secretPhrase", "null"});
  with_nulls.push_back({"secretSeed", "null"});
  EXPECT_EQ(public_hex(hotkey_from_btcli_json(json_of(with_nulls), "d")), kDevPublicKey);
}

TEST(BtcliWallet, PhraseComesFirstAndMismatchesAreNamed) {
  auto fields = dev_key_fields();
  Hotkey other = Hotkey::generate();
  // A wrong seed next to the phrase is ignored (btcli's order: phrase, seed, privateKey)...
  auto wrong_seed = only(fields, {"secretPhrase", "publicKey"});
  wrong_seed.push_back({"secretSeed", quoted("0x" + to_hex(other.seed().data(), 32))});
  EXPECT_EQ(public_hex(hotkey_from_btcli_json(json_of(wrong_seed), "x")), kDevPublicKey);
  // ...but a public key or address that is not the secret's is an error naming the field.
  auto bad_public = only(fields, {"secretSeed"});
  bad_public.push_back({"publicKey", quoted(public_hex(other))});
  std::string error = load_error(json_of(bad_public));
  EXPECT_NE(error.find("/w/hotkeys/h"), std::string::npos) << error;
  EXPECT_NE(error.find("\"publicKey\""), std::string::npos) << error;
  EXPECT_NE(error.find("does not match"), std::string::npos) << error;
  auto bad_address = only(fields, {"secretSeed"});
  bad_address.push_back({"ss58Address", quoted(other.ss58_address())});
  EXPECT_NE(load_error(json_of(bad_address)).find("\"ss58Address\" " + other.ss58_address()), std::string::npos);
  auto bad_account = only(fields, {"secretSeed"});
  bad_account.push_back({"accountId", quoted(public_hex(other))});
  EXPECT_NE(load_error(json_of(bad_account)).find("\"accountId\""), std::string::npos);
}

TEST(BtcliWallet, BadFilesAreRefusedClearly) {
  auto fields = dev_key_fields();
  EXPECT_NE(load_error(json_of(only(fields, {"publicKey", "ss58Address", "accountId"}))).find("holds no secret"),
            std::string::npos);
  EXPECT_NE(load_error("{\"secretPhrase\":\"bottom drive obey\"}").find("\"secretPhrase\""), std::string::npos);
  EXPECT_NE(load_error("{\"secretSeed\":\"0x1234\"}").find("\"secretSeed\" must be 64 hex digits"), std::string::npos);
  std::string big_scalar = "0x" + std::string(64, 'f') + std::string(64, '0');
  EXPECT_NE(load_error("{\"privateKey\":\"" + big_scalar + "\"}").find("not a schnorrkel secret key"),
            std::string::npos);
  EXPECT_NE(load_error("{\"secretSeed\":7}").find("must be a string"), std::string::npos);
  EXPECT_NE(load_error("{\"secretSeed\":").find("invalid JSON"), std::string::npos);
  for (std::string prefix : {"$NACL", "$ANSIBLE_VAULT;1.1;AES256", "gAAAAABk"}) {
    std::string error = load_error(prefix + "xxxxxxxx", "/w/miner/coldkey");
    EXPECT_NE(error.find("/w/miner/coldkey"), std::string::npos) << error;
    EXPECT_NE(error.find("never needs the coldkey's secret"), std::string::npos) << error;
  }
  std::string hotkey_error = load_error("$NACLxxxx", "/w/miner/hotkeys/default");
  EXPECT_NE(hotkey_error.find("/w/miner/hotkeys/default is a hotkey encrypted"), std::string::npos) << hotkey_error;
  EXPECT_NE(hotkey_error.find("keys import --mnemonic"), std::string::npos) << hotkey_error;
}

TEST(BtcliWallet, WalletFolderHotkeyColdkeyAndErrors) {
  TempFolder dir;
  std::string wallets = make_wallet(dir, json_of(dev_key_fields()));
  LoadedHotkey loaded = load_btcli_hotkey(wallets, "miner", "default");
  EXPECT_EQ(public_hex(loaded.key), kDevPublicKey);
  EXPECT_FALSE(loaded.permission_warning);
  EXPECT_EQ(load_btcli_coldkey_address(wallets, "miner"), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  // load_hotkey reads a btcli hotkey file directly, so a node's hotkey_file may point into a wallet.
  EXPECT_EQ(public_hex(load_hotkey(btcli_hotkey_path(wallets, "miner", "default")).key), kDevPublicKey);

  auto error_of = [&](const std::function<void()>& f) {
    try {
      f();
    } catch (const KeyFileError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  std::string no_hotkey = error_of([&] { load_btcli_hotkey(wallets, "miner", "other"); });
  EXPECT_NE(no_hotkey.find("hotkeys/other"), std::string::npos) << no_hotkey;
  EXPECT_NE(no_hotkey.find("has hotkeys: default"), std::string::npos) << no_hotkey;
  std::string no_wallet = error_of([&] { load_btcli_hotkey(wallets, "nobody", "default"); });
  EXPECT_NE(no_wallet.find("--wallets-dir"), std::string::npos) << no_wallet;
  std::string coldkey = error_of([&] { load_hotkey(wallets + "/miner/coldkey"); });
  EXPECT_NE(coldkey.find(wallets + "/miner/coldkey"), std::string::npos) << coldkey;
  EXPECT_NE(coldkey.find("never needs the coldkey's secret"), std::string::npos) << coldkey;
  std::string pub = error_of([&] { load_hotkey(wallets + "/miner/hotkeys/defaultpub.txt"); });
  EXPECT_NE(pub.find("holds no secret"), std::string::npos) << pub;

  // Older coldkeypub.txt files: the bare address, or the public key in hex.
  std::ofstream(wallets + "/miner/coldkeypub.txt") << "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\n";
  EXPECT_EQ(load_btcli_coldkey_address(wallets, "miner"), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  std::ofstream(wallets + "/miner/coldkeypub.txt") << kDevPublicKey;
  EXPECT_EQ(load_btcli_coldkey_address(wallets, "miner"), load_btcli_hotkey(wallets, "miner", "default").key.ss58_address());
}

TEST(BtcliWallet, KeysImportAndShow) {
  TempFolder dir;
  std::string wallets = make_wallet(dir, json_of(only(dev_key_fields(), {"secretSeed", "publicKey"})));
  const std::string address = Hotkey::from_seed(bip39_mini_secret(kSubstrateDevPhrase)).ss58_address();
  auto run = [](const std::vector<std::string>& args, int expected) {
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    int rc = keys_command(args);
    std::string out = ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(rc, expected) << out;
    return out;
  };
  std::string out = run({"import", "--wallet", "miner", "--hotkey", "default", "--wallets-dir", wallets, "--out",
                         dir.file("a.json")},
                        0);
  EXPECT_NE(out.find("ss58 address: " + address), std::string::npos) << out;
  EXPECT_NE(out.find("scheme:       sr25519"), std::string::npos) << out;
  EXPECT_EQ(load_hotkey(dir.file("a.json")).key.ss58_address(), address);
  // `keys show` on the btcli file itself prints the same address.
  EXPECT_NE(run({"show", wallets + "/miner/hotkeys/default"}, 0).find("ss58 address: " + address), std::string::npos);

  run({"import", "--mnemonic", std::string(kSubstrateDevPhrase), "--out", dir.file("b.json")}, 0);
  EXPECT_EQ(load_hotkey(dir.file("b.json")).key.ss58_address(), address);
  run({"import", "--seed", kDevMiniSecret, "--out", dir.file("c.json")}, 0);
  EXPECT_EQ(load_hotkey(dir.file("c.json")).key.ss58_address(), address);
  run({"import", "--uri", "//Alice", "--out", dir.file("d.json")}, 0);
  EXPECT_EQ(load_hotkey(dir.file("d.json")).key.ss58_address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  run({"import", "--seed", kDevMiniSecret, "--scheme", "ed25519", "--out", dir.file("e.json")}, 0);
  EXPECT_EQ(load_hotkey(dir.file("e.json")).key.scheme(), KeyScheme::ed25519);

  EXPECT_NE(run({"import", "--mnemonic", "bottom drive", "--out", dir.file("f.json")}, 1).find("12, 15, 18, 21 or 24"),
            std::string::npos);
  EXPECT_NE(run({"import", "--seed", "0x12", "--out", dir.file("f.json")}, 1).find("64 hex digits"), std::string::npos);
  EXPECT_NE(run({"import", "--wallet", "miner", "--hotkey", "nope", "--wallets-dir", wallets, "--out",
                 dir.file("f.json")},
                1)
                .find("has hotkeys: default"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("f.json")));
  EXPECT_NE(run({"import", "--out", dir.file("f.json")}, 2).find("exactly one of"), std::string::npos);
  EXPECT_NE(run({"import", "--wallet", "miner", "--out", dir.file("f.json")}, 2).find("--hotkey"), std::string::npos);
  EXPECT_NE(run({"import", "--mnemonic", "x", "--seed", "0x00", "--out", dir.file("f.json")}, 2).find("exactly one"),
            std::string::npos);
}
