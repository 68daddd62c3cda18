// btcli wallets: the hotkey and coldkeypub files that `btcli` writes under ~/.bittensor/wallets.
#pragma once

#include <string>
#include <string_view>

#include "nineteen/keys/hotkey_file.hpp"

namespace nineteen::keys {

// $HOME/.bittensor/wallets, btcli's default `--wallet.path`.
std::string default_btcli_wallets_dir();

// WALLETS_DIR/WALLET/hotkeys/HOTKEY.
std::string btcli_hotkey_path(const std::string& wallets_dir, const std::string& wallet, const std::string& hotkey);

// Loads a btcli hotkey by wallet and hotkey name (through load_hotkey, which reads btcli's format).
// A missing wallet or hotkey throws KeyFileError naming the path and the hotkeys that do exist.
LoadedHotkey load_btcli_hotkey(const std::string& wallets_dir, const std::string& wallet, const std::string& hotkey);

// The key in the text of a plaintext btcli keyfile: JSON with any of accountId, publicKey,
// privateKey, secretPhrase, secretSeed, ss58Address (any order, any may be missing or null). The key
// comes from secretPhrase, else secretSeed, else privateKey (schnorrkel scalar ‖ nonce); a present
// publicKey, accountId or ss58Address must name that key. Throws KeyFileError naming `path`.
Hotkey hotkey_from_btcli_json(std::string_view text, const std::string& path);

// True when the JSON text has none of the project's own fields but some of btcli's.
bool is_btcli_keyfile_json(std::string_view text);

// The SS58 address in WALLETS_DIR/WALLET/coldkeypub.txt (JSON with ss58Address or publicKey, or a
// bare address as older versions wrote).
std::string load_btcli_coldkey_address(const std::string& wallets_dir, const std::string& wallet);

// Throws KeyFileError for an encrypted ("$NACL") or legacy ("$ANSIBLE_VAULT", "gAAAAA") keyfile,
// naming the file and saying that nineteen needs only the hotkey, never the coldkey's secret.
void refuse_encrypted_keyfile(std::string_view text, const std::string& path);

}  // namespace nineteen::keys
