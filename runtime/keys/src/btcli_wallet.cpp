// Reading btcli's wallet files: plaintext hotkey JSON (phrase, seed or schnorrkel privateKey) and coldkeypub.txt.
#include "nineteen/keys/btcli_wallet.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "nineteen/keys/bip39.hpp"
#include "nineteen/keys/secret_uri.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::keys {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBtcliFields[] = {"accountId", "publicKey", "privateKey",
                                        "secretPhrase", "secretSeed", "ss58Address"};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The project's bounded reader: a hostile file cannot recurse the reader off the stack.
std::string parse_json(rapidjson::Document& doc, std::string_view text) { return sdk::parse_json_bounded(doc, text); }

// A string field; nullopt when absent, null or empty (btcli writes null for what it does not know).
std::optional<std::string> string_field(const rapidjson::Document& doc, const char* name, const std::string& path) {
  auto it = doc.FindMember(name);
  if (it == doc.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsString()) throw KeyFileError("key file " + path + ": key \"" + name + "\" must be a string");
  std::string value(it->value.GetString(), it->value.GetStringLength());
  if (value.empty()) return std::nullopt;
  return value;
}

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KeyFileError("cannot open " + path + ": " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > 64 * 1024) throw KeyFileError(path + " is too large to be a btcli key file");
  return text;
}

std::string list_hotkeys(const fs::path& folder) {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(folder, ignored)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ignored) && !(name.size() > 7 && name.compare(name.size() - 7, 7, "pub.txt") == 0)) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

}  // namespace

std::string default_btcli_wallets_dir() {
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : ".") / ".bittensor" / "wallets").string();
}

std::string btcli_hotkey_path(const std::string& wallets_dir, const std::string& wallet, const std::string& hotkey) {
  return (fs::path(wallets_dir) / wallet / "hotkeys" / hotkey).string();
}

void refuse_encrypted_keyfile(std::string_view text, const std::string& path) {
  const char* format = nullptr;
  if (starts_with(text, "$NACL")) format = "encrypted with a password (btcli's \"$NACL\" format)";
  if (starts_with(text, "$ANSIBLE_VAULT")) format = "in btcli's legacy Ansible Vault format";
  if (starts_with(text, "gAAAAA")) format = "in btcli's legacy Fernet format";
  if (!format) return;
  if (fs::path(path).parent_path().filename() == "hotkeys") {
    throw KeyFileError("key file " + path + " is a hotkey " + format +
                       "; nineteen runs unattended and cannot ask for its password. Re-create the hotkey "
                       "unencrypted (btcli's default, e.g. `btcli wallet regen-hotkey` from its mnemonic), or import "
                       "it with `nineteen keys import --mnemonic \"...\" --out FILE`");
  }
  throw KeyFileError("key file " + path + " is " + format +
                     "; nineteen does not read it. nineteen signs only with the hotkey and never needs the "
                     "coldkey's secret: give it the wallet's hotkey file (WALLET/hotkeys/HOTKEY, plaintext as btcli "
                     "writes it by default), e.g. `nineteen keys import --wallet WALLET --hotkey HOTKEY --out FILE`");
}

bool is_btcli_keyfile_json(std::string_view text) {
  rapidjson::Document doc;
  if (!parse_json(doc, text).empty() || !doc.IsObject()) return false;
  if (doc.HasMember("secret_seed") || doc.HasMember("secret_key") || doc.HasMember("scheme")) return false;
  return std::any_of(std::begin(kBtcliFields), std::end(kBtcliFields),
                     [&](const char* name) { return doc.HasMember(name); });
}

