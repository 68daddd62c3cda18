// `nineteen keys new --out FILE [--force]` and `nineteen keys show FILE`.
#include "nineteen/keys/keys_command.hpp"

#include <iostream>

#include "nineteen/keys/hotkey_file.hpp"

namespace nineteen::keys {
namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  nineteen keys new --out FILE [--force]   make an ed25519 hotkey, saved with mode 0600\n"
    "  nineteen keys show FILE                  print a hotkey file's SS58 address and public key\n";

int usage(const std::string& problem) {
  std::cerr << "nineteen keys: " << problem << "\n" << kUsage;
  return 2;
}

void print_key(const Hotkey& key, const std::string& path) {
  std::cout << "file:         " << path << "\n"
            << "ss58 address: " << key.ss58_address() << "\n"
            << "public key:   0x" << to_hex(key.public_key().data(), key.public_key().size()) << "\n";
}

int keys_new(const std::vector<std::string>& args) {
  std::string out;
  bool force = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--force") {
      force = true;
    } else if (args[i] == "--out") {
      if (i + 1 >= args.size()) return usage("--out needs a file name");
      out = args[++i];
    } else if (args[i].compare(0, 6, "--out=") == 0) {
      out = args[i].substr(6);
    } else {
      return usage("unknown argument \"" + args[i] + "\" for `keys new`");
    }
  }
  if (out.empty()) return usage("`keys new` needs --out FILE");
  Hotkey key = Hotkey::generate();
  save_hotkey(key, out, force);
  print_key(key, out);
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
    if (args[0] == "show") return keys_show(args);
  } catch (const std::exception& e) {
    std::cerr << "nineteen keys: " << e.what() << "\n";
    return 1;
  }
  return usage("unknown subcommand \"" + args[0] + "\"");
}

}  // namespace nineteen::keys
