// Hotkey files: JSON with the seed and the public key, created with mode 0600.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "nineteen/keys/hotkey.hpp"

namespace nineteen::keys {

// A key file that cannot be written or read; the message names the file and what to do.
class KeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes {"scheme":"ed25519","secret_seed":hex,"public_key":hex,"ss58_address":...} to `path`
// with mode 0600. Refuses an existing file unless `force` (then it is replaced atomically).
void save_hotkey(const Hotkey& key, const std::string& path, bool force = false);

struct LoadedHotkey {
  Hotkey key;
  // Set when group or others may read the file; the key still loads. Also logged with spdlog.
  std::optional<std::string> permission_warning;
};

// Reads a file written by save_hotkey. Throws KeyFileError naming the file for a missing file,
// bad JSON, a missing or malformed seed, or a public key that does not match the seed.
LoadedHotkey load_hotkey(const std::string& path);

}  // namespace nineteen::keys