Hotkey hotkey_from_btcli_json(std::string_view text, const std::string& path) {
  refuse_encrypted_keyfile(text, path);
  rapidjson::Document doc;
  if (std::string problem = parse_json(doc, text); !problem.empty()) {
    throw KeyFileError("key file " + path + ": " + problem);
  }
  if (!doc.IsObject()) throw KeyFileError("key file " + path + ": expected a JSON object (a btcli keyfile)");

  auto phrase = string_field(doc, "secretPhrase", path);
  auto seed_hex = string_field(doc, "secretSeed", path);
  auto private_hex = string_field(doc, "privateKey", path);
  std::optional<Hotkey> key;
  if (phrase) {
    try {
      // A phrase with "//" junctions is a secret URI, as btcli's create_from_uri stores them.
      key = phrase->find('/') != std::string::npos
                ? hotkey_from_secret_uri(*phrase)
                : Hotkey::from_seed(bip39_mini_secret(*phrase), KeyScheme::sr25519);
    } catch (const std::invalid_argument& e) {
      sodium_memzero(phrase->data(), phrase->size());
      throw KeyFileError("key file " + path + ": key \"secretPhrase\": " + e.what());
    }
    sodium_memzero(phrase->data(), phrase->size());
  } else if (seed_hex) {
    std::string bytes = hex_bytes(*seed_hex, 32, path, "secretSeed");
    sodium_memzero(seed_hex->data(), seed_hex->size());
    Seed seed;
    std::memcpy(seed.data(), bytes.data(), seed.size());
    sodium_memzero(bytes.data(), bytes.size());
    key = Hotkey::from_seed(seed, KeyScheme::sr25519);
    sodium_memzero(seed.data(), seed.size());
  } else if (private_hex) {
    std::string bytes = hex_bytes(*private_hex, 64, path, "privateKey");
    sodium_memzero(private_hex->data(), private_hex->size());
    auto secret = sr25519_secret_from_bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()));
    sodium_memzero(bytes.data(), bytes.size());
    if (!secret) {
      throw KeyFileError("key file " + path + ": key \"privateKey\" is not a schnorrkel secret key (scalar ‖ nonce "
                         "with a reduced scalar); is it from another tool?");
    }
    key = Hotkey::from_sr25519_secret(*secret);
    secret->wipe();
  } else {
    throw KeyFileError("key file " + path +
                       " holds no secret (no secretPhrase, secretSeed or privateKey): it is a public file such as "
                       "coldkeypub.txt or HOTKEYpub.txt; give the hotkey file itself (WALLET/hotkeys/HOTKEY)");
  }
  check_declared_identity(*key, string_field(doc, "publicKey", path), "publicKey", string_field(doc, "ss58Address", path),
                          "ss58Address", path);
  check_declared_identity(*key, string_field(doc, "accountId", path), "accountId", std::nullopt, "", path);
  return *key;
}

LoadedHotkey load_btcli_hotkey(const std::string& wallets_dir, const std::string& wallet, const std::string& hotkey) {
  const std::string path = btcli_hotkey_path(wallets_dir, wallet, hotkey);
  std::error_code ignored;
  if (!fs::exists(path, ignored)) {
    const fs::path wallet_dir = fs::path(wallets_dir) / wallet;
    if (!fs::is_directory(wallet_dir, ignored)) {
      throw KeyFileError("btcli wallet \"" + wallet + "\" not found: " + wallet_dir.string() +
                         " does not exist (pass --wallets-dir if your wallets are elsewhere)");
    }
    throw KeyFileError("btcli hotkey \"" + hotkey + "\" not found: " + path + " does not exist; wallet \"" + wallet +
                       "\" has hotkeys: " + list_hotkeys(wallet_dir / "hotkeys"));
  }
  return load_hotkey(path);
}

std::string load_btcli_coldkey_address(const std::string& wallets_dir, const std::string& wallet) {
  const std::string path = (fs::path(wallets_dir) / wallet / "coldkeypub.txt").string();
  std::string text = read_small_file(path);
  refuse_encrypted_keyfile(text, path);
  std::string trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
  rapidjson::Document doc;
  if (!trimmed.empty() && trimmed[0] == '{') {
    if (std::string problem = parse_json(doc, trimmed); !problem.empty()) throw KeyFileError(path + ": " + problem);
    if (auto address = string_field(doc, "ss58Address", path)) {
      std::string error;
      if (!ss58_decode(*address, &error)) throw KeyFileError(path + ": key \"ss58Address\": " + error);
      return *address;
    }
    auto pub = string_field(doc, "publicKey", path);
    if (!pub) pub = string_field(doc, "accountId", path);
    if (!pub) throw KeyFileError(path + ": no ss58Address, publicKey or accountId in it");
    trimmed = *pub;
  }
  // Older btcli versions wrote the bare address, or the public key in hex.
  if (starts_with(trimmed, "0x")) {
    std::string bytes = hex_bytes(trimmed, 32, path, "publicKey");
    PublicKey public_key;
    std::memcpy(public_key.data(), bytes.data(), public_key.size());
    return ss58_encode(public_key);
  }
  std::string error;
  if (!ss58_decode(trimmed, &error)) throw KeyFileError(path + ": " + error);
  return trimmed;
}

}  // namespace nineteen::keys
