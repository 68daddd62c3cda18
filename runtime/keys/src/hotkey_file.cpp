// Saving and loading hotkey files (ours and btcli's); the seed never lands in a file others can read.
#include "nineteen/keys/hotkey_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "nineteen/keys/btcli_wallet.hpp"
#include "nineteen/sdk/json.hpp"

namespace nineteen::keys {
namespace {

std::string key_file_json(const Hotkey& key) {
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
  // A key with a seed saves the seed; an sr25519 key known only by its expanded secret (a btcli
  // privateKey) saves that, as "secret_key".
  std::string secret;
  if (key.has_seed()) {
    secret = to_hex(key.seed().data(), key.seed().size());
  } else {
    auto bytes = sr25519_secret_to_bytes(key.sr25519_secret());
    secret = to_hex(bytes.data(), bytes.size());
    sodium_memzero(bytes.data(), bytes.size());
  }
  std::string pub = to_hex(key.public_key().data(), key.public_key().size());
  std::string address = key.ss58_address();
  w.StartObject();
  w.Key("scheme");
  w.String(scheme_name(key.scheme()));
  w.Key(key.has_seed() ? "secret_seed" : "secret_key");
  w.String(secret.c_str());
  w.Key("public_key");
  w.String(pub.c_str());
  w.Key("ss58_address");
  w.String(address.c_str());
  w.EndObject();
  sodium_memzero(secret.data(), secret.size());
  std::string text(out.GetString(), out.GetSize());
  sodium_memzero(const_cast<char*>(out.GetString()), out.GetSize());
  return text + "\n";
}

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw KeyFileError("cannot write key file " + path + ": " + errno_text());
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) throw KeyFileError("cannot flush key file " + path + " to disk: " + errno_text());
}

// Creates `path` exclusively with mode 0600 and writes `text`; removes it again if writing fails.
void create_private_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      throw KeyFileError("key file " + path + " already exists; pass --force to replace it (its key is then lost)");
    }
    throw KeyFileError("cannot create key file " + path + ": " + errno_text() +
                       " (does its folder exist and can you write there?)");
  }
  try {
    if (::fchmod(fd, 0600) != 0) throw KeyFileError("cannot set mode 0600 on " + path + ": " + errno_text());
    write_all(fd, text, path);
  } catch (...) {
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  ::close(fd);
}

}  // namespace

void save_hotkey(const Hotkey& key, const std::string& path, bool force) {
  std::string text = key_file_json(key);
  if (!force) {
    create_private_file(path, text);
  } else {
    // Write beside it, then rename over it: a crash never leaves a half-written key file.
    std::string temp = path + ".tmp." + std::to_string(::getpid());
    ::unlink(temp.c_str());
    create_private_file(temp, text);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      std::string why = errno_text();
      ::unlink(temp.c_str());
      throw KeyFileError("cannot replace key file " + path + ": " + why);
    }
  }
  sodium_memzero(text.data(), text.size());
}

