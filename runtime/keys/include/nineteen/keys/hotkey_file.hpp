// Hotkey files: JSON with the scheme, the seed and the public key, created with mode 0600; btcli's read too.
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

// Writes {"scheme":"sr25519"|"ed25519","secret_seed":hex,"public_key":hex,"ss58_address":...} to
// `path` with mode 0600 ("secret_key": scalar ‖ nonce instead of "secret_seed" for an sr25519 key
// loaded from a btcli privateKey alone). Refuses an existing file unless `force` (then it is
// replaced atomically).
void save_hotkey(const Hotkey& key, const std::string& path, bool force = false);

struct LoadedHotkey {
  Hotkey key;
  // Set when group or others may read the file; the key still loads. Also logged with spdlog.
  std::optional<std::string> permission_warning;
};

// Reads a file written by save_hotkey (no "scheme" means ed25519, as in older files) or a btcli
// hotkey file (see btcli_wallet.hpp). Throws KeyFileError naming the file for a missing file, bad
// JSON, a missing or malformed seed, a public key or address that does not match the secret, or an
// encrypted keyfile.
LoadedHotkey load_hotkey(const std::string& path);

// Helpers shared by the key file readers. The bytes of a hex field (with or without "0x") of
// exactly `size` bytes, else KeyFileError naming the file and field.
std::string hex_bytes(const std::string& value, std::size_t size, const std::string& path, const char* field);
// Throws KeyFileError when a declared public key (hex) or SS58 address names another key than `key`.
void check_declared_identity(const Hotkey& key, const std::optional<std::string>& public_key_hex,
                             const char* public_key_field, const std::optional<std::string>& address,
                             const char* address_field, const std::string& path);

}  // namespace nineteen::keys
