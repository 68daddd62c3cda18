// Saving and loading hotkey files; the seed never lands in a file others can read.
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

namespace nineteen::keys {
namespace {

std::string key_file_json(const Hotkey& key) {
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
  std::string seed = to_hex(key.seed().data(), key.seed().size());
  std::string pub = to_hex(key.public_key().data(), key.public_key().size());
  std::string address = key.ss58_address();
  w.StartObject();
  w.Key("scheme");
  w.String("ed25519");
  w.Key("secret_seed");
  w.String(seed.c_str());
  w.Key("public_key");
  w.String(pub.c_str());
  w.Key("ss58_address");
  w.String(address.c_str());
  w.EndObject();
  sodium_memzero(seed.data(), seed.size());
  return std::string(out.GetString(), out.GetSize()) + "\n";
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

  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  sodium_memzero(text.data(), text.size());
  if (doc.HasParseError()) {
    throw KeyFileError("key file " + path + ": invalid JSON at byte " + std::to_string(doc.GetErrorOffset()) + ": " +
                       rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) throw KeyFileError("key file " + path + ": expected a JSON object");
  auto string_field = [&](const char* name) -> std::optional<std::string> {
    auto it = doc.FindMember(name);
    if (it == doc.MemberEnd()) return std::nullopt;
    if (!it->value.IsString()) throw KeyFileError("key file " + path + ": key \"" + name + "\" must be a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  if (auto scheme = string_field("scheme"); scheme && *scheme != "ed25519") {
    throw KeyFileError("key file " + path + ": key \"scheme\" is \"" + *scheme + "\"; only \"ed25519\" is supported");
  }
  auto seed_hex = string_field("secret_seed");
  if (!seed_hex) throw KeyFileError("key file " + path + ": missing key \"secret_seed\" (64 hex digits)");
  std::string hex = *seed_hex;
  if (hex.compare(0, 2, "0x") == 0) hex = hex.substr(2);
  auto seed_bytes = from_hex(hex);
  sodium_memzero(hex.data(), hex.size());
  if (!seed_bytes || seed_bytes->size() != 32) {
    throw KeyFileError("key file " + path + ": key \"secret_seed\" must be 64 hex digits (32 bytes)");
  }
  Seed seed;
  std::copy(seed_bytes->begin(), seed_bytes->end(), seed.begin());
  sodium_memzero(seed_bytes->data(), seed_bytes->size());
  Hotkey key = Hotkey::from_seed(seed);
  sodium_memzero(seed.data(), seed.size());

  if (auto pub = string_field("public_key")) {
    std::string expected = to_hex(key.public_key().data(), key.public_key().size());
    std::string given = pub->compare(0, 2, "0x") == 0 ? pub->substr(2) : *pub;
    for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (given != expected) {
      throw KeyFileError("key file " + path + ": key \"public_key\" does not match the secret seed (the file is "
                         "damaged or was edited); restore it from a backup");
    }
  }
  if (auto address = string_field("ss58_address"); address && *address != key.ss58_address()) {
    throw KeyFileError("key file " + path + ": key \"ss58_address\" " + *address +
                       " does not match the secret seed (expected " + key.ss58_address() + ")");
  }
  return LoadedHotkey{key, warning};
}

}  // namespace nineteen::keys