LoadedHotkey load_hotkey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      throw KeyFileError("key file " + path + " does not exist; make one with `nineteen keys new --out " + path + "`");
    }
    throw KeyFileError("cannot read key file " + path + ": " + errno_text());
  }
  if (!S_ISREG(st.st_mode)) throw KeyFileError("key file " + path + " is not a regular file");
  if (st.st_size > 64 * 1024) throw KeyFileError("key file " + path + " is too large to be a key file");
  std::optional<std::string> warning;
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    warning = "key file " + path + " has mode " + mode + ", so others may read the secret seed; run `chmod 600 " +
              path + "`";
    spdlog::warn("{}", *warning);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KeyFileError("cannot open key file " + path + ": " + errno_text());
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  try {
    refuse_encrypted_keyfile(text, path);
    if (is_btcli_keyfile_json(text)) {
      Hotkey key = hotkey_from_btcli_json(text, path);
      sodium_memzero(text.data(), text.size());
      return LoadedHotkey{key, warning};
    }
  } catch (...) {
    sodium_memzero(text.data(), text.size());
    throw;
  }

  rapidjson::Document doc;
  const std::string problem = sdk::parse_json_bounded(doc, text);
  sodium_memzero(text.data(), text.size());
  if (!problem.empty()) throw KeyFileError("key file " + path + ": " + problem);
  if (!doc.IsObject()) throw KeyFileError("key file " + path + ": expected a JSON object");
  auto string_field = [&](const char* name) -> std::optional<std::string> {
    auto it = doc.FindMember(name);
    if (it == doc.MemberEnd()) return std::nullopt;
    if (!it->value.IsString()) throw KeyFileError("key file " + path + ": key \"" + name + "\" must be a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  // Files from before schemes existed have no "scheme": they are ed25519.
  KeyScheme scheme = KeyScheme::ed25519;
  if (auto name = string_field("scheme")) {
    auto parsed = parse_scheme(*name);
    if (!parsed) {
      throw KeyFileError("key file " + path + ": key \"scheme\" is \"" + *name +
                         "\"; expected \"sr25519\" or \"ed25519\"");
    }
    scheme = *parsed;
  }
  auto seed_hex = string_field("secret_seed");
  auto secret_hex = scheme == KeyScheme::sr25519 ? string_field("secret_key") : std::nullopt;
  std::optional<Hotkey> key;
  if (seed_hex) {
    std::string bytes = hex_bytes(*seed_hex, 32, path, "secret_seed");
    Seed seed;
    std::memcpy(seed.data(), bytes.data(), seed.size());
    sodium_memzero(bytes.data(), bytes.size());
    key = Hotkey::from_seed(seed, scheme);
    sodium_memzero(seed.data(), seed.size());
  } else if (secret_hex) {
    std::string bytes = hex_bytes(*secret_hex, 64, path, "secret_key");
    auto secret = sr25519_secret_from_bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()));
    sodium_memzero(bytes.data(), bytes.size());
    if (!secret) throw KeyFileError("key file " + path + ": key \"secret_key\" is not a valid sr25519 secret key");
    key = Hotkey::from_sr25519_secret(*secret);
    secret->wipe();
  } else {
    throw KeyFileError("key file " + path + ": missing key \"secret_seed\" (64 hex digits)");
  }
  if (seed_hex) sodium_memzero(seed_hex->data(), seed_hex->size());
  if (secret_hex) sodium_memzero(secret_hex->data(), secret_hex->size());
  check_declared_identity(*key, string_field("public_key"), "public_key", string_field("ss58_address"),
                          "ss58_address", path);
  return LoadedHotkey{*key, warning};
}

std::string hex_bytes(const std::string& value, std::size_t size, const std::string& path, const char* field) {
  std::string hex = value.compare(0, 2, "0x") == 0 ? value.substr(2) : value;
  auto bytes = from_hex(hex);
  sodium_memzero(hex.data(), hex.size());
  if (!bytes || bytes->size() != size) {
    if (bytes) sodium_memzero(bytes->data(), bytes->size());
    throw KeyFileError("key file " + path + ": key \"" + field + "\" must be " + std::to_string(size * 2) +
                       " hex digits (" + std::to_string(size) + " bytes)");
  }
  return *bytes;
}

void check_declared_identity(const Hotkey& key, const std::optional<std::string>& public_key_hex,
                             const char* public_key_field, const std::optional<std::string>& address,
                             const char* address_field, const std::string& path) {
  if (public_key_hex) {
    std::string expected = to_hex(key.public_key().data(), key.public_key().size());
    std::string given = public_key_hex->compare(0, 2, "0x") == 0 ? public_key_hex->substr(2) : *public_key_hex;
    for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (given != expected) {
      throw KeyFileError("key file " + path + ": key \"" + public_key_field + "\" 0x" + given +
                         " does not match the secret (which gives 0x" + expected +
                         "); the file is damaged or was edited: restore it from a backup");
    }
  }
  if (address && *address != key.ss58_address()) {
    throw KeyFileError("key file " + path + ": key \"" + address_field + "\" " + *address +
                       " does not match the secret (which gives " + key.ss58_address() + ")");
  }
}

}  // namespace nineteen::keys
