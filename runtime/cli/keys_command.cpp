// `nineteen keys new|import|show`: make, import (btcli wallet, mnemonic, seed, secret URI) and show hotkey files.
#include "nineteen/cli/commands.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>

#include "nineteen/keys/bip39.hpp"
#include "nineteen/keys/btcli_wallet.hpp"
#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/keys/secret_uri.hpp"

namespace nineteen::keys {
namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  nineteen keys new --out FILE [--scheme sr25519|ed25519] [--force]\n"
    "      make a hotkey (sr25519 by default, as Bittensor wallets), saved with mode 0600\n"
    "  nineteen keys import --wallet NAME --hotkey HOTKEY [--wallets-dir DIR] --out FILE [--force]\n"
    "      copy a btcli hotkey (DIR/NAME/hotkeys/HOTKEY, DIR defaults to ~/.bittensor/wallets)\n"
    "  nineteen keys import --mnemonic \"WORDS\" --out FILE [--force]\n"
    "  nineteen keys import --seed 0xHEX --out FILE [--scheme sr25519|ed25519] [--force]\n"
    "  nineteen keys import --uri \"PHRASE//hard//0\" --out FILE [--force]   (\"//Alice\": the dev phrase)\n"
    "      make a hotkey file from a secret (sr25519 as Substrate derives it)\n"
    "  nineteen keys show FILE\n"
    "      print a hotkey file's scheme, SS58 address and public key (ours or a btcli hotkey file)\n"
    "  nineteen never needs a coldkey's secret.\n";

int usage(const std::string& problem) {
  std::cerr << "nineteen keys: " << problem << "\n" << kUsage;
  return 2;
}

void print_key(const Hotkey& key, const std::string& path) {
  std::cout << "file:         " << path << "\n"
            << "scheme:       " << scheme_name(key.scheme()) << "\n"
            << "ss58 address: " << key.ss58_address() << "\n"
            << "public key:   0x" << to_hex(key.public_key().data(), key.public_key().size()) << "\n";
}

// Options of the form --name VALUE or --name=VALUE, plus the flag --force. Returns a usage problem.
std::optional<std::string> parse_options(const std::vector<std::string>& args, const std::vector<std::string>& known,
                                         std::map<std::string, std::string>& values, bool& force) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--force") {
      force = true;
      continue;
    }
    std::string name = arg, value;
    bool inline_value = false;
    if (std::size_t eq = arg.find('='); arg.compare(0, 2, "--") == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return "unknown argument \"" + arg + "\" for `keys " + args[0] + "`";
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return name + " needs a value";
      value = args[++i];
    }
    values[name] = value;
  }
  return std::nullopt;
}

std::optional<KeyScheme> scheme_option(const std::map<std::string, std::string>& values, std::string& problem) {
  auto it = values.find("--scheme");
  if (it == values.end()) return KeyScheme::sr25519;
  auto scheme = parse_scheme(it->second);
  if (!scheme) problem = "--scheme is \"" + it->second + "\"; expected sr25519 or ed25519";
  return scheme;
}

int keys_new(const std::vector<std::string>& args) {
  std::map<std::string, std::string> values;
  bool force = false;
  if (auto problem = parse_options(args, {"--out", "--scheme"}, values, force)) return usage(*problem);
  if (!values.count("--out")) return usage("`keys new` needs --out FILE");
  std::string problem;
  auto scheme = scheme_option(values, problem);
  if (!scheme) return usage(problem);
  Hotkey key = Hotkey::generate(*scheme);
  save_hotkey(key, values["--out"], force);
  print_key(key, values["--out"]);
  return 0;
}

int keys_import(const std::vector<std::string>& args) {
  std::map<std::string, std::string> values;
  bool force = false;
  if (auto problem = parse_options(
          args, {"--out", "--wallet", "--hotkey", "--wallets-dir", "--mnemonic", "--seed", "--uri", "--scheme"}, values,
          force)) {
    return usage(*problem);
  }
  if (!values.count("--out")) return usage("`keys import` needs --out FILE");
  const int sources = static_cast<int>(values.count("--wallet") + values.count("--mnemonic") +
                                       values.count("--seed") + values.count("--uri"));
  if (sources != 1) return usage("`keys import` takes exactly one of --wallet, --mnemonic, --seed, --uri");
  if (values.count("--scheme") && !values.count("--seed")) return usage("--scheme applies only to --seed");
  if ((values.count("--hotkey") || values.count("--wallets-dir")) && !values.count("--wallet")) {
    return usage("--hotkey and --wallets-dir go with --wallet");
  }

  std::optional<Hotkey> key;
  try {
    if (values.count("--wallet")) {
      if (!values.count("--hotkey")) return usage("--wallet needs --hotkey HOTKEY (the hotkey's name in the wallet)");
      std::string dir = values.count("--wallets-dir") ? values["--wallets-dir"] : default_btcli_wallets_dir();
      key = load_btcli_hotkey(dir, values["--wallet"], values["--hotkey"]).key;
    } else if (values.count("--mnemonic")) {
      key = Hotkey::from_seed(bip39_mini_secret(values["--mnemonic"]), KeyScheme::sr25519);
    } else if (values.count("--uri")) {
      key = hotkey_from_secret_uri(values["--uri"]);
    } else {
      std::string problem;
      auto scheme = scheme_option(values, problem);
      if (!scheme) return usage(problem);
      const std::string& text = values["--seed"];
      auto bytes = from_hex(text.compare(0, 2, "0x") == 0 ? text.substr(2) : text);
      if (!bytes || bytes->size() != 32) {
        std::cerr << "nineteen keys import: --seed must be 0x and 64 hex digits (a 32-byte seed, btcli's secretSeed)\n";
        return 1;
      }
      Seed seed;
      std::memcpy(seed.data(), bytes->data(), seed.size());
      sodium_memzero(bytes->data(), bytes->size());
      key = Hotkey::from_seed(seed, *scheme);
      sodium_memzero(seed.data(), seed.size());
    }
  } catch (const std::invalid_argument& e) {
    for (auto& [name, value] : values) sodium_memzero(value.data(), value.size());
    std::cerr << "nineteen keys import: " << e.what() << "\n";
    return 1;
  }
  for (auto& [name, value] : values) {
    if (name == "--mnemonic" || name == "--seed" || name == "--uri") sodium_memzero(value.data(), value.size());
  }
  save_hotkey(*key, values["--out"], force);
  print_key(*key, values["--out"]);
  return 0;
}

int keys_show(const std::vector<std::string>& args) {
  if (args.size() != 2) return usage("`keys show` takes exactly one FILE");
  LoadedHotkey loaded = load_hotkey(args[1]);
  print_key(loaded.key, args[1]);
  if (loaded.permission_warning) std::cout << "warning:      " << *loaded.permission_warning << "\n";
  return 0;
}

}  // namespace

int keys_command(const std::vector<std::string>& args) {
  if (args.empty()) return usage("missing a subcommand");
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  try {
    if (args[0] == "new") return keys_new(args);
    if (args[0] == "import") return keys_import(args);
    if (args[0] == "show") return keys_show(args);
  } catch (const std::exception& e) {
    std::cerr << "nineteen keys: " << e.what() << "\n";
    return 1;
  }
  return usage("unknown subcommand \"" + args[0] + "\"");
}

}  // namespace nineteen::keys
