// The text form of a gateway API key ("nt-" + 32 random hex digits), its stored hash, and the
// Authorization header it travels in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nineteen::gateway {

// A fresh key from the system's secure random source: "nt-" followed by 32 lower-case hex digits.
std::string new_api_key();
// What the store keeps: the SHA-256 of the key text, in hex.
std::string api_key_hash(std::string_view key);
// The token of "Bearer <token>" (scheme case-insensitive, spaces trimmed); nullopt for anything else.
std::optional<std::string> bearer_token(std::string_view authorization);

}  // namespace nineteen::gateway
